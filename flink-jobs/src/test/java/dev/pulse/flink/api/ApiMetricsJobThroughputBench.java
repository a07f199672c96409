package dev.pulse.flink.api;

import dev.pulse.events.topics.Topics;
import dev.pulse.flink.testing.PartitionedRecordSource;
import dev.pulse.flink.testing.RawRecord;
import dev.pulse.simulator.Domain;
import dev.pulse.simulator.FaultConfig;
import dev.pulse.simulator.SimulatedRecord;
import dev.pulse.simulator.SimulationConfig;
import dev.pulse.simulator.Simulator;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;

/**
 * Throughput of the whole API metrics job ({@link ApiMetricsJob#build}: decode in the source,
 * split, dedup, minute window, late events) on a local MiniCluster of two slots, fed with the
 * simulator's API traffic (two partitions, a few duplicates and out-of-order events) as Avro
 * records, every output into a discarding sink: prints events/s and the process's CPU per event
 * (the steadier figure on a shared machine), asserts nothing. Not part of the suite (no {@code
 * Test} suffix): {@code mvn -q test -pl flink-jobs -Dtest=ApiMetricsJobThroughputBench
 * [-Dbench.events=N -Dbench.rounds=R]}, or its {@link #main}.
 */
class ApiMetricsJobThroughputBench {

  @Test
  void printsTheRate() throws Exception {
    main(new String[0]);
  }

  public static void main(String[] args) throws Exception {
    long events = Long.getLong("bench.events", 400_000);
    int rounds = Integer.getInteger("bench.rounds", 3);
    SimulationConfig sim =
        SimulationConfig.defaults()
            .withSeed(42)
            .withMaxEvents(events)
            .withDuration(null)
            .withFaults(new FaultConfig(0.01, 0.02, 0.0, 0.0))
            .withDomains(EnumSet.of(Domain.API))
            .withStart(Instant.parse("2026-03-02T09:00:00Z"))
            .withRates(60_000, 1);
    List<RawRecord> records = new ArrayList<>();
    long offset = 0;
    for (Iterator<SimulatedRecord> it = new Simulator(sim).records(); it.hasNext(); ) {
      SimulatedRecord r = it.next();
      if (r.topic().name().equals(Topics.API_REQUESTS.name())) {
        int partition =
            Utils.toPositive(Utils.murmur2(r.key().getBytes(StandardCharsets.UTF_8))) % 2;
        records.add(
            new RawRecord(
                r.topic().name(),
                partition,
                offset++,
                r.eventTime().toEpochMilli(),
                null,
                r.value()));
      }
    }
    Clock validation = Clock.fixed(Instant.parse("2026-03-03T00:00:00Z"), ZoneOffset.UTC);
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    for (int round = 0; round <= rounds; round++) {
      StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(2);
      ApiMetricsConfig config = ApiMetricsConfig.defaults();
      ApiMetricsStreams out =
          ApiMetricsJob.build(
              env.fromSource(
                  new PartitionedRecordSource<>(
                      records,
                      ApiMetricsJob.deserializer(
                          validation, config.semantics().stream().maxFuture())),
                  ApiMetricsJob.watermarks(config.semantics().stream()),
                  "api-request-records",
                  ApiMetricsJob.DECODED_TYPE),
              config.semantics());
      out.rawEvents().sinkTo(new DiscardingSink<>());
      out.minuteFacts().sinkTo(new DiscardingSink<>());
      out.deadLetters().sinkTo(new DiscardingSink<>());
      out.lateEvents().sinkTo(new DiscardingSink<>());
      long cpuStart = os.getProcessCpuTime();
      long start = System.nanoTime();
      env.execute("api-metrics-bench");
      long wallNs = System.nanoTime() - start;
      long cpuNs = os.getProcessCpuTime() - cpuStart;
      System.out.printf(
          "[throughput] api-metrics job %s: %,d records in %,d ms: %,.0f records/s, %.2f us"
              + " process CPU/record%n",
          round == 0 ? "(warm-up)" : "round " + round,
          records.size(),
          wallNs / 1_000_000,
          records.size() / (wallNs / 1e9),
          cpuNs / 1e3 / records.size());
    }
  }
}
