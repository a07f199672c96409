package dev.pulse.launcher;

import dev.pulse.cli.ClickHouseOptions;
import dev.pulse.clickhouse.ClickHouse;
import dev.pulse.launcher.AnalystAccess.Analyst;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code pulse analysts}: SQL access for a tenant's analysts to their institution's rows and
 * nothing else (docs/access.md, "Analysts").
 */
@Command(
    name = "analysts",
    mixinStandardHelpOptions = true,
    description = {
      "Give a tenant's analysts read-only SQL access to their institution's rows, and",
      "nothing else: a database <database>_<tenant> with Pulse's analyst tables under",
      "their own names, filtered to the tenant, and a ClickHouse user",
      "pulse_analyst_<tenant> (read only, with limits and a quota) whose new password",
      "is printed once (hyphens in the tenant id become underscores in both names).",
      "Run it on the ClickHouse server's host, as its administrator, after 'pulse",
      "migrate': it writes the users and a cluster into the server's config.d/ and",
      "users.d/, which the server reloads by itself, and waits until the analyst",
      "can read. Run it again after a migration (new columns) or to change the",
      "password. The administrator's password is read from the environment",
      "variable " + ClickHouseOptions.PASSWORD_ENV + "."
    })
public final class AnalystsCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin ClickHouseOptions clickhouse;

  @Option(
      names = "--tenant",
      paramLabel = "ID",
      required = true,
      description = "A tenant id, as the events carry it; repeat for several.")
  List<String> tenants;

  @Option(
      names = "--config-dir",
      paramLabel = "DIR",
      defaultValue = "/etc/clickhouse-server",
      description = "The server's configuration directory (default: ${DEFAULT-VALUE}).")
  Path configDir;

  @Option(
      names = "--tcp-port",
      paramLabel = "PORT",
      defaultValue = "9000",
      description =
          "The server's native TCP port, where it reads the tenant rows from itself"
              + " (default: ${DEFAULT-VALUE}).")
  int tcpPort;

  @Option(
      names = "--reader-host",
      paramLabel = "HOST",
      defaultValue = "127.0.0.1",
      description = "How the server reaches itself on that port (default: ${DEFAULT-VALUE}).")
  String readerHost;

  @Option(
      names = "--network",
      paramLabel = "CIDR",
      split = ",",
      defaultValue = "127.0.0.1,::1",
      description =
          "Where analysts may sign in from: IP addresses or CIDR ranges, comma"
              + " separated or repeated (default: ${DEFAULT-VALUE}).")
  List<String> networks;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    AnalystAccess access;
    try {
      access = new AnalystAccess(configDir, readerHost, tcpPort, networks);
      tenants.forEach(dev.pulse.clickhouse.TenantDatabases::requireTenant);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    String host = URI.create(clickhouse.url()).getHost();
    try (ClickHouse admin =
        ClickHouse.connect(clickhouse.url(), clickhouse.user(), clickhouse.password(), null)) {
      out.printf(
          "Tenant databases of %s on %s (ClickHouse %s), users in %s%n",
          clickhouse.database(),
          clickhouse.url(),
          admin.serverVersion(),
          configDir.resolve("users.d"));
      for (Analyst a : access.grant(admin, clickhouse.url(), clickhouse.database(), tenants)) {
        out.printf(
            "%s: database %s (%d tables), user %s, password %s%n"
                + "  clickhouse-client --host %s --user %s --password %s --database %s%n",
            a.tenant(),
            a.database(),
            a.tables().size(),
            a.user(),
            a.password(),
            host,
            a.user(),
            a.password(),
            a.database());
      }
      out.println("Each password is shown only here; run again for a new one.");
      return 0;
    }
  }
}
