package dev.pulse.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Configuration handling of the ClickHouse extension that needs no server. */
class ClickHouseExtensionTest {

  @Test
  void externalUrlIsParsedWithCredentials() {
    ClickHouseExtension.Server s =
        ClickHouseExtension.parseUrl("http://alice:s%3Acret@ch.example:8123");
    assertThat(s.httpUrl()).isEqualTo("http://ch.example:8123");
    assertThat(s.user()).isEqualTo("alice");
    assertThat(s.password()).isEqualTo("s:cret");
    assertThat(s.external()).isTrue();
  }

  @Test
  void externalUrlWithoutCredentialsSignsInAsDefault() {
    ClickHouseExtension.Server s = ClickHouseExtension.parseUrl("http://10.0.0.5:8123");
    assertThat(s.user()).isEqualTo("default");
    assertThat(s.password()).isEmpty();
  }

  @Test
  void malformedSettingIsRejectedWithTheExpectedForm() {
    assertThatThrownBy(() -> ClickHouseExtension.parseUrl("ch.example:8123"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("PULSE_TEST_CLICKHOUSE must be 'testcontainers' or http");
    assertThatThrownBy(() -> ClickHouseExtension.parseUrl("http://ch.example"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void classIdsDifferForClassesWithTheSameSimpleName() {
    class Same {}
    String a = TestNames.classId(Same.class);
    String b = TestNames.classId(Nested.Same.class);
    assertThat(a).isNotEqualTo(b).startsWith("same_").matches("[a-z0-9_]+");
    assertThat(b).startsWith("same_");
  }

  static final class Nested {
    static final class Same {}
  }
}
