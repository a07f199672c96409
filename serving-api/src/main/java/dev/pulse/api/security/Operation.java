package dev.pulse.api.security;

import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One GraphQL operation (a query, a subscribe) of one caller, or one live poller: names the store
 * queries it causes {@code <tenant>/<operation id>/<n>}, so that ClickHouse's query log says whose
 * each query was and the audit trail finds the rows an operation read.
 */
public final class Operation {

  /** Key of the operation in a GraphQL request's context. */
  public static final String CONTEXT_KEY = "pulse.operation";

  private final Tenant tenant;
  private final String id;
  private final AtomicInteger queries = new AtomicInteger();

  private Operation(Tenant tenant, String id) {
    this.tenant = Objects.requireNonNull(tenant, "tenant");
    this.id = id;
  }

  /** A new operation for {@code tenant}. */
  public static Operation of(Tenant tenant) {
    return new Operation(tenant, UUID.randomUUID().toString());
  }

  /** A live poller of {@code tenant}: its queries serve every subscriber, no single operation. */
  public static Operation livePoller(Tenant tenant) {
    return new Operation(tenant, "live-" + UUID.randomUUID());
  }

  public String id() {
    return id;
  }

  public Tenant tenant() {
    return tenant;
  }

  /** The name of the next store query this operation sends. */
  public String nextQueryId() {
    return queryId(queries.incrementAndGet());
  }

  /** The name of this operation's {@code n}-th store query (from 1). */
  public String queryId(int n) {
    return tenant.id() + "/" + id + "/" + n;
  }

  /** How many store queries this operation has sent. */
  public int queries() {
    return queries.get();
  }
}
