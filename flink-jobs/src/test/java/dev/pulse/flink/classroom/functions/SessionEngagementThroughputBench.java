package dev.pulse.flink.classroom.functions;

import dev.pulse.events.ClassroomEvent;
import dev.pulse.flink.classroom.records.ClassroomActivity;
import dev.pulse.flink.classroom.records.SessionKey;
import dev.pulse.flink.classroom.records.SessionMinuteFact;
import dev.pulse.flink.testing.OperatorThroughput;
import dev.pulse.flink.testing.SkewedDelivery;
import dev.pulse.simulator.Domain;
import dev.pulse.simulator.FaultConfig;
import dev.pulse.simulator.SimulatedRecord;
import dev.pulse.simulator.SimulationConfig;
import dev.pulse.simulator.Simulator;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.Test;

/**
 * Throughput of the engagement step alone ({@link SessionEngagementFunction} in Flink's harness,
 * heap state), fed with the bench's school day (benchmarks/, {@code --traffic classroom}) as a
 * catch-up read of two partitions delivers it, one partition {@code skew} ahead: prints events/s
 * and CPU per event, asserts nothing; with {@code -Dbench.compare=true} the previous version's
 * rounds (kept in test scope as the reference of the equivalence test) take turns with the current
 * one's. Not part of the suite (no {@code Test} suffix): {@code mvn -q test -pl flink-jobs
 * -Dtest=SessionEngagementThroughputBench [-Dbench.events=N -Dbench.skew-ms=S,...]}, or its {@link
 * #main}.
 */
class SessionEngagementThroughputBench {

  @Test
  void printsTheRate() throws Exception {
    main(new String[0]);
  }

  public static void main(String[] args) throws Exception {
    long events = Long.getLong("bench.events", 300_000);
    int rounds = Integer.getInteger("bench.rounds", 3);
    List<ClassroomActivity> in = new ArrayList<>();
    List<String> keys = new ArrayList<>();
    SimulationConfig sim =
        SimulationConfig.defaults()
            .withSeed(42)
            .withMaxEvents(events)
            .withDuration(null)
            .withFaults(FaultConfig.NONE)
            .withDomains(EnumSet.of(Domain.CLASSROOM))
            .withStart(Instant.parse("2026-03-02T08:00:00Z"))
            .withPlatform(40, 25, 30, 1);
    for (Iterator<SimulatedRecord> it = new Simulator(sim).records(); it.hasNext(); ) {
      SimulatedRecord r = it.next();
      if (r.isValid()) {
        in.add(ClassroomActivity.of((ClassroomEvent) r.event()));
        keys.add(r.key());
      }
    }
    long[] skews =
        Arrays.stream(System.getProperty("bench.skew-ms", "0,120000,600000").split(","))
            .mapToLong(Long::parseLong)
            .toArray();
    for (long skew : skews) {
      SkewedDelivery<ClassroomActivity> delivery =
          new SkewedDelivery<>(in, keys, ClassroomActivity::timeMs, skew, 2_000, 1_000);
      List<OperatorThroughput.Contender<SessionKey, ClassroomActivity, SessionMinuteFact>>
          contenders = new ArrayList<>();
      if (Boolean.getBoolean("bench.compare")) {
        contenders.add(
            new OperatorThroughput.Contender<>(
                "(previous version)",
                () ->
                    new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new ReferenceSessionEngagementFunction(30_000)),
                        ClassroomActivity::key,
                        SessionKey.TYPE)));
      }
      contenders.add(
          new OperatorThroughput.Contender<>(
              "",
              () ->
                  new KeyedOneInputStreamOperatorTestHarness<>(
                      new KeyedProcessOperator<>(new SessionEngagementFunction(30_000)),
                      ClassroomActivity::key,
                      SessionKey.TYPE)));
      OperatorThroughput.run(
          "classroom-engagement skew " + skew / 1000 + " s",
          contenders,
          List.<OutputTag<?>>of(
              SessionEngagementFunction.LEARNERS,
              SessionEngagementFunction.SESSIONS,
              SessionEngagementFunction.LATE),
          delivery,
          rounds);
    }
  }
}
