package dev.pulse.api.audit;

import static dev.pulse.clickhouse.SqlLiteral.dateTime;
import static dev.pulse.clickhouse.SqlLiteral.string;
import static dev.pulse.clickhouse.SqlLiteral.uint64;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.api.config.PulseApiProperties;
import dev.pulse.api.security.Caller;
import dev.pulse.api.security.ForbiddenException;
import dev.pulse.api.security.Operation;
import dev.pulse.api.security.Role;
import dev.pulse.api.support.InvalidArgumentException;
import dev.pulse.clickhouse.ClickHouse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.springframework.graphql.data.method.annotation.Argument;
import org.springframework.graphql.data.method.annotation.ContextValue;
import org.springframework.graphql.data.method.annotation.QueryMapping;
import org.springframework.stereotype.Controller;

/**
 * {@code auditTrail}: the audit entries of the operator's own tenant, newest first, read from
 * {@code pulse_api_audit} with the tenant from the token; another tenant's only where the
 * deployment lets operators see every tenant ({@code pulse.security.operators-see-all-tenants}).
 */
@Controller
public class AuditController {

  /** Longest range one request reads, and most entries it returns. */
  static final Duration MAX_RANGE = Duration.ofDays(31);

  static final int MAX_ENTRIES = 1000;

  /** The last instant the store's DateTime holds. */
  private static final Instant LAST = Instant.parse("2105-12-31T23:59:59Z");

  private final ClickHouse clickHouse;
  private final boolean operatorsSeeAllTenants;

  public AuditController(ClickHouse clickHouse, PulseApiProperties properties) {
    this.clickHouse = clickHouse;
    this.operatorsSeeAllTenants = properties.security().operatorsSeeAllTenants();
  }

  @QueryMapping
  public List<AuditEntry> auditTrail(
      @ContextValue(name = Caller.CONTEXT_KEY) Caller caller,
      @ContextValue(name = Operation.CONTEXT_KEY) Operation operation,
      @Argument Instant from,
      @Argument Instant to,
      @Argument String subject,
      @Argument String tenant,
      @Argument Integer limit) {
    caller.require("the audit trail", Set.of(Role.OPERATOR));
    String own = caller.tenant().id();
    if (tenant != null && !tenant.equals(own) && !operatorsSeeAllTenants) {
      throw new ForbiddenException(
          "another tenant's audit trail is not open to operators in this deployment");
    }
    String read = tenant == null ? own : tenant;
    if (read.length() > 256) {
      throw new InvalidArgumentException("tenant is longer than 256 characters");
    }
    if (!from.isBefore(to) || Duration.between(from, to).compareTo(MAX_RANGE) > 0) {
      throw new InvalidArgumentException(
          "from must be before to, at most " + MAX_RANGE.toDays() + " days apart");
    }
    if (from.isBefore(Instant.EPOCH) || to.isAfter(LAST)) {
      throw new InvalidArgumentException("from and to must be within 1970-01-01 .. 2105-12-31");
    }
    int n = limit == null ? 100 : limit;
    if (n < 1 || n > MAX_ENTRIES) {
      throw new InvalidArgumentException("limit must be 1 to " + MAX_ENTRIES);
    }
    if (subject != null && subject.length() > 256) {
      throw new InvalidArgumentException("subject is longer than 256 characters");
    }
    String sql =
        """
        SELECT toUInt64(time_ms) AS time_ms, subject, roles, transport, operation_type,
          operation_name, fields, document_sha256, variables_sha256, duration_ms, outcome,
          error_types, length(query_ids) AS queries, rows_read
        FROM pulse_api_audit
        WHERE tenant_id = %s AND time >= %s AND time <= %s%s
        ORDER BY time_ms DESC
        LIMIT %s
        """
            .formatted(
                string(read),
                dateTime(from.truncatedTo(ChronoUnit.SECONDS)),
                dateTime(to.truncatedTo(ChronoUnit.SECONDS)),
                subject == null ? "" : " AND subject = " + string(subject),
                uint64(n));
    List<AuditEntry> entries = new ArrayList<>();
    for (JsonNode r : clickHouse.query(sql, operation.nextQueryId())) {
      entries.add(
          new AuditEntry(
              Instant.ofEpochMilli(r.get("time_ms").asLong()),
              read,
              r.get("subject").asText(),
              strings(r.get("roles")),
              r.get("transport").asText(),
              r.get("operation_type").asText(),
              r.get("operation_name").asText(),
              strings(r.get("fields")),
              r.get("document_sha256").asText(),
              r.get("variables_sha256").asText(),
              r.get("duration_ms").asLong(),
              r.get("outcome").asText(),
              strings(r.get("error_types")),
              "", // the operation id is in the query ids, which the schema does not show
              r.get("queries").asInt(),
              r.get("rows_read").isNull() ? null : r.get("rows_read").asLong()));
    }
    return entries;
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(v -> out.add(v.asText()));
    return out;
  }
}
