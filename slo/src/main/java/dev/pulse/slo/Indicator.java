package dev.pulse.slo;

import java.util.Map;
import java.util.Set;

/**
 * An SLI: the ratio of good events to all eligible events of one kind, both selected alike ({@code
 * selection}: field -> exact value), good by one condition.
 *
 * @param name the SLI's {@code metadata.name} (for an inline indicator, its SLO's)
 */
public record Indicator(
    String name, String displayName, EventKind events, Map<String, String> selection, Good good) {

  /** What makes an eligible event good. */
  public sealed interface Good {
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
