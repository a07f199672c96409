package dev.pulse.launcher;

import dev.pulse.slo.Slo;
import dev.pulse.slo.SloFiles;
import dev.pulse.slo.SloProblem;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code pulse slo}: SLOs as code (docs/slo.md). */
@Command(
    name = "slo",
    mixinStandardHelpOptions = true,
    description = "SLOs as code: OpenSLO v1 files, the subset docs/slo.md describes.",
    subcommands = {SloCommand.Validate.class})
public final class SloCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  /** Without a subcommand: the usage, as a bad argument (exit status 2). */
  @Override
  public Integer call() {
    spec.commandLine().getErr().println("Missing subcommand: validate");
    spec.commandLine().usage(spec.commandLine().getErr());
    return 2;
  }

  /** {@code pulse slo validate FILE...}: checks SLO files offline. */
  @Command(
      name = "validate",
      mixinStandardHelpOptions = true,
      description = {
        "Check SLO files (OpenSLO v1 YAML) together, offline: every document of every file, and",
        "the references between them (an SLO's service, indicator and alert policies). Prints each",
        "problem as FILE:LINE:COLUMN: what is wrong, or the SLOs the files define.",
        "Exit status: 0 when the files are valid, 1 when they are not, 2 on bad arguments."
      })
  static final class Validate implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Parameters(
        paramLabel = "FILE",
        arity = "1..*",
        description =
            "SLO files; give every file an SLO refers to (its Service, SLI, AlertPolicy).")
    List<Path> files;

    @Override
    public Integer call() {
      SloFiles.Loaded loaded = SloFiles.load(files);
      if (!loaded.ok()) {
        PrintWriter err = spec.commandLine().getErr();
        for (SloProblem p : loaded.problems()) {
          err.println(p);
        }
        err.printf(
            "%d problem%s in %d file%s%n",
            loaded.problems().size(),
            loaded.problems().size() == 1 ? "" : "s",
            files.size(),
            files.size() == 1 ? "" : "s");
        return 1;
      }
      PrintWriter out = spec.commandLine().getOut();
      List<Slo> slos = loaded.catalog().slos();
      out.printf(
          "%d file%s valid: %d service%s, %d SLO%s%n",
          files.size(),
          files.size() == 1 ? "" : "s",
          loaded.catalog().services().size(),
          loaded.catalog().services().size() == 1 ? "" : "s",
          slos.size(),
          slos.size() == 1 ? "" : "s");
      for (Slo s : slos) {
        out.printf(
            "  %-28s %-14s %s of %s %s %s, %s, %s%n",
            s.name(),
            s.service(),
            percent(s.target()),
            s.indicator().events().id(),
            s.indicator().selection().isEmpty() ? "(all)" : s.indicator().selection(),
            s.indicator().good().describe(),
            s.window().isCalendarMonth()
                ? "calendar month"
                : s.window().rolling().toDays() + "-day rolling window",
            s.method().openSlo());
      }
      return 0;
    }

    private static String percent(double target) {
      return new java.math.BigDecimal(Double.toString(target * 100))
              .stripTrailingZeros()
              .toPlainString()
          + " %";
    }
  }
}
