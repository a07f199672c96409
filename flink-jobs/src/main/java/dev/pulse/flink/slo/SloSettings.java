package dev.pulse.flink.slo;

import dev.pulse.flink.common.config.JobConfig;
import dev.pulse.flink.slo.sinks.SloSinks;
import dev.pulse.slo.Slo;
import dev.pulse.slo.SloFiles;
import dev.pulse.slo.SloProblem;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.ReadableConfig;

/**
 * The SLOs a job evaluates (docs/slo.md): loaded from SLO files, and the example SLOs when asked,
 * when the job is built; a bad file stops the start with one line per problem.
 *
 * @param slos every SLO defined (each job evaluates those over its own events)
 * @param alertTopic the Kafka topic of alert state changes
 */
public record SloSettings(List<Slo> slos, String alertTopic) implements Serializable {

  public static final ConfigOption<List<String>> FILES =
      ConfigOptions.key("slo.files")
          .stringType()
          .asList()
          .defaultValues()
          .withDescription(
              "SLO files (OpenSLO v1 YAML, docs/slo.md), separated by ';': every SLO they define is"
                  + " evaluated per tenant. A file with a problem stops the start, each problem as"
                  + " FILE:LINE:COLUMN.");

  public static final ConfigOption<Boolean> EXAMPLES =
      ConfigOptions.key("slo.examples")
          .booleanType()
          .defaultValue(false)
          .withDescription("Also evaluate the example SLOs of the simulated services (slos/).");

  public static final ConfigOption<String> ALERT_TOPIC =
      ConfigOptions.key("slo.alert-topic")
          .stringType()
          .defaultValue(SloSinks.ALERT_TOPIC)
          .withDescription("The Kafka topic alert state changes are written to (JSON).");

  public static final List<ConfigOption<?>> OPTIONS = List.of(FILES, EXAMPLES, ALERT_TOPIC);

  public SloSettings {
    slos = List.copyOf(slos);
    if (alertTopic == null || alertTopic.isBlank()) {
      throw new IllegalArgumentException("--" + ALERT_TOPIC.key() + " must not be empty");
    }
  }

  /** No SLOs. */
  public static SloSettings none() {
    return new SloSettings(List.of(), SloSinks.ALERT_TOPIC);
  }

  /** The SLOs {@code config} names, loaded and validated. */
  public static SloSettings from(ReadableConfig config) {
    List<Path> files =
        JobConfig.get(config, FILES).stream().filter(f -> !f.isBlank()).map(Path::of).toList();
    boolean examples = JobConfig.get(config, EXAMPLES);
    List<Slo> slos = new ArrayList<>();
    if (!files.isEmpty()) {
      slos.addAll(loaded(SloFiles.load(files), "--" + FILES.key()));
    }
    if (examples) {
      slos.addAll(loaded(SloFiles.examples(), "the example SLOs"));
    }
    return new SloSettings(slos, JobConfig.get(config, ALERT_TOPIC));
  }

  private static List<Slo> loaded(SloFiles.Loaded loaded, String what) {
    if (!loaded.problems().isEmpty()) {
      throw new IllegalArgumentException(
          what
              + ": "
              + loaded.problems().size()
              + " problem(s):\n"
              + loaded.problems().stream()
                  .map(SloProblem::toString)
                  .collect(Collectors.joining("\n")));
    }
    return loaded.catalog().slos();
  }

  @Override
  public String toString() {
    return "SloSettings[slos="
        + slos.stream().map(Slo::name).toList()
        + ", alertTopic="
        + alertTopic
        + "]";
  }
}
