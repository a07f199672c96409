package dev.pulse.flink.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ApiMetricsConfigTest {

  @Test
  void defaultsAreTheDocumentedSemantics() {
    ApiMetricsConfig c = ApiMetricsConfig.defaults();

    assertThat(c.outOfOrderness()).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.idleness()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.allowedLateness()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.dedupTtl()).isEqualTo(Duration.ofHours(1));
    assertThat(c.latencyThresholdsUs()).containsExactly(100_000L, 300_000L, 1_000_000L);
    assertThat(c.checkpointInterval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.parallelism()).isZero();
    assertThat(c.kafkaBootstrapServers()).isEqualTo("localhost:9092");
  }

  @Test
  void argumentsInBothSpellingsOverrideDefaults() {
    ApiMetricsConfig c =
        ApiMetricsConfig.fromArgs(
            "--out-of-orderness",
            "500ms",
            "--allowed-lateness=1min",
            "--dedup-ttl",
            "2h",
            "--latency-thresholds-us",
            "250000, 500000",
            "--parallelism",
            "4",
            "--kafka.bootstrap-servers",
            "kafka-1:9092,kafka-2:9092",
            "--clickhouse.password=");

    assertThat(c.outOfOrderness()).isEqualTo(Duration.ofMillis(500));
    assertThat(c.allowedLateness()).isEqualTo(Duration.ofMinutes(1));
    assertThat(c.dedupTtl()).isEqualTo(Duration.ofHours(2));
    assertThat(c.latencyThresholdsUs()).containsExactly(250_000L, 500_000L);
    assertThat(c.parallelism()).isEqualTo(4);
    assertThat(c.kafkaBootstrapServers()).isEqualTo("kafka-1:9092,kafka-2:9092");
    assertThat(c.clickhousePassword()).isEmpty();
    assertThat(c.idleness()).isEqualTo(Duration.ofSeconds(10)); // untouched default
  }

  @Test
  void zeroOutOfOrdernessAndZeroLatenessAreAllowed() {
    ApiMetricsConfig c =
        ApiMetricsConfig.fromMap(Map.of("out-of-orderness", "0s", "allowed-lateness", "0"));

    assertThat(c.outOfOrderness()).isZero();
    assertThat(c.allowedLateness()).isZero();
  }

  @Test
  void negativeDurationIsRejectedWithItsName() {
    assertThatThrownBy(() -> ApiMetricsConfig.fromArgs("--allowed-lateness", "-5s"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--allowed-lateness")
        .hasMessageContaining("negative");
  }

  @Test
  void unparsableDurationIsRejectedWithExamples() {
    assertThatThrownBy(() -> ApiMetricsConfig.fromMap(Map.of("idleness", "ten seconds")))
        .hasMessageContaining("--idleness 'ten seconds'")
        .hasMessageContaining("not a duration");
  }

  @Test
  void zeroDedupTtlIsRejected() {
    assertThatThrownBy(() -> ApiMetricsConfig.fromMap(Map.of("dedup-ttl", "0s")))
        .hasMessageContaining("--dedup-ttl")
        .hasMessageContaining("must be positive");
  }

  @Test
  void unparsableParallelismIsRejected() {
    assertThatThrownBy(() -> ApiMetricsConfig.fromArgs("--parallelism", "two"))
        .hasMessageContaining("--parallelism 'two'")
        .hasMessageContaining("not a whole number");
  }

  @Test
  void emptyThresholdListIsRejected() {
    assertThatThrownBy(() -> ApiMetricsConfig.fromMap(Map.of("latency-thresholds-us", "")))
        .hasMessageContaining("--latency-thresholds-us")
        .hasMessageContaining("empty item");
  }

  @Test
  void thresholdsMustBePositiveNumbersInAscendingOrder() {
    assertThatThrownBy(
            () -> ApiMetricsConfig.fromMap(Map.of("latency-thresholds-us", "300000,100000")))
        .hasMessageContaining("strictly ascending");
    assertThatThrownBy(() -> ApiMetricsConfig.fromMap(Map.of("latency-thresholds-us", "100ms")))
        .hasMessageContaining("'100ms' is not a whole number");
    assertThatThrownBy(() -> ApiMetricsConfig.fromMap(Map.of("latency-thresholds-us", "0")))
        .hasMessageContaining("'0' is not positive");
  }

  @Test
  void unknownSettingIsRejectedSoATypoCannotFallBackToADefault() {
    assertThatThrownBy(() -> ApiMetricsConfig.fromArgs("--allowed-latenes", "10s"))
        .hasMessageContaining("unknown setting(s) [allowed-latenes]")
        .hasMessageContaining("allowed-lateness");
  }

  @Test
  void flagWithoutValueIsRejected() {
    assertThatThrownBy(() -> ApiMetricsConfig.fromArgs("--kafka.bootstrap-servers"))
        .hasMessageContaining("--kafka.bootstrap-servers")
        .hasMessageContaining("a value is required");
  }

  @Test
  void toStringNeverShowsThePassword() {
    ApiMetricsConfig c = ApiMetricsConfig.fromMap(Map.of("clickhouse.password", "s3cret"));

    assertThat(c.clickhousePassword()).isEqualTo("s3cret");
    assertThat(c.toString()).doesNotContain("s3cret");
  }

  @Test
  void constructorRejectsAnEmptyThresholdList() {
    ApiMetricsConfig d = ApiMetricsConfig.defaults();
    assertThatThrownBy(
            () ->
                new ApiMetricsConfig(
                    d.outOfOrderness(),
                    d.idleness(),
                    d.allowedLateness(),
                    d.dedupTtl(),
                    List.of(),
                    d.checkpointInterval(),
                    0,
                    "k",
                    "g",
                    "t",
                    "t.dlq",
                    false,
                    "u",
                    "db",
                    "u",
                    "",
                    1000,
                    Duration.ofSeconds(1)))
        .hasMessageContaining("at least one threshold");
  }

  @Test
  void kafkaTopicsDefaultToTheContractAndTheDeadLetterTopicFollowsAGivenInputTopic() {
    ApiMetricsConfig d = ApiMetricsConfig.defaults();
    assertThat(d.kafkaTopic()).isEqualTo("pulse.api.requests");
    assertThat(d.kafkaDeadLetterTopic()).isEqualTo("pulse.api.requests.dlq");
    assertThat(d.kafkaBounded()).isFalse();

    ApiMetricsConfig renamed = ApiMetricsConfig.fromMap(Map.of("kafka.topic", "staging.api"));
    assertThat(renamed.kafkaTopic()).isEqualTo("staging.api");
    assertThat(renamed.kafkaDeadLetterTopic()).isEqualTo("staging.api.dlq");

    ApiMetricsConfig explicit =
        ApiMetricsConfig.fromArgs(
            "--kafka.dead-letter-topic", "rejects", "--kafka.bounded", "TRUE");
    assertThat(explicit.kafkaDeadLetterTopic()).isEqualTo("rejects");
    assertThat(explicit.kafkaBounded()).isTrue();
  }

  @Test
  void deadLettersToTheInputTopicAreRefusedBecauseTheyWouldLoopForever() {
    assertThatThrownBy(
            () ->
                ApiMetricsConfig.fromMap(
                    Map.of("kafka.topic", "in", "kafka.dead-letter-topic", "in")))
        .hasMessageContaining("kafka.dead-letter-topic must differ from kafka.topic");
  }

  @Test
  void boundedAcceptsOnlyTrueOrFalse() {
    assertThatThrownBy(() -> ApiMetricsConfig.fromMap(Map.of("kafka.bounded", "yes")))
        .hasMessageContaining("--kafka.bounded 'yes'")
        .hasMessageContaining("true or false");
  }

  @Test
  void clickHouseBatchingHasThroughputDefaultsAndBoundedOverrides() {
    ApiMetricsConfig d = ApiMetricsConfig.defaults();
    assertThat(d.clickhouseRawBatchSize()).isEqualTo(100_000);
    assertThat(d.clickhouseMaxBatchDelay()).isEqualTo(Duration.ofSeconds(1));

    ApiMetricsConfig c =
        ApiMetricsConfig.fromMap(
            Map.of("clickhouse.raw-batch-size", "5000", "clickhouse.max-batch-delay", "200ms"));
    assertThat(c.clickhouseRawBatchSize()).isEqualTo(5000);
    assertThat(c.clickhouseMaxBatchDelay()).isEqualTo(Duration.ofMillis(200));

    assertThatThrownBy(
            () -> ApiMetricsConfig.fromMap(Map.of("clickhouse.raw-batch-size", "2000000")))
        .hasMessageContaining("--clickhouse.raw-batch-size '2000000'")
        .hasMessageContaining("1..1048576");
    assertThatThrownBy(() -> ApiMetricsConfig.fromMap(Map.of("clickhouse.max-batch-delay", "0s")))
        .hasMessageContaining("--clickhouse.max-batch-delay")
        .hasMessageContaining("positive");
  }
}
