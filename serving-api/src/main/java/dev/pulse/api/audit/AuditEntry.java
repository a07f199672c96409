package dev.pulse.api.audit;

import java.time.Instant;
import java.util.List;

/**
 * One GraphQL operation as the audit trail records it (table {@code pulse_api_audit}, migration
 * 0015).
 *
 * @param operationId names the operation's store queries ({@code <tenant>/<operationId>/<n>})
 * @param queries how many store queries it sent
 * @param rowsRead the rows those queries read, from ClickHouse's query log; null until looked up or
 *     when the log has none of them
 */
public record AuditEntry(
    Instant time,
    String tenant,
    String subject,
    List<String> roles,
    String transport,
    String operationType,
    String operationName,
    List<String> fields,
    String documentSha256,
    String variablesSha256,
    long durationMs,
    String outcome,
    List<String> errorTypes,
    String operationId,
    int queries,
    Long rowsRead) {

  /** The same entry with its rows read. */
  AuditEntry withRowsRead(Long rows) {
    return new AuditEntry(
        time,
        tenant,
        subject,
        roles,
        transport,
        operationType,
        operationName,
        fields,
        documentSha256,
        variablesSha256,
        durationMs,
        outcome,
        errorTypes,
        operationId,
        queries,
        rows);
  }

  /** The ClickHouse query ids of the operation's store queries. */
  List<String> queryIds() {
    List<String> ids = new java.util.ArrayList<>();
    for (int n = 1; n <= queries; n++) {
      ids.add(tenant + "/" + operationId + "/" + n);
    }
    return ids;
  }
}
