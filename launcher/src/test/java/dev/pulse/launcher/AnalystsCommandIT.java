package dev.pulse.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.pulse.clickhouse.ClickHouse;
import dev.pulse.clickhouse.ClickHouseException;
import dev.pulse.local.LocalClickHouse;
import dev.pulse.testing.ClickHouseExtension;
import dev.pulse.testing.TestClickHouse;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/**
 * {@code pulse analysts} on the real server: an analyst of one tenant reads every analyst table
 * with exactly that tenant's rows (replays collapsed), and cannot reach Pulse's database, the
 * hidden views, another tenant's database, or change anything.
 */
@ExtendWith(ClickHouseExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AnalystsCommandIT {

  private static final Pattern GRANTED =
      Pattern.compile(
          "(?m)^(\\S+): database (\\S+) \\((\\d+) tables\\), user (\\S+), password ([0-9a-f]{32})$");

  /** The analyst tables, as the packaged list names them: each is checked for foreign rows. */
  private static final List<String> TABLES =
      List.of(
          "classroom_events_raw",
          "playback_events_raw",
          "api_requests_raw",
          "probe_results_raw",
          "api_request_minutes",
          "api_request_hours",
          "api_request_days",
          "api_requests_late",
          "api_endpoints",
          "classroom_session_minutes",
          "classroom_learner_sessions",
          "classroom_sessions",
          "classroom_course_days",
          "classroom_events_late",
          "playback_minutes",
          "playback_hours",
          "playback_days",
          "playback_views",
          "playback_events_late",
          "slo_status",
          "slo_status_latest",
          "slo_alerts",
          "slo_alerts_latest",
          "probe_minutes",
          "probe_results_late");

  private static TestClickHouse ch;
  private static LocalClickHouse server;
  private static final Map<String, String[]> granted = new TreeMap<>();

  @BeforeAll
  static void rows(TestClickHouse clickHouse) {
    ch = clickHouse;
    assumeThat(ch.localServer())
        .as("needs the private server's configuration directory")
        .isPresent();
    server = ch.localServer().orElseThrow();
    ch.migratedDatabase();
    // north-a: three requests, one stored twice (a replay, in a part of its own); south-b: two.
    String raw =
        "INSERT INTO api_requests_raw (event_id, tenant_id, event_time, event_time_ms, service,"
            + " endpoint, method, status_code, latency_us, region) VALUES ";
    ch.execute(
        raw
            + "('n1', 'north-a', '2026-11-02 10:00:01', 1793613601000, 'grades', '/g', 'GET', 200,"
            + " 1000, 'eu'), ('n2', 'north-a', '2026-11-02 10:00:02', 1793613602000, 'grades',"
            + " '/g', 'GET', 500, 3000, 'eu'), ('s1', 'south-b', '2026-11-02 10:00:03',"
            + " 1793613603000, 'secret-service', '/s', 'GET', 200, 10, 'us'), ('s2', 'south-b',"
            + " '2026-11-02 10:00:04', 1793613604000, 'secret-service', '/s', 'GET', 200, 20, 'us')");
    ch.execute(
        raw
            + "('n3', 'north-a', '2026-11-03 08:00:00', 1793692800000, 'grades', '/g', 'POST', 201,"
            + " 2000, 'eu'), ('n1', 'north-a', '2026-11-02 10:00:01', 1793613601000, 'grades', '/g',"
            + " 'GET', 200, 1000, 'eu')");
    ch.execute(
        "INSERT INTO api_request_minutes (tenant_id, service, endpoint, method, region, minute,"
            + " requests, errors_5xx, errors_4xx, latency_sum_us, latency_max_us, batch_id) VALUES"
            + " ('north-a', 'grades', '/g', 'GET', 'eu', '2026-11-02 10:00:00', 2, 1, 0, 4000,"
            + " 3000, 'b1'), ('south-b', 'secret-service', '/s', 'GET', 'us', '2026-11-02"
            + " 10:00:00', 2, 0, 0, 30, 20, 'b1')");
  }

  @Test
  @Order(1)
  void eachAnalystReadsEveryAnalystTableWithTheirTenantsRowsOnly() {
    String out =
        run(
            0,
            "--tenant",
            "north-a",
            "--tenant",
            "south-b",
            "--clickhouse",
            ch.httpUrl(),
            "--database",
            ch.database(),
            "--config-dir",
            server.configDir().toString(),
            "--tcp-port",
            Integer.toString(server.tcpPort()));
    Matcher m = GRANTED.matcher(out);
    while (m.find()) {
      granted.put(m.group(1), new String[] {m.group(2), m.group(4), m.group(5), m.group(3)});
    }
    assertThat(granted).as("output:%n%s", out).containsOnlyKeys("north-a", "south-b");
    assertThat(granted.get("north-a")[0]).isEqualTo(ch.database() + "_north_a");
    assertThat(granted.get("north-a")[1]).isEqualTo("pulse_analyst_north_a");
    assertThat(granted.get("north-a")[3]).isEqualTo(Integer.toString(TABLES.size()));

    try (ClickHouse north = analyst("north-a")) {
      // Three distinct requests, the replayed one once: the tenant view reads with FINAL.
      assertThat(value(north, "SELECT count() FROM api_requests_raw")).isEqualTo("3");
      assertThat(value(north, "SELECT sum(latency_us) FROM api_requests_raw")).isEqualTo("6000");
      assertThat(value(north, "SELECT sum(requests) FROM api_request_minutes")).isEqualTo("2");
      assertThat(value(north, "SELECT sumMerge(requests) FROM api_request_hours")).isEqualTo("2");
      for (String table : TABLES) {
        assertThat(value(north, "SELECT groupUniqArray(tenant_id) FROM " + table))
            .as(table)
            .isIn("[]", "['north-a']");
      }
      // A filter on the sorting key; a subquery and a join over another tenant table, which the
      // signed-in server runs (GLOBAL) and ships to the reader's side.
      assertThat(
              value(
                  north,
                  "SELECT count() FROM api_requests_raw WHERE event_time >= '2026-11-03 00:00:00'"))
          .isEqualTo("1");
      assertThat(
              value(
                  north,
                  "SELECT count() FROM api_requests_raw WHERE service GLOBAL IN (SELECT service"
                      + " FROM api_request_minutes)"))
          .isEqualTo("3");
      assertThat(
              value(
                  north,
                  "SELECT sum(r.latency_us), any(m.requests) FROM api_requests_raw AS r GLOBAL ANY"
                      + " LEFT JOIN (SELECT service, requests FROM api_request_minutes) AS m USING"
                      + " service"))
          .isEqualTo("6000\t2");
    }
    try (ClickHouse south = analyst("south-b")) {
      assertThat(value(south, "SELECT count() FROM api_requests_raw")).isEqualTo("2");
      assertThat(value(south, "SELECT groupUniqArray(service) FROM api_requests_raw"))
          .isEqualTo("['secret-service']");
    }
  }

  @Test
  @Order(2)
  void anAnalystCannotReachOtherDatabasesNorChangeAnything() {
    String views = ch.database() + "_tenant_views";
    List<String> refused =
        List.of(
            "SELECT count() FROM " + ch.database() + ".api_requests_raw",
            "SELECT count() FROM " + views + ".t_north_a__api_requests_raw",
            "SELECT count() FROM " + views + ".t_south_b__api_requests_raw",
            "SELECT count() FROM " + ch.database() + "_south_b.api_requests_raw",
            "SELECT count() FROM remote('127.0.0.1:"
                + server.tcpPort()
                + "', "
                + ch.database()
                + ", api_requests_raw)",
            "INSERT INTO api_requests_raw (event_id, tenant_id) VALUES ('x', 'north-a')",
            "CREATE TABLE mine (x UInt8) ENGINE = Memory",
            "DROP TABLE api_requests_raw",
            "ALTER TABLE api_requests_raw DELETE WHERE 1",
            "SET max_threads = 16",
            "SELECT count() FROM api_requests_raw SETTINGS prefer_localhost_replica = 1");
    List<String> answered = new ArrayList<>();
    try (ClickHouse north = analyst("north-a")) {
      for (String sql : refused) {
        try {
          north.queryText(sql);
          answered.add(sql);
        } catch (ClickHouseException expected) {
          assertThat(expected.code()).as(sql).isIn(164, 291, 48, 497, 396);
        }
      }
      assertThat(answered).as("statements the server ran for the analyst").isEmpty();
      // The tables are still there and unchanged.
      assertThat(value(north, "SELECT count() FROM api_requests_raw")).isEqualTo("3");
    }
  }

  @Test
  @Order(3)
  void aSecondRunGivesNewPasswordsKeepsTheReaderAndDropsTablesNoLongerListed() throws Exception {
    Path clusterFile = server.configDir().resolve("config.d/pulse_tenants.xml");
    String clusterBefore = Files.readString(clusterFile);
    String stray = ch.database() + "_north_a.stray";
    ch.execute("CREATE TABLE " + stray + " (x UInt8) ENGINE = Memory");
    String oldPassword = granted.get("north-a")[2];

    String out =
        run(
            0,
            "--tenant",
            "north-a",
            "--clickhouse",
            ch.httpUrl(),
            "--database",
            ch.database(),
            "--config-dir",
            server.configDir().toString(),
            "--tcp-port",
            Integer.toString(server.tcpPort()));
    Matcher m = GRANTED.matcher(out);
    assertThat(m.find()).as(out).isTrue();
    String newPassword = m.group(5);
    assertThat(newPassword).isNotEqualTo(oldPassword);
    assertThat(Files.readString(clusterFile)).isEqualTo(clusterBefore);
    assertThat(ch.query("EXISTS TABLE " + stray)).isEqualTo("0\n");
    granted.get("north-a")[2] = newPassword;
    try (ClickHouse north = analyst("north-a");
        ClickHouse south = analyst("south-b")) {
      assertThat(value(north, "SELECT count() FROM api_requests_raw")).isEqualTo("3");
      assertThat(value(south, "SELECT count() FROM api_requests_raw")).isEqualTo("2");
    }
    try (ClickHouse stale =
        ClickHouse.connect(
            ch.httpUrl(), "pulse_analyst_north_a", oldPassword, ch.database() + "_north_a")) {
      assertThatThrownBy(() -> stale.queryText("SELECT 1")).isInstanceOf(ClickHouseException.class);
    }
  }

  @Test
  @Order(4)
  void theCookbooksTenantDatabaseQueriesRunAsAnAnalyst() throws Exception {
    String cookbook = Files.readString(Path.of("..", "docs", "sql-cookbook.md"));
    String section = cookbook.substring(cookbook.indexOf("## Your tenant's database"));
    int start = section.indexOf("```sql") + "```sql".length();
    String block = section.substring(start, section.indexOf("```", start));
    List<String> statements = new ArrayList<>();
    for (String statement : block.strip().split("\n\s*\n")) {
      statements.add(statement.strip());
    }
    assertThat(statements).hasSize(2);
    try (ClickHouse north = analyst("north-a")) {
      for (String sql : statements) {
        assertThat(north.query(sql)).as(sql).isNotNull();
      }
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "x' OR 1=1 --",
        "",
        "../etc",
        "under_score",
        "-leading",
        "a b",
        "ünï",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
      })
  void aTenantIdThatCannotNameADatabaseIsRefusedAndNothingIsMade(String tenant) throws Exception {
    long databases = Long.parseLong(ch.query("SELECT count() FROM system.databases").strip());
    long userFiles;
    try (var files = Files.list(server.configDir().resolve("users.d"))) {
      userFiles = files.count();
    } catch (java.nio.file.NoSuchFileException none) {
      userFiles = 0;
    }
    String err =
        run(
            2,
            "--tenant",
            "north-a",
            "--tenant",
            tenant,
            "--clickhouse",
            ch.httpUrl(),
            "--database",
            ch.database(),
            "--config-dir",
            server.configDir().toString(),
            "--tcp-port",
            Integer.toString(server.tcpPort()));
    assertThat(err).contains("cannot name a tenant database");
    assertThat(Long.parseLong(ch.query("SELECT count() FROM system.databases").strip()))
        .isEqualTo(databases);
    if (userFiles > 0) {
      try (var files = Files.list(server.configDir().resolve("users.d"))) {
        assertThat(files.count()).isEqualTo(userFiles);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"0.0.0.0/0; rm -rf /", "<ip>x</ip>", "everyone", ""})
  void aNetworkThatIsNoAddressIsRefused(String network) {
    String err =
        run(
            2,
            "--tenant",
            "north-a",
            "--network",
            network,
            "--clickhouse",
            ch.httpUrl(),
            "--database",
            ch.database(),
            "--config-dir",
            server.configDir().toString());
    assertThat(err).containsAnyOf("not an IP address or CIDR range", "at least one network");
  }

  private static ClickHouse analyst(String tenant) {
    String[] g = granted.get(tenant);
    return ClickHouse.connect(ch.httpUrl(), g[1], g[2], g[0]);
  }

  private static String value(ClickHouse client, String sql) {
    return client.queryText(sql).strip();
  }

  /**
   * Runs {@code pulse analysts ARGS}, expects {@code exit}, returns stdout (or stderr if not 0).
   */
  private static String run(int exit, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Pulse.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    String[] full = new String[args.length + 1];
    full[0] = "analysts";
    System.arraycopy(args, 0, full, 1, args.length);
    int code = cli.execute(full);
    assertThat(code).as("exit code; out:%n%s%nerr:%n%s", out, err).isEqualTo(exit);
    return exit == 0 ? out.toString() : err.toString();
  }
}
