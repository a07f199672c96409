package dev.pulse.flink.slo;

import dev.pulse.flink.common.config.ClickHouseSettings;
import dev.pulse.flink.common.config.KafkaSettings;
import dev.pulse.flink.slo.functions.SloEvaluationFunction;
import dev.pulse.flink.slo.records.AlertChange;
import dev.pulse.flink.slo.records.SliCount;
import dev.pulse.flink.slo.records.SloKey;
import dev.pulse.flink.slo.records.SloStatus;
import dev.pulse.flink.slo.sinks.SloSinks;
import dev.pulse.slo.Slo;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * The SLO evaluation a domain job adds over its own events (docs/slo.md): each event's {@link
 * SliCount}s in, per tenant and SLO a status per minute and the alert state changes out, and their
 * sinks (ClickHouse {@code slo_status} and {@code slo_alerts}, the Kafka alert topic).
 */
public final class SloEvaluation {

  private SloEvaluation() {}

  /** The evaluated streams of one job. */
  public record SloStreams(DataStream<SloStatus> status, DataStream<AlertChange> alerts) {}

  /**
   * Evaluates {@code slos} over {@code counts}; {@code domain} names the operators (uids {@code
   * <domain>-slo-evaluation}).
   */
  public static SloStreams evaluate(
      DataStream<SliCount> counts, List<Slo> slos, long allowedLatenessMs, String domain) {
    SingleOutputStreamOperator<SloStatus> status =
        counts
            .keyBy(SliCount::key, TypeInformation.of(SloKey.class))
            .process(
                new SloEvaluationFunction(slos, allowedLatenessMs),
                TypeInformation.of(SloStatus.class))
            .name(domain + "-slo-evaluation")
            .uid(domain + "-slo-evaluation");
    return new SloStreams(status, status.getSideOutput(SloEvaluationFunction.ALERT_CHANGES));
  }

  /** The production sinks of {@code streams}, uids prefixed with {@code domain}. */
  public static void sinks(
      SloStreams streams,
      ClickHouseSettings clickhouse,
      KafkaSettings kafka,
      String alertTopic,
      String domain) {
    streams
        .status()
        .sinkTo(SloSinks.status(clickhouse))
        .name(domain + "-slo-status-to-clickhouse")
        .uid(domain + "-slo-status-to-clickhouse");
    streams
        .alerts()
        .sinkTo(SloSinks.alerts(clickhouse))
        .name(domain + "-slo-alerts-to-clickhouse")
        .uid(domain + "-slo-alerts-to-clickhouse");
    streams
        .alerts()
        .sinkTo(SloSinks.alertsToKafka(kafka, alertTopic))
        .name(domain + "-slo-alerts-to-kafka")
        .uid(domain + "-slo-alerts-to-kafka");
  }
}
