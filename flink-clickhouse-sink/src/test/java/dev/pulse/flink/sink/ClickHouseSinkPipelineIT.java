package dev.pulse.flink.sink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.testing.ClickHouseExtension;
import dev.pulse.testing.TestClickHouse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The whole sink protocol on a Flink MiniCluster (parallelism 2, checkpoints every 200 ms): a known
 * bounded stream goes through an exactly-once sink into api_request_minutes (and its hour/day
 * rollups) and an at-least-once sink into api_requests_raw; the job fails once mid-stream, after
 * checkpoints have completed, restarts from the last one, and every ClickHouse total still equals
 * the totals worked out here from the input (no loss, no double count).
 */
@ExtendWith(ClickHouseExtension.class)
@Timeout(180)
class ClickHouseSinkPipelineIT {

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  private static final int N = 3000;

  /**
   * Most facts land in one May hour; every tenth in the first hour of June, so batches span two
   * partitions.
   */
  private static final long MAY_31_22H = Instant.parse("2024-05-31T22:00:00Z").getEpochSecond();

  private static final long JUNE_1_0005 = Instant.parse("2024-06-01T00:05:00Z").getEpochSecond();

  /** A minute fact as the test derives it from input number v. */
  public record Fact(String endpoint, long minute, long requests, long errors5xx, int bucket) {
    static Fact of(long v) {
      long minute = v % 10 == 0 ? JUNE_1_0005 : MAY_31_22H + (v % 3) * 60;
      return new Fact("/p" + (v % 4), minute, 1 + v % 5, v % 2, (int) (v % 7));
    }

    static final RowEncoder<Fact> ENCODER =
        (f, out) ->
            out.string("tenant_id", "t-pipe")
                .string("service", "courses")
                .string("endpoint", f.endpoint())
                .string("method", "GET")
                .string("region", "eu-west")
                .dateTime("minute", f.minute())
                .uint64("requests", f.requests())
                .uint64("errors_5xx", f.errors5xx())
                .uint64("errors_4xx", 0)
                .uint64("latency_sum_us", 0)
                .uint64("latency_max_us", 0)
                .int32Array("latency_buckets", new int[] {f.bucket()})
                .uint64Array("latency_counts", new long[] {f.requests()})
                .uint64Array("threshold_us", new long[0])
                .uint64Array("under_threshold", new long[0]);
  }

  static final AtomicInteger COMPLETED_CHECKPOINTS = new AtomicInteger();
  static final AtomicBoolean FAILED_ONCE = new AtomicBoolean();

  /**
   * Passes numbers through slowly (so checkpoints happen mid-stream) and throws exactly once, at
   * the first record after two checkpoints have completed: the restart then has committed batches
   * to replay behind it.
   */
  static final class FailOnceAfterCheckpoints extends RichMapFunction<Long, Long>
      implements CheckpointListener {
    @Override
    public void open(OpenContext context) {}

    @Override
    public Long map(Long v) throws Exception {
      Thread.sleep(1);
      if (COMPLETED_CHECKPOINTS.get() >= 2 && FAILED_ONCE.compareAndSet(false, true)) {
        throw new IllegalStateException("injected failure at input " + v);
      }
      return v;
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
      COMPLETED_CHECKPOINTS.incrementAndGet();
    }
  }

  @Test
  void afterAFailureAndRestoreEveryTotalAndRollupEqualsTheInputCountedOnce(TestClickHouse ch)
      throws Exception {
    ch.migratedDatabase();
    Configuration conf = new Configuration();
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.setParallelism(2);
    env.enableCheckpointing(200);

    DataStream<Long> numbers =
        env.fromSequence(0, N - 1)
            .name("numbers")
            .uid("numbers")
            .map(new FailOnceAfterCheckpoints())
            .name("fail-once")
            .uid("fail-once");
    numbers
        .map(Fact::of)
        .name("facts")
        .uid("facts")
        .sinkTo(
            ClickHouseSink.<Fact>builder()
                .endpoint(ch.httpUrl())
                .credentials(ch.user(), ch.password())
                .database(ch.database())
                .table("api_request_minutes")
                .encoder(Fact.ENCODER)
                .exactlyOnce("minute", Fact::minute)
                .lookupColumns(ApiMinutesKey.COLUMNS)
                .batchSize(100)
                .build())
        .name("api_request_minutes")
        .uid("sink-api-request-minutes");
    numbers
        .map(v -> RawRequest.numbered("pipe", v.intValue()))
        .name("raw")
        .uid("raw")
        .sinkTo(
            ClickHouseSink.<RawRequest>builder()
                .endpoint(ch.httpUrl())
                .credentials(ch.user(), ch.password())
                .database(ch.database())
                .table("api_requests_raw")
                .encoder(RawRequest.ENCODER)
                .batchSize(200)
                .maxBatchDelay(Duration.ofMillis(100))
                .build())
        .name("api_requests_raw")
        .uid("sink-api-requests-raw");
    env.execute("clickhouse-sink-pipeline-it");

    assertThat(FAILED_ONCE).as("the failure was injected mid-stream").isTrue();

    // The oracle: the same derivation, summed here.
    Map<String, long[]> minutes = new TreeMap<>();
    Map<String, Map<Integer, Long>> hourHistograms = new TreeMap<>();
    Map<String, long[]> hours = new TreeMap<>();
    for (long v = 0; v < N; v++) {
      Fact f = Fact.of(v);
      String hour = f.endpoint() + "@" + (f.minute() - f.minute() % 3600);
      long[] m = minutes.computeIfAbsent(f.endpoint() + "@" + f.minute(), k -> new long[2]);
      m[0] += f.requests();
      m[1] += f.errors5xx();
      long[] h = hours.computeIfAbsent(hour, k -> new long[2]);
      h[0] += f.requests();
      h[1] += f.errors5xx();
      hourHistograms
          .computeIfAbsent(hour, k -> new TreeMap<>())
          .merge(f.bucket(), f.requests(), Long::sum);
    }
    String expectedMinutes =
        minutes.entrySet().stream()
            .map(e -> e.getKey() + "\t" + e.getValue()[0] + "\t" + e.getValue()[1])
            .collect(Collectors.joining("\n", "", "\n"));
    String expectedHours =
        hours.entrySet().stream()
            .map(
                e -> {
                  Map<Integer, Long> hist = hourHistograms.get(e.getKey());
                  return e.getKey()
                      + "\t"
                      + e.getValue()[0]
                      + "\t"
                      + e.getValue()[1]
                      + "\t("
                      + hist.keySet().toString().replace(" ", "")
                      + ","
                      + hist.values().toString().replace(" ", "")
                      + ")";
                })
            .collect(Collectors.joining("\n", "", "\n"));

    assertThat(
            ch.query(
                "SELECT concat(endpoint, '@', toString(toUnixTimestamp(minute))) AS k, sum(requests), sum(errors_5xx) "
                    + "FROM api_request_minutes WHERE tenant_id = 't-pipe' GROUP BY k ORDER BY k"))
        .isEqualTo(expectedMinutes);
    assertThat(
            ch.query(
                "SELECT concat(endpoint, '@', toString(toUnixTimestamp(hour))) AS k, sumMerge(requests), sumMerge(errors_5xx), "
                    + "sumMapMerge(latency_hist) FROM api_request_hours WHERE tenant_id = 't-pipe' GROUP BY k ORDER BY k"))
        .isEqualTo(expectedHours);
    long totalRequests = hours.values().stream().mapToLong(h -> h[0]).sum();
    assertThat(
            ch.query("SELECT sumMerge(requests) FROM api_request_days WHERE tenant_id = 't-pipe'"))
        .isEqualTo(totalRequests + "\n");
    // At-least-once raw rows: replays may store a row twice until merged; FINAL shows each event
    // once.
    assertThat(
            ch.query(
                "SELECT count(), uniqExact(event_id) FROM api_requests_raw FINAL WHERE event_id LIKE 'pipe-%'"))
        .isEqualTo(N + "\t" + N + "\n");
  }
}
