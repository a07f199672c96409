package dev.pulse.flink.classroom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ClassroomConfigTest {

  private static final Configuration NO_CLUSTER_SETTINGS = new Configuration();

  @Test
  void defaultsReadTheClassroomTopicsInAGroupOfItsOwn() {
    ClassroomConfig c = ClassroomConfig.fromArgs(NO_CLUSTER_SETTINGS);
    assertThat(c.kafka().topic()).isEqualTo("pulse.classroom.events");
    assertThat(c.kafka().deadLetterTopic()).isEqualTo("pulse.classroom.events.dlq");
    assertThat(c.kafka().groupId()).isEqualTo("pulse-classroom");
    assertThat(c.semantics().allowedLateness()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.checkpointInterval()).isEqualTo(Duration.ofSeconds(10));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "--parallelism|-1|--parallelism must be 0..32768",
        "--parallelism|40000|--parallelism must be 0..32768",
        "--parallelism|two|--parallelism",
        "--checkpoint-interval|0s|--checkpoint-interval must be positive",
        "--checkpoint-interval|soon|--checkpoint-interval",
        "--allowed-lateness|-5s|allowed",
        "--latency-thresholds-us|100|unknown setting",
        "--no-such-setting|1|unknown setting",
      })
  void aBadValueFailsNamingItsSetting(String key, String value, String message) {
    assertThatThrownBy(() -> ClassroomConfig.fromArgs(NO_CLUSTER_SETTINGS, key, value))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }
}
