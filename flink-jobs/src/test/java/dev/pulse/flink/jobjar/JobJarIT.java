package dev.pulse.flink.jobjar;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The job jar the package phase builds for {@code flink run}: it must carry the job and what a
 * Flink cluster lacks (our modules, the Kafka connector, kafka-clients, client-v2, Avro), must not
 * carry Flink's own runtime (two copies of Flink classes break a cluster's class loading), and its
 * main class must start against Flink's jars alone.
 */
@Timeout(60)
class JobJarIT {

  private static Path jar;
  private static Set<String> entries;

  @BeforeAll
  static void openTheJobJar() throws IOException {
    String path = System.getProperty("pulse.jobJar");
    assertThat(path)
        .as(
            "system property pulse.jobJar (set by the failsafe configuration in flink-jobs/pom.xml)")
        .isNotBlank();
    jar = Path.of(path);
    assertThat(jar).as("the job jar; run `mvn -pl flink-jobs package` first").exists();
    try (JarFile j = new JarFile(jar.toFile())) {
      entries = j.stream().map(e -> e.getName()).collect(Collectors.toSet());
      assertThat(j.getManifest().getMainAttributes().getValue("Main-Class"))
          .isEqualTo("dev.pulse.flink.api.ApiMetricsJob");
    }
  }

  @Test
  void carriesTheJobOurModulesAndWhatAClusterDoesNotProvide() {
    assertThat(entries)
        .contains(
            "dev/pulse/flink/api/ApiMetricsJob.class",
            "dev/pulse/flink/sink/ClickHouseSink.class",
            "dev/pulse/events/ApiRequestEvent.class",
            "dev/pulse/clickhouse/metrics/LatencyBuckets.class",
            "org/apache/flink/connector/kafka/source/KafkaSource.class",
            "org/apache/flink/connector/kafka/sink/KafkaSink.class",
            "org/apache/flink/connector/base/source/reader/RecordEmitter.class",
            "org/apache/kafka/clients/consumer/KafkaConsumer.class",
            "com/clickhouse/client/api/Client.class",
            "org/apache/avro/Schema.class",
            "com/datadoghq/sketch/ddsketch/mapping/LogarithmicMapping.class");
  }

  @Test
  void leavesOutFlinksOwnRuntimeAndLogging() {
    List<String> forbidden =
        List.of(
            "org/apache/flink/runtime/",
            "org/apache/flink/streaming/api/",
            "org/apache/flink/api/common/",
            "org/apache/flink/client/",
            "org/apache/flink/configuration/",
            "org/apache/flink/shaded/",
            "com/esotericsoftware/kryo/",
            "org/slf4j/",
            "org/apache/logging/log4j/");
    List<String> found =
        entries.stream()
            .filter(e -> e.endsWith(".class") && forbidden.stream().anyMatch(e::startsWith))
            .sorted()
            .limit(10)
            .toList();
    assertThat(found).as("Flink or logging classes in the job jar").isEmpty();
  }

  @Test
  void mainClassStartsAgainstFlinksJarsAloneAndRejectsABadSettingWithExitCode2() throws Exception {
    // A cluster's lib/: Flink's jars (without the connectors, which the job jar must bring) and
    // logging.
    List<String> clusterLib =
        Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
            .filter(
                p ->
                    (p.contains("/org/apache/flink/")
                            && !p.contains("flink-connector-kafka")
                            && !p.contains("flink-connector-base")
                            && !p.contains("flink-test-utils"))
                        || p.contains("/org/slf4j/")
                        // flink-dist's own: Flink reads its configuration (YAML) with it.
                        || p.contains("/org/snakeyaml/")
                        || p.contains("/org/apache/logging/log4j/"))
            .toList();
    List<String> classpath = new ArrayList<>();
    classpath.add(jar.toString());
    classpath.addAll(clusterLib);
    Path stderr = Files.createTempFile("job-jar", ".err");
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                String.join(File.pathSeparator, classpath),
                "dev.pulse.flink.api.ApiMetricsJob",
                // Valid enough to reach the topic contracts (event-schemas, Avro) and Flink's
                // duration parser.
                "--checkpoint-interval",
                "5s",
                "--kafka.topic",
                "in",
                "--kafka.dead-letter-topic",
                "in")
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(stderr.toFile())
            .start();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("the job's main returned").isTrue();
    String err = Files.readString(stderr, StandardCharsets.UTF_8);
    Files.deleteIfExists(stderr);

    assertThat(err)
        .contains("pulse-api-metrics: --kafka.dead-letter-topic must differ from --kafka.topic");
    assertThat(err).doesNotContain("NoClassDefFoundError", "ClassNotFoundException");
    assertThat(p.exitValue()).isEqualTo(2);
  }
}
