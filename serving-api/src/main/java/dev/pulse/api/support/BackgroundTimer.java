package dev.pulse.api.support;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/** The scheduler of a background task of serving-api: daemon threads named after the task. */
public final class BackgroundTimer {

  private BackgroundTimer() {}

  /** {@code threads} daemon threads named {@code name}. */
  public static ScheduledExecutorService of(String name, int threads) {
    return Executors.newScheduledThreadPool(
        threads,
        r -> {
          Thread t = new Thread(r, name);
          t.setDaemon(true);
          return t;
        });
  }
}
