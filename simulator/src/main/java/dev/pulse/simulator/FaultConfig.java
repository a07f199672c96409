package dev.pulse.simulator;

/**
 * How often the simulator damages the delivered stream, each as a fraction (0..1) of original
 * events, drawn independently per event from the seeded fault stream.
 *
 * @param duplicateRate share of events re-sent later with the same bytes (a retried send)
 * @param outOfOrderRate share of events delivered 1-20 s of event time late (within allowed
 *     lateness)
 * @param lateRate share of events delivered 10-30 min of event time late (beyond allowed lateness)
 * @param malformedRate per event, the chance that one extra undecodable or invalid record is
 *     inserted next to it
 */
public record FaultConfig(
    double duplicateRate, double outOfOrderRate, double lateRate, double malformedRate) {

  /** No faults: every event delivered once, in event-time order. */
  public static final FaultConfig NONE = new FaultConfig(0, 0, 0, 0);

  public FaultConfig {
    check("duplicate", duplicateRate);
    check("out-of-order", outOfOrderRate);
    check("late", lateRate);
    check("malformed", malformedRate);
    if (outOfOrderRate + lateRate > 1) {
      throw new IllegalArgumentException(
          "out-of-order and late rates together must not exceed 1 (an event is delayed at most once), got "
              + outOfOrderRate
              + " + "
              + lateRate);
    }
  }

  private static void check(String name, double rate) {
    if (!(rate >= 0 && rate <= 1)) {
      throw new IllegalArgumentException(name + " rate must be a fraction in [0, 1], got " + rate);
    }
  }

  /** Whether any fault is switched on. */
  public boolean any() {
    return duplicateRate > 0 || outOfOrderRate > 0 || lateRate > 0 || malformedRate > 0;
  }
}
