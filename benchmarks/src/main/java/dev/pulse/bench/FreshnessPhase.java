package dev.pulse.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.events.ApiRequestEvent;
import dev.pulse.events.codec.EventCodec;
import dev.pulse.events.topics.Topics;
import dev.pulse.flink.api.ApiMetricsConfig;
import dev.pulse.flink.api.ApiMetricsJob;
import dev.pulse.simulator.Domain;
import dev.pulse.simulator.KafkaEventWriter;
import dev.pulse.simulator.SimulatedEvent;
import dev.pulse.simulator.SimulatedRecord;
import dev.pulse.simulator.Simulator;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.commons.io.FileUtils;
import org.apache.flink.core.execution.JobClient;

/**
 * Freshness: how long after an API request is produced its minute is visible, complete, through
 * GraphQL. The API metrics job runs live (unbounded, as in production) on a MiniCluster and
 * serving-api over the same database; a producer sends simulated requests at a steady rate, each
 * stamped with the time it is sent, and a poller asks serviceMetrics for the busiest services of
 * one tenant every {@code poll} interval. A minute's sample is the time from the send of its last
 * request to the first answer in which its request count equals the number sent: watermark delay,
 * window firing, the checkpoint that commits the minute facts, and the GraphQL query, all in.
 */
final class FreshnessPhase {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static final String QUERY =
      "query Fresh($service: String!, $from: DateTime!, $to: DateTime!) {"
          + " serviceMetrics(service: $service, from: $from, to: $to, granularity: MINUTE)"
          + " { points { time requests } } }";

  private FreshnessPhase() {}

  /**
   * How the phase runs.
   *
   * @param rate requests sent per second, steadily
   * @param warmup sending before the first measured minute (job start-up, JIT)
   * @param minutes measured minutes: each of the polled series gives one sample per minute
   * @param series services of the polled tenant whose minutes are sampled (the busiest)
   * @param poll interval between GraphQL queries (round-robin over the series)
   */
  record Settings(double rate, Duration warmup, int minutes, int series, Duration poll) {}

  /** One series' minute: requests sent, and when the last of them was sent. */
  private static final class Sent {
    long requests;
    long lastSentMs;
  }

  static PhaseResult run(
      String bootstrap,
      String run,
      int partitions,
      LoaderPhase.Target target,
      PulsePhase.JobSettings jobSettings,
      ApiServer server,
      Settings s,
      long seed,
      OptionalLong clickhousePid,
      Duration progressEvery,
      PrintWriter progress) {
    String topic = "pulse.bench.fresh." + run;
    Preload.createTopics(bootstrap, Map.of(Domain.API, topic), partitions);
    ApiMetricsConfig config =
        ApiMetricsConfig.fromMap(
            PulsePhase.jobSettings(
                bootstrap,
                "pulse-bench-" + run + "-fresh",
                topic,
                target,
                jobSettings,
                jobSettings.extra()));
    Simulator simulator =
        new Simulator(Traffic.api.simulation(Long.MAX_VALUE, s.rate() * 60, seed));
    String tenant = simulator.tenantIds().get(0);
    ResourceMeter meter = ResourceMeter.start(clickhousePid);
    Path checkpoints = PulsePhase.tempDir();
    JobClient job =
        PulsePhase.submit(
            jobSettings, checkpoints, env -> ApiMetricsJob.wire(env, config), "API freshness");
    Map<String, Object> details = new LinkedHashMap<>();
    List<Double> samples = new ArrayList<>();
    Producer producer = new Producer(bootstrap, topic, simulator, tenant, s.rate());
    try (ApiServer.Running api =
        server.start(target.url(), target.user(), target.password(), target.database(), Map.of())) {
      String token = api.sreToken(tenant);
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      producer.start();
      long startMs = System.currentTimeMillis();
      // Whole minutes after the warm-up: [first, end) in epoch minutes.
      long first = Math.floorDiv(startMs + s.warmup().toMillis(), 60_000L) + 1;
      long end = first + s.minutes();
      progress.printf(
          Locale.ROOT,
          "[bench] freshness: sending %,.0f requests/s; sampling %d minutes of %d services of %s"
              + " from %s%n",
          s.rate(),
          s.minutes(),
          s.series(),
          tenant,
          Instant.ofEpochMilli(first * 60_000));
      List<String> services = null;
      Map<String, Long> seen = new HashMap<>(); // service|minute -> when it was complete
      Map<String, Long> counts = new TreeMap<>(); // service|minute start -> requests
      int next = 0;
      long deadline = (end + 2) * 60_000 + 60_000;
      long lastPrint = 0;
      while (seen.size() < (long) s.series() * s.minutes()) {
        producer.check();
        PulsePhase.checkRunning(job);
        long now = System.currentTimeMillis();
        if (now > deadline) {
          throw new BenchException(
              String.format(
                  Locale.ROOT,
                  "freshness: only %d of %d minute samples complete 60 s after the last minute"
                      + " closed (sent %,d at %,.0f/s)",
                  seen.size(),
                  s.series() * s.minutes(),
                  producer.sent.get(),
                  producer.rate()));
        }
        if (services == null) {
          if (now < first * 60_000) {
            sleep(s.poll().toMillis());
            continue;
          }
          services = producer.busiest(s.series());
        }
        String service = services.get(next++ % services.size());
        JsonNode points = points(http, api.graphql(), token, service, first, end);
        long answered = System.currentTimeMillis();
        for (JsonNode p : points) {
          long minute = Instant.parse(p.get("time").asText()).toEpochMilli() / 60_000;
          String key = service + "|" + minute;
          if (minute < first || minute >= end || seen.containsKey(key)) {
            continue;
          }
          Sent sent = producer.sent(service, minute);
          // Complete: the producer is past the minute and every request of it is counted.
          if (sent != null
              && now >= (minute + 1) * 60_000
              && p.get("requests").asLong() == sent.requests) {
            seen.put(key, answered);
            counts.put(service + "|" + Instant.ofEpochMilli(minute * 60_000), sent.requests);
            samples.add((answered - sent.lastSentMs) / 1000.0);
          }
        }
        if (now - lastPrint >= progressEvery.toMillis()) {
          lastPrint = now;
          progress.printf(
              Locale.ROOT,
              "[bench] freshness %d / %d minute samples, %,d requests sent (%,.0f/s)%n",
              seen.size(),
              s.series() * s.minutes(),
              producer.sent.get(),
              producer.rate());
        }
        sleep(s.poll().toMillis());
      }
      details.put("tenant", tenant);
      details.put("services", services);
      details.put("firstMinute", Instant.ofEpochMilli(first * 60_000).toString());
      details.put("minutes", s.minutes());
      details.put("sampledMinuteRequests", counts);
    } catch (BenchException e) {
      throw e;
    } catch (Exception e) {
      throw new BenchException("freshness: " + e, e);
    } finally {
      producer.stop();
      PulsePhase.cancel(job);
      FileUtils.deleteQuietly(checkpoints.toFile());
    }
    ResourceMeter.Usage usage = meter.stop();
    samples.sort(Comparator.naturalOrder());
    details.put("samples", samples.size());
    details.put("p50Seconds", PhaseResult.percentile(samples, 50));
    details.put("p95Seconds", PhaseResult.percentile(samples, 95));
    details.put("p99Seconds", PhaseResult.percentile(samples, 99));
    details.put("maxSeconds", samples.get(samples.size() - 1));
    details.put("sentRate", producer.rate());
    details.put("pollResolutionSeconds", s.poll().toMillis() * s.series() / 1000.0);
    details.put("checkpointInterval", config.checkpointInterval().toString());
    details.put("watermarkDelay", config.semantics().stream().outOfOrderness().toString());
    details.put("topic", topic);
    details.put("database", target.database());
    long sent = producer.sent.get();
    return new PhaseResult(
        "freshness", sent, 0, producer.seconds(), producer.rate(), producer.rate(), usage, details);
  }

  private static JsonNode points(
      HttpClient http, URI graphql, String token, String service, long first, long end)
      throws IOException, InterruptedException {
    Map<String, Object> body =
        Map.of(
            "query",
            QUERY,
            "variables",
            Map.of(
                "service",
                service,
                "from",
                Instant.ofEpochMilli(first * 60_000).toString(),
                "to",
                Instant.ofEpochMilli(end * 60_000).toString()));
    HttpRequest request =
        HttpRequest.newBuilder(graphql)
            .timeout(Duration.ofSeconds(10))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
            .build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    JsonNode root = JSON.readTree(response.body());
    if (response.statusCode() != 200 || root.has("errors")) {
      throw new BenchException(
          "freshness: GraphQL answered " + response.statusCode() + ": " + response.body());
    }
    return root.path("data").path("serviceMetrics").path("points");
  }

  /**
   * Sends the simulator's API requests at a steady rate, each stamped with the moment it is sent,
   * and remembers per service minute of the polled tenant how many it sent and when the last.
   */
  private static final class Producer implements Runnable {
    private final String bootstrap;
    private final String topic;
    private final Simulator simulator;
    private final String tenant;
    private final double rate;
    private final ConcurrentHashMap<String, Sent> perMinute = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, AtomicLong> perService = new ConcurrentHashMap<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    final AtomicLong sent = new AtomicLong();
    private volatile boolean stopped;
    private volatile long startNanos;
    private volatile long endNanos;
    private Thread thread;

    Producer(String bootstrap, String topic, Simulator simulator, String tenant, double rate) {
      this.bootstrap = bootstrap;
      this.topic = topic;
      this.simulator = simulator;
      this.tenant = tenant;
      this.rate = rate;
    }

    void start() {
      thread = new Thread(this, "pulse-bench-fresh-producer");
      thread.setDaemon(true);
      thread.start();
    }

    @Override
    public void run() {
      EventCodec<ApiRequestEvent> codec = EventCodec.forTopic(Topics.API_REQUESTS);
      try (KafkaEventWriter writer =
          new KafkaEventWriter(bootstrap, new Properties(), name -> topic)) {
        Iterator<SimulatedEvent> events = simulator.events();
        startNanos = System.nanoTime();
        long n = 0;
        while (!stopped && events.hasNext()) {
          long due = (long) ((System.nanoTime() - startNanos) / 1e9 * rate);
          if (n >= due) {
            LockSupport.parkNanos(200_000);
            continue;
          }
          SimulatedEvent next = events.next();
          if (!(next.event() instanceof ApiRequestEvent e)) {
            continue;
          }
          long now = System.currentTimeMillis();
          e.setEventTime(Instant.ofEpochMilli(now));
          writer.send(
              new SimulatedRecord(
                  Topics.API_REQUESTS,
                  e.getEventId(),
                  codec.encode(e),
                  e.getEventTime(),
                  SimulatedRecord.Kind.ORIGINAL,
                  null,
                  e));
          if (e.getTenantId().equals(tenant)) {
            perService.computeIfAbsent(e.getService(), k -> new AtomicLong()).incrementAndGet();
            perMinute.compute(
                e.getService() + "|" + now / 60_000,
                (k, v) -> {
                  Sent s = v == null ? new Sent() : v;
                  s.requests++;
                  s.lastSentMs = now;
                  return s;
                });
          }
          n++;
          sent.set(n);
        }
        writer.flush();
      } catch (Throwable t) {
        failure.compareAndSet(null, t);
      } finally {
        endNanos = System.nanoTime();
      }
    }

    /** The polled tenant's {@code n} services with the most requests so far. */
    List<String> busiest(int n) {
      return perService.entrySet().stream()
          .sorted((a, b) -> Long.compare(b.getValue().get(), a.getValue().get()))
          .limit(n)
          .map(Map.Entry::getKey)
          .toList();
    }

    /** What was sent in {@code service}'s {@code minute} (epoch minutes), or null. */
    Sent sent(String service, long minute) {
      // compute() publishes the entry; reading it through get() sees its last update.
      return perMinute.get(service + "|" + minute);
    }

    double seconds() {
      long endAt = endNanos == 0 ? System.nanoTime() : endNanos;
      return startNanos == 0 ? 0 : (endAt - startNanos) / 1e9;
    }

    double rate() {
      double secs = seconds();
      return secs <= 0 ? 0 : sent.get() / secs;
    }

    void check() {
      Throwable t = failure.get();
      if (t != null) {
        throw new BenchException("freshness: the producer failed: " + t, t);
      }
    }

    void stop() {
      stopped = true;
      if (thread != null) {
        try {
          thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchException("freshness phase interrupted", e);
    }
  }
}
