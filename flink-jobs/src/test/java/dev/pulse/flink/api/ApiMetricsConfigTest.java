package dev.pulse.flink.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pulse.flink.common.config.DedupStateLayout;
import dev.pulse.flink.common.config.JobConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

class ApiMetricsConfigTest {

  private static final Configuration NO_CLUSTER_SETTINGS = new Configuration();

  @Test
  void defaultsAreTheDocumentedSemantics() {
    ApiMetricsConfig c = ApiMetricsConfig.defaults();

    assertThat(c.semantics().stream().outOfOrderness()).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.semantics().stream().idleness()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.semantics().stream().allowedLateness()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.semantics().dedupHorizon())
        .as("derived: the minute window + allowed lateness + out-of-orderness")
        .isEqualTo(Duration.ofSeconds(92));
    assertThat(c.semantics().stream().dedupStateLayout()).isEqualTo(DedupStateLayout.BUCKET_TABLES);
    assertThat(c.semantics().latencyThresholdsUs()).containsExactly(100_000L, 300_000L, 1_000_000L);
    assertThat(c.checkpointInterval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.parallelism()).isZero();
    assertThat(c.kafka().bootstrapServers()).isEqualTo("localhost:9092");
    assertThat(c.kafka().groupId()).isEqualTo("pulse-api-metrics");
  }

  @Test
  void argumentsOverrideDefaults() {
    ApiMetricsConfig c =
        ApiMetricsConfig.fromArgs(
            NO_CLUSTER_SETTINGS,
            "--out-of-orderness",
            "500ms",
            "--allowed-lateness",
            "1min",
            "--dedup-horizon",
            "2h",
            "--dedup-state-layout",
            "ENTRY_PER_ID",
            "--latency-thresholds-us",
            "250000;500000",
            "--parallelism",
            "4",
            "--kafka.bootstrap-servers",
            "kafka-1:9092,kafka-2:9092",
            "--clickhouse.password",
            "");

    assertThat(c.semantics().stream().outOfOrderness()).isEqualTo(Duration.ofMillis(500));
    assertThat(c.semantics().stream().allowedLateness()).isEqualTo(Duration.ofMinutes(1));
    assertThat(c.semantics().dedupHorizon()).isEqualTo(Duration.ofHours(2));
    assertThat(c.semantics().stream().dedupStateLayout()).isEqualTo(DedupStateLayout.ENTRY_PER_ID);
    assertThat(c.semantics().latencyThresholdsUs()).containsExactly(250_000L, 500_000L);
    assertThat(c.parallelism()).isEqualTo(4);
    assertThat(c.kafka().bootstrapServers()).isEqualTo("kafka-1:9092,kafka-2:9092");
    assertThat(c.clickhouse().password()).isEmpty();
    assertThat(c.semantics().stream().idleness()).isEqualTo(Duration.ofSeconds(10)); // default
  }

  @Test
  void clusterSettingsApplyAndArgumentsWinOverThem() {
    // What flink run -Dkey=value and config.yaml put into the job's configuration.
    Configuration cluster = new Configuration();
    cluster.setString("dedup-horizon", "3h");
    cluster.setString("kafka.topic", "from-cluster");
    cluster.setString("execution.checkpointing.interval", "2s");

    ApiMetricsConfig c = ApiMetricsConfig.fromArgs(cluster, "--kafka.topic", "from-args");

    assertThat(c.semantics().dedupHorizon()).isEqualTo(Duration.ofHours(3));
    assertThat(c.kafka().topic()).isEqualTo("from-args");
    assertThat(c.checkpointInterval())
        .as("Flink's own checkpoint interval key is read too")
        .isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void zeroOutOfOrdernessAndZeroLatenessAreAllowed() {
    ApiMetricsConfig c =
        ApiMetricsConfig.fromMap(Map.of("out-of-orderness", "0s", "allowed-lateness", "0"));

    assertThat(c.semantics().stream().outOfOrderness()).isZero();
    assertThat(c.semantics().stream().allowedLateness()).isZero();
  }

  @Test
  void negativeDurationIsRejectedWithItsName() {
    assertThatThrownBy(() -> ApiMetricsConfig.fromMap(Map.of("allowed-lateness", "-5s")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--allowed-lateness")
        .hasMessageContaining("-5s");
  }

  @Test
  void unparsableDurationIsRejectedWithTheValueAndTheSettingsMeaning() {
    assertThatThrownBy(() -> ApiMetricsConfig.fromMap(Map.of("idleness", "ten seconds")))
        .hasMessageContaining("--idleness")
        .hasMessageContaining("ten seconds")
        .hasMessageContaining("stops holding event time back");
  }

  @Test
  void zeroDedupHorizonIsRejected() {
    assertThatThrownBy(() -> ApiMetricsConfig.fromMap(Map.of("dedup-horizon", "0s")))
        .hasMessageContaining("--dedup-horizon")
        .hasMessageContaining("must be positive");
  }

  @Test
  void aDedupHorizonShorterThanTheWindowPlusLatenessPlusOutOfOrdernessIsRejected() {
    // 1 min + 30 s + 2 s = 92 s: an id forgotten sooner could let a copy into an open window.
    assertThatThrownBy(() -> ApiMetricsConfig.fromMap(Map.of("dedup-horizon", "91s")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--dedup-horizon must be at least")
        .hasMessageContaining("allowed-lateness")
        .hasMessageContaining("PT1M32S");
    assertThat(ApiMetricsConfig.fromMap(Map.of("dedup-horizon", "92s")).semantics().dedupHorizon())
        .isEqualTo(Duration.ofSeconds(92));
    assertThat(
            ApiMetricsConfig.fromMap(Map.of("allowed-lateness", "5 min"))
                .semantics()
                .dedupHorizon())
        .as("the default follows the lateness")
        .isEqualTo(Duration.ofSeconds(60 + 300 + 2));
  }

  @Test
  void unparsableParallelismIsRejected() {
    assertThatThrownBy(() -> ApiMetricsConfig.fromArgs(NO_CLUSTER_SETTINGS, "--parallelism", "two"))
        .hasMessageContaining("--parallelism")
        .hasMessageContaining("two");
    assertThatThrownBy(() -> ApiMetricsConfig.fromMap(Map.of("parallelism", "-1")))
        .hasMessageContaining("--parallelism must be 0..32768");
  }

  @Test
  void emptyThresholdListIsRejected() {
    assertThatThrownBy(() -> ApiMetricsConfig.fromMap(Map.of("latency-thresholds-us", "")))
        .hasMessageContaining("--latency-thresholds-us");
  }

  @Test
  void thresholdsMustBePositiveNumbersInAscendingOrder() {
    assertThatThrownBy(
            () -> ApiMetricsConfig.fromMap(Map.of("latency-thresholds-us", "300000;100000")))
        .hasMessageContaining("strictly ascending");
    assertThatThrownBy(() -> ApiMetricsConfig.fromMap(Map.of("latency-thresholds-us", "100ms")))
        .hasMessageContaining("--latency-thresholds-us")
        .hasMessageContaining("100ms");
    assertThatThrownBy(() -> ApiMetricsConfig.fromMap(Map.of("latency-thresholds-us", "0")))
        .hasMessageContaining("positive");
  }

  @Test
  void unknownSettingIsRejectedSoATypoCannotFallBackToADefault() {
    assertThatThrownBy(
            () -> ApiMetricsConfig.fromArgs(NO_CLUSTER_SETTINGS, "--allowed-latenes", "10s"))
        .hasMessageContaining("unknown setting(s) [allowed-latenes]")
        .hasMessageContaining("allowed-lateness");
  }

  @Test
  void flagWithoutValueIsRejected() {
    assertThatThrownBy(
            () -> ApiMetricsConfig.fromArgs(NO_CLUSTER_SETTINGS, "--kafka.bootstrap-servers"))
        .hasMessageContaining("--kafka.bootstrap-servers")
        .hasMessageContaining("a value is required");
  }

  @Test
  void anArgumentThatIsNotASettingIsRejected() {
    assertThatThrownBy(() -> ApiMetricsConfig.fromArgs(NO_CLUSTER_SETTINGS, "dedup-horizon", "1h"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--key value");
  }

  @Test
  void toStringNeverShowsThePassword() {
    ApiMetricsConfig c = ApiMetricsConfig.fromMap(Map.of("clickhouse.password", "s3cret"));

    assertThat(c.clickhouse().password()).isEqualTo("s3cret");
    assertThat(c.toString()).doesNotContain("s3cret");
  }

  @Test
  void semanticsRejectAnEmptyThresholdList() {
    ApiMetricsConfig d = ApiMetricsConfig.defaults();
    assertThatThrownBy(() -> new ApiSemantics(d.semantics().stream(), List.of()))
        .hasMessageContaining("at least one threshold");
  }

  @Test
  void kafkaTopicsDefaultToTheContractAndTheDeadLetterTopicFollowsAGivenInputTopic() {
    ApiMetricsConfig d = ApiMetricsConfig.defaults();
    assertThat(d.kafka().topic()).isEqualTo("pulse.api.requests");
    assertThat(d.kafka().deadLetterTopic()).isEqualTo("pulse.api.requests.dlq");
    assertThat(d.kafka().bounded()).isFalse();

    ApiMetricsConfig renamed = ApiMetricsConfig.fromMap(Map.of("kafka.topic", "staging.api"));
    assertThat(renamed.kafka().topic()).isEqualTo("staging.api");
    assertThat(renamed.kafka().deadLetterTopic()).isEqualTo("staging.api.dlq");

    ApiMetricsConfig explicit =
        ApiMetricsConfig.fromArgs(
            NO_CLUSTER_SETTINGS, "--kafka.dead-letter-topic", "rejects", "--kafka.bounded", "TRUE");
    assertThat(explicit.kafka().deadLetterTopic()).isEqualTo("rejects");
    assertThat(explicit.kafka().bounded()).isTrue();
  }

  @Test
  void deadLettersToTheInputTopicAreRefusedBecauseTheyWouldLoopForever() {
    assertThatThrownBy(
            () ->
                ApiMetricsConfig.fromMap(
                    Map.of("kafka.topic", "in", "kafka.dead-letter-topic", "in")))
        .hasMessageContaining("--kafka.dead-letter-topic must differ from --kafka.topic");
  }

  @Test
  void boundedAcceptsOnlyTrueOrFalse() {
    assertThatThrownBy(() -> ApiMetricsConfig.fromMap(Map.of("kafka.bounded", "yes")))
        .hasMessageContaining("--kafka.bounded")
        .hasMessageContaining("yes");
  }

  @Test
  void clickHouseBatchingHasThroughputDefaultsAndBoundedOverrides() {
    ApiMetricsConfig d = ApiMetricsConfig.defaults();
    assertThat(d.clickhouse().rawBatchSize()).isEqualTo(100_000);
    assertThat(d.clickhouse().maxBatchDelay()).isEqualTo(Duration.ofSeconds(1));

    ApiMetricsConfig c =
        ApiMetricsConfig.fromMap(
            Map.of("clickhouse.raw-batch-size", "5000", "clickhouse.max-batch-delay", "200ms"));
    assertThat(c.clickhouse().rawBatchSize()).isEqualTo(5000);
    assertThat(c.clickhouse().maxBatchDelay()).isEqualTo(Duration.ofMillis(200));

    assertThatThrownBy(
            () -> ApiMetricsConfig.fromMap(Map.of("clickhouse.raw-batch-size", "2000000")))
        .hasMessageContaining("--clickhouse.raw-batch-size")
        .hasMessageContaining("1..1048576");
    assertThatThrownBy(() -> ApiMetricsConfig.fromMap(Map.of("clickhouse.max-batch-delay", "0s")))
        .hasMessageContaining("--clickhouse.max-batch-delay")
        .hasMessageContaining("positive");
  }

  /** The README's settings table is generated from the options; a stale one fails here. */
  @Test
  void readmeSettingsTableIsTheOneGeneratedFromTheOptions() throws Exception {
    String readme = Files.readString(Path.of("README.md"), StandardCharsets.UTF_8);
    String begin = "<!-- settings: generated from ApiMetricsConfig.OPTIONS -->\n";
    String end = "<!-- end of settings -->";
    assertThat(readme).contains(begin).contains(end);
    String table = readme.substring(readme.indexOf(begin) + begin.length(), readme.indexOf(end));
    assertThat(table)
        .as("paste this into flink-jobs/README.md")
        .isEqualTo(JobConfig.markdownTable(ApiMetricsConfig.OPTIONS));
  }
}
