package dev.pulse.api.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.api.config.PulseApiProperties;
import dev.pulse.clickhouse.ClickHouse;
import dev.pulse.clickhouse.SqlLiteral;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Where audit entries go. Each is logged at once as one JSON line (logger {@code pulse.audit}, the
 * complete record), then held until its store queries have reached ClickHouse's query log ({@code
 * pulse.audit.rows-read-delay}), given the rows they read, and written to {@code pulse_api_audit}
 * in batches every {@code flush-interval}. While ClickHouse cannot take them, entries are kept (at
 * most {@code capacity}; beyond, the oldest leave the table's backlog, counted in {@code
 * pulse.api.audit.dropped}) and retried.
 */
@Component
public class AuditLog implements AutoCloseable {

  private static final Logger AUDIT = LoggerFactory.getLogger("pulse.audit");
  private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final DateTimeFormatter DATE_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

  private final ClickHouse writer;
  private final Duration rowsReadDelay;
  private final int capacity;
  private final Deque<AuditEntry> pending = new ArrayDeque<>();
  private final Counter dropped;
  private final Counter written;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "pulse-audit-writer");
            t.setDaemon(true);
            return t;
          });
  private boolean failing;

  public AuditLog(ClickHouse clickHouse, PulseApiProperties properties, MeterRegistry meters) {
    PulseApiProperties.Audit audit = properties.audit();
    PulseApiProperties.ClickHouse ch = properties.clickhouse();
    this.writer =
        ClickHouse.connect(
            ch.url(),
            audit.user() == null ? ch.user() : audit.user(),
            audit.user() == null
                ? ch.password()
                : (audit.password() == null ? "" : audit.password()),
            ch.database());
    this.rowsReadDelay = audit.rowsReadDelay();
    this.capacity = audit.capacity();
    this.dropped = meters.counter("pulse.api.audit.dropped");
    this.written = meters.counter("pulse.api.audit.written");
    long every = audit.flushInterval().toMillis();
    timer.scheduleWithFixedDelay(this::flushSafely, every, every, TimeUnit.MILLISECONDS);
  }

  /** Logs {@code entry} now and queues it for the table. */
  public void record(AuditEntry entry) {
    if (AUDIT.isInfoEnabled()) {
      // The table's row as one JSON line (rows read are not known yet).
      AUDIT.info(row(entry));
    }
    synchronized (pending) {
      if (pending.size() >= capacity) {
        pending.pollFirst();
        dropped.increment();
      }
      pending.addLast(entry);
    }
  }

  private void flushSafely() {
    try {
      flush(Instant.now().minus(rowsReadDelay));
      if (failing) {
        LOG.info("The audit trail is written to ClickHouse again");
      }
      failing = false;
    } catch (RuntimeException e) {
      if (!failing) {
        // Once per outage; the entries stay queued and the log line of each has been written.
        LOG.warn("Writing the audit trail to ClickHouse failed; retrying", e);
      }
      failing = true;
    }
  }

  /** Writes the entries that started before {@code due}, with their rows read. */
  void flush(Instant due) {
    List<AuditEntry> batch = new ArrayList<>();
    synchronized (pending) {
      while (!pending.isEmpty()
          && pending.peekFirst().time().isBefore(due)
          && batch.size() < 10_000) {
        batch.add(pending.pollFirst());
      }
    }
    if (batch.isEmpty()) {
      return;
    }
    try {
      Map<String, Long> reads = rowsRead(batch);
      List<String> rows = new ArrayList<>();
      for (AuditEntry entry : batch) {
        rows.add(row(withRowsRead(entry, reads)));
      }
      writer.insertJsonEachRow("pulse_api_audit", rows);
      written.increment(rows.size());
    } catch (RuntimeException e) {
      synchronized (pending) {
        for (int i = batch.size() - 1; i >= 0; i--) {
          pending.addFirst(batch.get(i));
        }
        while (pending.size() > capacity) {
          pending.pollFirst();
          dropped.increment();
        }
      }
      throw e;
    }
  }

  /** read_rows of every query of {@code batch} found finished in the query log, by query id. */
  private Map<String, Long> rowsRead(List<AuditEntry> batch) {
    List<String> ids = batch.stream().flatMap(e -> e.queryIds().stream()).toList();
    Map<String, Long> reads = new HashMap<>();
    if (ids.isEmpty()) {
      return reads;
    }
    Instant earliest = batch.get(0).time().minusSeconds(60);
    for (int from = 0; from < ids.size(); from += 1000) {
      String in =
          ids.subList(from, Math.min(ids.size(), from + 1000)).stream()
              .map(SqlLiteral::string)
              .collect(Collectors.joining(", "));
      for (JsonNode row :
          writer.query(
              "SELECT query_id, read_rows FROM system.query_log WHERE type = 2 AND event_date >= "
                  + SqlLiteral.date(java.time.LocalDate.ofInstant(earliest, ZoneOffset.UTC))
                  + " AND query_id IN ("
                  + in
                  + ")")) {
        reads.put(row.get("query_id").asText(), row.get("read_rows").asLong());
      }
    }
    return reads;
  }

  private static AuditEntry withRowsRead(AuditEntry entry, Map<String, Long> reads) {
    if (entry.queries() == 0) {
      return entry.withRowsRead(0L);
    }
    long sum = 0;
    boolean found = false;
    for (String id : entry.queryIds()) {
      Long r = reads.get(id);
      if (r != null) {
        sum += r;
        found = true;
      }
    }
    return entry.withRowsRead(found ? sum : null);
  }

  private static String row(AuditEntry e) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("time", DATE_TIME.format(e.time()));
    row.put("time_ms", e.time().toEpochMilli());
    row.put("tenant_id", e.tenant());
    row.put("subject", e.subject());
    row.put("roles", e.roles());
    row.put("transport", e.transport());
    row.put("operation_type", e.operationType());
    row.put("operation_name", e.operationName());
    row.put("fields", e.fields());
    row.put("document_sha256", e.documentSha256());
    row.put("variables_sha256", e.variablesSha256());
    row.put("duration_ms", Math.min(e.durationMs(), 0xFFFF_FFFFL));
    row.put("outcome", e.outcome());
    row.put("error_types", e.errorTypes());
    row.put("query_ids", e.queryIds());
    row.put("rows_read", e.rowsRead());
    try {
      return JSON.writeValueAsString(row);
    } catch (Exception ex) {
      throw new IllegalStateException(ex);
    }
  }

  @Override
  public void close() {
    timer.shutdown();
    try {
      timer.awaitTermination(5, TimeUnit.SECONDS);
      // What is left goes now, rows read as far as the query log has them.
      flush(Instant.MAX);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.warn(
          "The last audit entries could not be written to ClickHouse (they are in the log)", e);
    } finally {
      writer.close();
    }
  }
}
