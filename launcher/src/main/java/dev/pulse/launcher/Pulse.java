package dev.pulse.launcher;

import dev.pulse.simulator.SimulateCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code pulse} command line: one entry point for every piece of Pulse a user runs.
 *
 * <p>The {@code ./pulse} script at the repository root builds this module and calls it; it handles
 * {@code ./pulse test} itself, because running the test suite must not need a build first.
 */
@Command(
    name = "pulse",
    mixinStandardHelpOptions = true,
    versionProvider = Pulse.Version.class,
    description = "Streaming analytics for an online-learning platform's telemetry.",
    subcommands = {
      DemoCommand.class,
      SimulateCommand.class,
      MigrateCommand.class,
      AnalystsCommand.class,
      ReconcileCommand.class,
      RollbackCommand.class,
      SloCommand.class,
      dev.pulse.bench.BenchCommand.class
    },
    footer = {
      "",
      "Also: ./pulse test   install the test prerequisites and run the whole test suite.",
      "Run 'pulse COMMAND --help' for a command's options."
    })
public final class Pulse implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    // No subcommand given: show what there is rather than doing something surprising.
    spec.commandLine().usage(spec.commandLine().getErr());
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing command.");
  }

  /** Builds the command tree; tests use it to run commands in-process. */
  public static CommandLine commandLine() {
    return new CommandLine(new Pulse())
        .setCaseInsensitiveEnumValuesAllowed(true)
        .setExecutionExceptionHandler(Pulse::reportFailure);
  }

  /**
   * A command that fails at run time (server unreachable, migration refused) says why in one line;
   * the stack trace is for {@code PULSE_DEBUG=1}.
   */
  private static int reportFailure(
      Exception e, CommandLine command, CommandLine.ParseResult parseResult) {
    if (System.getenv("PULSE_DEBUG") != null) {
      e.printStackTrace(command.getErr());
    }
    StringBuilder message = new StringBuilder(String.valueOf(e.getMessage()));
    for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
      message.append(": ").append(cause.getMessage());
    }
    command.getErr().println("pulse " + command.getCommandName() + ": " + message);
    return 1;
  }

  public static void main(String[] args) {
    // The launcher's log4j2.xml, never a log4j2-test.xml that a test classpath carries; and
    // java.util.logging (Tomcat) through log4j too. Both must be set before
    // the first logger exists; a user's own -D settings win.
    System.getProperties().putIfAbsent("log4j2.configurationFile", "log4j2.xml");
    System.getProperties()
        .putIfAbsent("java.util.logging.manager", "org.apache.logging.log4j.jul.LogManager");
    System.exit(commandLine().execute(args));
  }

  /** Reports the version Maven stamped into the jar manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = Pulse.class.getPackage().getImplementationVersion();
      return new String[] {"pulse " + (version == null ? "development build" : version)};
    }
  }
}
