package dev.pulse.flink.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pulse.flink.common.config.StartCheck.WithoutSavepoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class StartCheckTest {

  private static String decide(String restore, boolean offsets, WithoutSavepoint setting) {
    return StartCheck.refusal(restore, offsets, setting, "pulse-api-metrics", "api-requests");
  }

  @Test
  void firstStartWithoutCommittedOffsetsNeedsNothing() {
    assertThat(decide(null, false, WithoutSavepoint.REFUSE)).isNull();
  }

  @Test
  void startWithoutSavepointAfterAnEarlierRunIsRefusedWithWhatToDo() {
    String refusal = decide(null, true, WithoutSavepoint.REFUSE);
    assertThat(refusal)
        .contains("pulse-api-metrics")
        .contains("api-requests")
        .contains("flink run -s")
        .contains("flink stop --drain")
        .contains("--start-without-savepoint after-drain");
  }

  @Test
  void blankRestorePathCountsAsNoSavepoint() {
    assertThat(decide("  ", true, WithoutSavepoint.REFUSE)).isNotNull();
  }

  @Test
  void restoreFromSavepointStartsWhateverTheGroupHolds() {
    assertThat(decide("file:///sp/savepoint-1", true, WithoutSavepoint.REFUSE)).isNull();
  }

  @Test
  void afterDrainStartsFromTheCommittedOffsets() {
    assertThat(decide(null, true, WithoutSavepoint.AFTER_DRAIN)).isNull();
  }

  @Test
  void settingParsesItsTwoValuesTrimmedAndInAnyCase() {
    assertThat(WithoutSavepoint.parse("refuse")).isEqualTo(WithoutSavepoint.REFUSE);
    assertThat(WithoutSavepoint.parse(" After-Drain ")).isEqualTo(WithoutSavepoint.AFTER_DRAIN);
  }

  @ParameterizedTest
  @NullSource
  @ValueSource(strings = {"", "yes", "true", "after_drain", "after-drain;rm -rf /"})
  void anyOtherSettingValueIsAClearError(String value) {
    assertThatThrownBy(() -> WithoutSavepoint.parse(value))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--start-without-savepoint must be refuse or after-drain");
  }

  @Test
  void hostileSettingValueIsShownEscapedAndCut() {
    String hostile = "\u001b[31m" + "x".repeat(500);
    assertThatThrownBy(() -> WithoutSavepoint.parse(hostile))
        .hasMessageContaining("\\u001b[31m")
        .hasMessageNotContaining("\u001b")
        .hasMessageContaining("...");
  }
}
