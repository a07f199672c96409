package dev.pulse.api.testing;

import dev.pulse.api.security.Caller;
import dev.pulse.api.security.Operation;
import dev.pulse.api.security.Role;
import dev.pulse.api.security.Tenant;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.TreeSet;

/** Verified callers as the GraphQL layer sees them, for tests that run below HTTP. */
public final class TestCallers {

  private TestCallers() {}

  /** A GraphQL context as the interceptors build it: the caller and a new operation. */
  public static java.util.Map<String, Object> context(Caller caller) {
    return java.util.Map.of(
        Caller.CONTEXT_KEY, caller, Operation.CONTEXT_KEY, Operation.of(caller.tenant()));
  }

  /** {@code subject} of {@code tenant} with {@code roles}, no courses, valid for an hour. */
  public static Caller of(String tenant, Role... roles) {
    return new Caller(
        "test-" + tenant,
        "Test caller",
        new Tenant(tenant),
        roles.length == 0 ? EnumSet.noneOf(Role.class) : EnumSet.copyOf(Arrays.asList(roles)),
        new TreeSet<>(),
        Instant.now().plus(Duration.ofHours(1)));
  }
}
