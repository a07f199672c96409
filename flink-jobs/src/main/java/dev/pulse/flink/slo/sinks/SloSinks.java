package dev.pulse.flink.slo.sinks;

import dev.pulse.events.topics.TopicCreation;
import dev.pulse.flink.common.config.ClickHouseSettings;
import dev.pulse.flink.common.config.KafkaSettings;
import dev.pulse.flink.sink.ClickHouseSink;
import dev.pulse.flink.sink.RowOut;
import dev.pulse.flink.slo.records.AlertChange;
import dev.pulse.flink.slo.records.SloStatus;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.kafka.common.config.TopicConfig;

/**
 * Where SLO evaluations go: each minute's status to {@code slo_status} (at least once; the table
 * keeps one row per tenant, SLO and minute), alert state changes to {@code slo_alerts} after the
 * checkpoint that holds them (one row per change: a restore neither repeats nor loses one), and to
 * the alert topic at least once (docs/slo.md).
 */
public final class SloSinks {

  public static final String STATUS_TABLE = "slo_status";
  public static final String ALERTS_TABLE = "slo_alerts";

  /** The Kafka topic of alert state changes, JSON ({@link AlertChangeSerialization}). */
  public static final String ALERT_TOPIC = "pulse.slo.alerts";

  private SloSinks() {}

  /**
   * How the alert topic is created: 1 partition (a few changes a day, in one order), kept 90 days
   * (a quarter of alert history for whoever reads it besides ClickHouse).
   */
  public static Map<String, TopicCreation> alertTopic(String topic) {
    return Map.of(
        topic,
        TopicCreation.of(1)
            .with(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE)
            .with(TopicConfig.RETENTION_MS_CONFIG, Long.toString(Duration.ofDays(90).toMillis())));
  }

  public static ClickHouseSink<SloStatus> status(ClickHouseSettings clickhouse) {
    return clickhouse
        .<SloStatus>sinkTo(STATUS_TABLE)
        .encoder(SloSinks::statusRow)
        .atLeastOnce()
        .batchSize(10_000)
        .maxBatchDelay(clickhouse.maxBatchDelay())
        .build();
  }

  public static ClickHouseSink<AlertChange> alerts(ClickHouseSettings clickhouse) {
    return clickhouse
        .<AlertChange>sinkTo(ALERTS_TABLE)
        .encoder(SloSinks::alertRow)
        .afterCheckpoint()
        .batchSize(10_000)
        .build();
  }

  /**
   * At least once, for now: the Kafka connector's transactional producer (5.0.0-2.2, built against
   * kafka-clients 4.2.0) fails with kafka-clients 4.3.1 (NoSuchMethodError on
   * TransactionalRequestResult.await()). A change a failed attempt wrote may be written again after
   * the restore; each record's key and its {@code at} and {@code state} identify it.
   */
  public static KafkaSink<AlertChange> alertsToKafka(KafkaSettings kafka, String topic) {
    return KafkaSink.<AlertChange>builder()
        .setBootstrapServers(kafka.bootstrapServers())
        .setRecordSerializer(new AlertChangeSerialization(topic))
        .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
        .build();
  }

  private static void statusRow(SloStatus s, RowOut out) {
    out.string("tenant_id", s.tenantId())
        .string("slo", s.slo())
        .string("service", s.service())
        .dateTime("minute", s.minuteMs() / 1000)
        .uint64("good", Math.max(0, s.good()))
        .uint64("total", Math.max(0, s.total()))
        .float64("objective", s.objective())
        .dateTime("window_start", s.windowStartMs() / 1000)
        .uint64("eligible", s.eligible())
        .uint64("bad", s.bad())
        .float64("remaining", s.remaining());
    double[] burn = s.burnRates();
    out.float64("burn_5m", burn[0])
        .float64("burn_30m", burn[1])
        .float64("burn_1h", burn[2])
        .float64("burn_2h", burn[3])
        .float64("burn_6h", burn[4])
        .float64("burn_1d", burn[5])
        .float64("burn_3d", burn[6]);
  }

  private static void alertRow(AlertChange a, RowOut out) {
    out.string("tenant_id", a.tenantId())
        .string("slo", a.slo())
        .string("service", a.service())
        .string("alert_row", a.row())
        .string("severity", a.severity())
        .string("state", a.state())
        .dateTime("at", a.atMs() / 1000)
        .dateTime("since", a.sinceMs() / 1000)
        .float64("threshold", a.threshold())
        .uint32("long_window_minutes", a.longWindowMinutes())
        .uint32("short_window_minutes", a.shortWindowMinutes())
        .float64("burn_long", a.burnLong())
        .float64("burn_short", a.burnShort())
        .float64("objective", a.objective());
  }
}
