package dev.pulse.api.security;

import java.time.Instant;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Who is asking, as their verified token says: the only identity the rest of the API sees. Every
 * query is scoped by {@link #tenant()} and, for educators, {@link #courses()}; neither ever comes
 * from an argument.
 *
 * @param subject the token's {@code sub}: stable id of the person or client at the identity
 *     provider
 * @param name display name ({@code name} claim), or the subject when the token has none
 * @param tenant the institution the token is for
 * @param roles what the caller may read (none: only {@code me})
 * @param courses the courses an educator teaches (course ids as the events carry them)
 * @param expiresAt the token's {@code exp}: a stream opened with it ends then
 */
public record Caller(
    String subject,
    String name,
    Tenant tenant,
    Set<Role> roles,
    SortedSet<String> courses,
    Instant expiresAt) {

  /** Key of the caller in a GraphQL request's context, where controllers read it. */
  public static final String CONTEXT_KEY = "pulse.caller";

  public Caller {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(expiresAt, "expiresAt");
    roles = roles.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(roles));
    courses = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(courses));
  }

  /** Whether the caller holds at least one of {@code allowed}. */
  public boolean hasAnyRole(Set<Role> allowed) {
    return roles.stream().anyMatch(allowed::contains);
  }

  /**
   * Refuses (FORBIDDEN, naming what is needed) a caller that holds none of {@code allowed}: for
   * {@code what}, e.g. "service metrics".
   */
  public void require(String what, Set<Role> allowed) {
    if (!hasAnyRole(allowed)) {
      throw new ForbiddenException(
          what
              + " are for the roles "
              + new TreeSet<>(allowed)
              + "; this token has "
              + new TreeSet<>(roles));
    }
  }

  /** Whether the token has expired at {@code now}. */
  public boolean expiredAt(Instant now) {
    return !now.isBefore(expiresAt);
  }

  /**
   * The key limits are kept under: one person of one tenant, whichever connection or transport they
   * use.
   */
  public String limitKey() {
    return tenant.id() + "\u0000" + subject;
  }
}
