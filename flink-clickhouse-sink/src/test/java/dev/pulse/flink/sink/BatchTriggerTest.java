package dev.pulse.flink.sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BatchTriggerTest {

  private final BatchTrigger trigger = new BatchTrigger(3, 1000, Duration.ofMillis(500));

  @Test
  void aBatchIsFullAtTheRowLimitOrTheByteLimitWhicheverComesFirst() {
    assertThat(trigger.isFull(2, 999)).isFalse();
    assertThat(trigger.isFull(3, 10)).isTrue();
    assertThat(trigger.isFull(1, 1000)).isTrue();
  }

  @Test
  void aBatchIsDueWhenItsFirstRowHasWaitedTheMaximumDelay() {
    long opened = 10_000;
    assertThat(trigger.dueAt(opened)).isEqualTo(10_500);
    assertThat(trigger.isDue(opened, 10_499)).isFalse();
    assertThat(trigger.isDue(opened, 10_500)).isTrue();
  }
}
