package dev.pulse.api.security;

import java.util.Locale;
import java.util.Optional;

/**
 * What a caller does at their institution; the token's roles claim names them (case-insensitive).
 * Each role reads only what its people need, always within the token's tenant (README, "Roles").
 */
public enum Role {
  /** Teaches courses: reads the classroom, learner and video data of the token's courses only. */
  EDUCATOR,
  /** Runs the platform's services: reads service metrics, QoE and SLOs of the tenant. */
  SRE,
  /** Studies the institution: reads the tenant's aggregates (and SQL through a tenant database). */
  ANALYST,
  /** Runs Pulse itself: actuator endpoints, and operational data (audit trail). */
  OPERATOR;

  /** The role a claim value names, if any: {@code sre}, {@code SRE} and {@code Sre} are SRE. */
  public static Optional<Role> parse(String claimValue) {
    try {
      return Optional.of(valueOf(claimValue.strip().toUpperCase(Locale.ROOT)));
    } catch (IllegalArgumentException unknown) {
      return Optional.empty();
    }
  }

  /** The Spring Security authority of this role, e.g. {@code ROLE_SRE}. */
  public String authority() {
    return "ROLE_" + name();
  }
}
