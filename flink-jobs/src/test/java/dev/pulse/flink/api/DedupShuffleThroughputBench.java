package dev.pulse.flink.api;

import dev.pulse.events.ApiRequestEvent;
import dev.pulse.flink.api.records.ApiRequest;
import dev.pulse.flink.common.BucketedDeduplicateFunction;
import dev.pulse.flink.common.DedupKey;
import dev.pulse.flink.common.SeenIds;
import dev.pulse.flink.common.config.DedupStateLayout;
import dev.pulse.simulator.Domain;
import dev.pulse.simulator.FaultConfig;
import dev.pulse.simulator.SimulatedRecord;
import dev.pulse.simulator.SimulationConfig;
import dev.pulse.simulator.Simulator;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.Test;

/**
 * Throughput of the API job's path from the decoded event to the dedup, in one thread, with what
 * the job does on it: the request made from the event ({@link ApiRequest#of}), the keyBy's key
 * selector at the sender (and the channel it picks), the request serialized for the shuffle and
 * deserialized at the receiver, the key selector again there (Flink's harness sets the key context
 * with it), and {@link BucketedDeduplicateFunction} (heap, bucket tables). The simulator's API
 * events in event-time order, a watermark every 1,000 events. Two contenders take turns: "carried",
 * the job's way (the key made once in {@code of}, carried across the shuffle by {@link
 * ApiRequest#KEYED_TYPE}); "recomputed", the previous version's (no key in the record, {@link
 * ApiRequest#TYPE} on the shuffle, the key computed by each selector and the dedup). Prints
 * events/s and CPU per event, asserts nothing. Not part of the suite: {@code mvn -q test -pl
 * flink-jobs -Dtest=DedupShuffleThroughputBench [-Dbench.events=N -Dbench.rounds=R]}, or {@link
 * #main}.
 */
class DedupShuffleThroughputBench {

  static final OutputTag<ApiRequest> BEYOND =
      new OutputTag<>("beyond-dedup-horizon", ApiRequest.TYPE);

  @Test
  void printsTheRate() throws Exception {
    main(new String[0]);
  }

  record Contender(
      String label, Function<ApiRequestEvent, ApiRequest> of, TypeSerializer<ApiRequest> wire) {}

  public static void main(String[] args) throws Exception {
    long events = Long.getLong("bench.events", 1_000_000);
    int rounds = Integer.getInteger("bench.rounds", 5);
    SimulationConfig sim =
        SimulationConfig.defaults()
            .withSeed(42)
            .withMaxEvents(events)
            .withDuration(null)
            .withFaults(new FaultConfig(0.01, 0.0, 0.0, 0.0))
            .withDomains(EnumSet.of(Domain.API))
            .withStart(Instant.parse("2026-03-02T09:00:00Z"))
            .withRates(60_000, 1);
    List<ApiRequestEvent> in = new ArrayList<>();
    for (Iterator<SimulatedRecord> it = new Simulator(sim).records(); it.hasNext(); ) {
      SimulatedRecord r = it.next();
      if (r.isValid() && r.event() instanceof ApiRequestEvent e) {
        in.add(e);
      }
    }
    List<Contender> contenders =
        List.of(
            new Contender("carried", ApiRequest::of, ApiRequest.KeyedSerializer.INSTANCE),
            new Contender(
                "recomputed",
                DedupShuffleThroughputBench::withoutKey,
                ApiRequest.Serializer.INSTANCE));
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    for (int round = 0; round <= rounds; round++) {
      for (Contender c : contenders) {
        KeySelector<ApiRequest, Integer> selector = r -> SeenIds.bucketOf(r.dedupKey());
        var h =
            new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(
                    new BucketedDeduplicateFunction<>(
                        Duration.ofMinutes(15),
                        DedupStateLayout.BUCKET_TABLES,
                        ApiRequest::dedupKey,
                        BEYOND,
                        0)),
                selector,
                Types.INT);
        h.open();
        DataOutputSerializer out = new DataOutputSerializer(1024);
        DataInputDeserializer back = new DataInputDeserializer();
        long channels = 0;
        long passed = 0;
        long wallStart = System.nanoTime();
        long cpuStart = cpu.getCurrentThreadCpuTime();
        long watermark = Long.MIN_VALUE;
        int n = 0;
        for (ApiRequestEvent e : in) {
          ApiRequest request = c.of().apply(e);
          long t = request.eventTime().toEpochMilli();
          channels +=
              KeyGroupRangeAssignment.assignKeyToParallelOperator(selector.getKey(request), 128, 2);
          out.clear();
          c.wire().serialize(request, out);
          back.setBuffer(out.getSharedBuffer(), 0, out.length());
          h.processElement(new StreamRecord<>(c.wire().deserialize(back), t));
          watermark = Math.max(watermark, t - 5_000);
          if (++n % 1_000 == 0) {
            h.processWatermark(new Watermark(watermark));
            passed += h.getOutput().size();
            h.getOutput().clear();
          }
        }
        passed += h.getOutput().size();
        long wallNs = System.nanoTime() - wallStart;
        long cpuNs = cpu.getCurrentThreadCpuTime() - cpuStart;
        h.close();
        System.out.printf(
            Locale.ROOT,
            "[throughput] split-to-dedup %s %s: %,d events in %,d ms: %,.0f events/s, %.3f us"
                + " CPU/event (outputs %,d, channel sum %d)%n",
            c.label(),
            round == 0 ? "warm-up" : "round " + round,
            in.size(),
            wallNs / 1_000_000,
            in.size() * 1e9 / wallNs,
            cpuNs / 1e3 / in.size(),
            passed,
            channels);
      }
    }
  }

  /** The previous version's {@code ApiRequest.of}: the same request, carrying no dedup key. */
  private static ApiRequest withoutKey(ApiRequestEvent e) {
    return new ApiRequest(
        DedupKey.canonicalEventId(e.getEventId()),
        e.getTenantId(),
        e.getEventTime(),
        e.getService(),
        e.getEndpoint(),
        e.getMethod().name(),
        e.getStatusCode(),
        e.getLatencyUs(),
        e.getRegion(),
        e.getTraceId());
  }
}
