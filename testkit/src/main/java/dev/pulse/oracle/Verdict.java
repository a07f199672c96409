package dev.pulse.oracle;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * What the oracle makes of one Kafka value of {@code pulse.api.requests}: the event it carries
 * (null when the bytes are not one), and every contract rule it breaks (empty when it is a valid
 * event). A correct pipeline dead-letters the record exactly when {@link #violations} is not empty,
 * with one of them as its reason.
 */
public record Verdict(ApiEvent event, Set<Violation> violations) {

  public Verdict {
    violations =
        violations.isEmpty()
            ? Collections.emptySet()
            : Collections.unmodifiableSet(EnumSet.copyOf(violations));
    if (event == null && violations.isEmpty()) {
      throw new IllegalArgumentException("a record without an event must break a rule");
    }
  }

  /** Whether the record is a valid event, to be counted (once) rather than dead-lettered. */
  public boolean valid() {
    return violations.isEmpty();
  }

  static Verdict broken(Violation v) {
    return new Verdict(null, EnumSet.of(v));
  }
}
