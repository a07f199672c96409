package dev.pulse.oracle;

import java.time.Instant;
import java.util.Comparator;
import java.util.Objects;

/**
 * The grouping of API request metrics: tenant, service, endpoint (route template), method (its enum
 * symbol, e.g. {@code GET}) and serving region, in one time bucket ({@code bucket} is the bucket's
 * start in UTC).
 */
public record ApiKey(
    String tenantId,
    String service,
    String endpoint,
    String method,
    String region,
    Grain grain,
    Instant bucket)
    implements Comparable<ApiKey> {

  private static final Comparator<ApiKey> ORDER =
      Comparator.comparing(ApiKey::bucket)
          .thenComparing(ApiKey::grain)
          .thenComparing(ApiKey::tenantId)
          .thenComparing(ApiKey::service)
          .thenComparing(ApiKey::endpoint)
          .thenComparing(ApiKey::method)
          .thenComparing(ApiKey::region);

  public ApiKey {
    Objects.requireNonNull(tenantId, "tenantId");
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(region, "region");
    Objects.requireNonNull(grain, "grain");
    Objects.requireNonNull(bucket, "bucket");
    if (!grain.truncate(bucket).equals(bucket)) {
      throw new IllegalArgumentException(bucket + " is not the start of a " + grain + " bucket");
    }
  }

  /** The same dimensions in the {@code coarser} bucket containing this one. */
  public ApiKey rollUp(Grain coarser) {
    return new ApiKey(
        tenantId, service, endpoint, method, region, coarser, coarser.truncate(bucket));
  }

  @Override
  public int compareTo(ApiKey o) {
    return ORDER.compare(this, o);
  }
}
