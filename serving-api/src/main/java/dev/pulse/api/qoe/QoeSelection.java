package dev.pulse.api.qoe;

import static dev.pulse.clickhouse.SqlLiteral.string;

import dev.pulse.api.security.Tenant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The QoE rows one query reads: always the caller's tenant (from the token), narrowed by the
 * filter. Also the key live subscriptions share a poller by, so tenants never share one.
 */
record QoeSelection(Tenant tenant, QoeFilter filter) {

  QoeSelection {
    Objects.requireNonNull(tenant, "tenant");
    filter = filter == null ? QoeFilter.NONE : filter;
  }

  /**
   * The SQL condition: the tenant always, each filter value given. The QoE tables and {@code
   * playback_views} share the column names.
   */
  String where() {
    List<String> conditions = new ArrayList<>();
    conditions.add("tenant_id = " + string(tenant.id()));
    for (QoeDimension d : QoeDimension.values()) {
      String value = d.of(filter);
      if (value != null) {
        conditions.add(d.column() + " = " + string(value));
      }
    }
    return String.join(" AND ", conditions);
  }
}
