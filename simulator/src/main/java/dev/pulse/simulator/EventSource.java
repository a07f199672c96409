package dev.pulse.simulator;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/** A lazy, event-time-ordered producer of simulated events: one entity, one domain, or a merge. */
interface EventSource {

  /** Returned by {@link #peekTime} when the source has nothing more. */
  long EXHAUSTED = Long.MAX_VALUE;

  /** The event time in epoch millis of the next event, or {@link #EXHAUSTED}. */
  long peekTime();

  /** The next event; only valid when {@link #peekTime} is not {@link #EXHAUSTED}. */
  SimulatedEvent next();

  /**
   * A source over one entity's events, generated eagerly (an entity is small) and stably sorted.
   */
  static EventSource ofList(List<SimulatedEvent> events) {
    List<SimulatedEvent> sorted = new ArrayList<>(events);
    // List.sort is stable: events at the same millisecond keep their generation order.
    sorted.sort(Comparator.comparingLong(SimulatedEvent::epochMillis));
    return new EventSource() {
      private int next;

      @Override
      public long peekTime() {
        return next < sorted.size() ? sorted.get(next).epochMillis() : EXHAUSTED;
      }

      @Override
      public SimulatedEvent next() {
        return sorted.get(next++);
      }
    };
  }

  /**
   * Merges child sources by event time; ties go to the child added first, so the merge is
   * deterministic. Subclasses may spawn children lazily (a session when its start approaches),
   * which keeps memory proportional to the entities alive at once, not to the run's length.
   */
  abstract class Merged implements EventSource {
    private record Entry(EventSource source, long ordinal, long time) {}

    private final PriorityQueue<Entry> active =
        new PriorityQueue<>(
            Comparator.comparingLong(Entry::time).thenComparingLong(Entry::ordinal));
    private long ordinal;

    /** When the next child starts, or {@link #EXHAUSTED} when no more children will come. */
    protected long nextSpawnTime() {
      return EXHAUSTED;
    }

    /**
     * The child due at {@link #nextSpawnTime}; none of its events may be earlier than that time.
     */
    protected EventSource spawn() {
      throw new IllegalStateException("nothing to spawn");
    }

    protected final void add(EventSource child) {
      long t = child.peekTime();
      if (t != EXHAUSTED) {
        active.add(new Entry(child, ordinal++, t));
      }
    }

    @Override
    public final long peekTime() {
      while (true) {
        long head = active.isEmpty() ? EXHAUSTED : active.peek().time();
        long spawnAt = nextSpawnTime();
        if (spawnAt == EXHAUSTED || spawnAt > head) {
          return head;
        }
        add(spawn());
      }
    }

    @Override
    public final SimulatedEvent next() {
      peekTime();
      Entry e = active.poll();
      SimulatedEvent event = e.source().next();
      long t = e.source().peekTime();
      if (t != EXHAUSTED) {
        active.add(new Entry(e.source(), e.ordinal(), t));
      }
      return event;
    }
  }

  /** A fixed merge of {@code sources}, in the given tie-break order. */
  static EventSource merge(List<EventSource> sources) {
    Merged m = new Merged() {};
    sources.forEach(m::add);
    return m;
  }
}
