package dev.pulse.slo;

import java.io.Serializable;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * An SLI: the ratio of good events to all eligible events of one kind, both selected alike ({@code
 * selection}: field -> exact value), good by one condition.
 *
 * @param name the SLI's {@code metadata.name} (for an inline indicator, its SLO's)
 */
public record Indicator(
    String name, String displayName, EventKind events, Map<String, String> selection, Good good)
    implements Serializable {

  /**
   * Whether an event whose selection fields {@code field} gives (by name, as {@link
   * EventKind#optional()} names them) is eligible: every selected field has the selected value.
   */
  public boolean selects(Function<String, String> field) {
    for (Map.Entry<String, String> s : selection.entrySet()) {
      if (!s.getValue().equals(field.apply(s.getKey()))) {
        return false;
      }
    }
    return true;
  }

  /** What makes an eligible event good. */
  public sealed interface Good extends Serializable {
    /** The condition in words: "with status < 500". */
    String describe();
  }

  /** An API request answered with a status below {@code status} (availability: 500). */
  public record StatusBelow(int status) implements Good {
    @Override
    public String describe() {
      return "with status < " + status;
    }
  }

  /** An API request answered in under {@code ms} milliseconds. */
  public record LatencyBelowMs(long ms) implements Good {
    @Override
    public String describe() {
      return "under " + ms + " ms";
    }
  }

  /** A probe whose check succeeded. */
  public record ProbeSucceeded() implements Good {
    @Override
    public String describe() {
      return "succeeding";
    }
  }

  /** A view whose outcome is none of {@code outcomes} (docs/qoe.md outcomes). */
  public record OutcomeNotIn(Set<String> outcomes) implements Good {
    @Override
    public String describe() {
      return "without " + String.join(" or ", new java.util.TreeSet<>(outcomes));
    }
  }
}
