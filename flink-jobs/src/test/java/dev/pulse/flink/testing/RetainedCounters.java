package dev.pulse.flink.testing;

import java.util.regex.Pattern;
import org.apache.flink.api.common.JobID;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.testutils.InMemoryReporter;

/** Sums of a job's counters kept by a retaining {@link InMemoryReporter}. */
public final class RetainedCounters {
  private RetainedCounters() {}

  /**
   * The sum of every counter named {@code name} in the job, over all subtasks and all attempts.
   * Reads the reporter group by group: a subtask restarted on the same TaskManager has the same
   * identifier as its failed attempt, so {@link InMemoryReporter#findMetrics} (a map by identifier)
   * throws on the two.
   */
  public static long sum(InMemoryReporter reporter, JobID job, String name) {
    return reporter.findJobMetricGroups(job, "^" + Pattern.quote(name) + "$").stream()
        .filter(found -> found.f2 instanceof Counter)
        .mapToLong(found -> ((Counter) found.f2).getCount())
        .sum();
  }
}
