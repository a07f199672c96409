package dev.pulse.flink.sink;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import org.apache.flink.api.common.operators.ProcessingTimeService;

/**
 * A processing-time service whose clock moves only when the test says so; timers fire on the test's
 * thread, as on a mailbox.
 */
final class ManualProcessingTime implements ProcessingTimeService {
  private long now;
  private final List<Timer> timers = new ArrayList<>();

  private record Timer(long at, ProcessingTimeCallback callback) {}

  ManualProcessingTime(long start) {
    this.now = start;
  }

  @Override
  public long getCurrentProcessingTime() {
    return now;
  }

  @Override
  public ScheduledFuture<?> registerTimer(long timestamp, ProcessingTimeCallback target) {
    timers.add(new Timer(timestamp, target));
    return null; // the writer never cancels its timers
  }

  /** Moves the clock to {@code time} and fires every timer due by then, in time order. */
  void advanceTo(long time) throws Exception {
    now = time;
    while (true) {
      Timer due =
          timers.stream()
              .filter(t -> t.at() <= now)
              .min((a, b) -> Long.compare(a.at(), b.at()))
              .orElse(null);
      if (due == null) {
        return;
      }
      timers.remove(due);
      due.callback().onProcessingTime(now);
    }
  }
}
