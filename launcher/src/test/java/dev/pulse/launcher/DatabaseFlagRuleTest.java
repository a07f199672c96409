package dev.pulse.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.cli.ConnectionFlags;
import dev.pulse.clickhouse.SqlLiteral;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code --database} accepts exactly the names {@code SqlLiteral.identifier} accepts (up to the
 * flag's length limit): the simulator module, where the flag's rule lives, cannot call it, so this
 * test keeps the two copies of the rule from drifting apart.
 */
class DatabaseFlagRuleTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "pulse",
        "_x",
        "Pulse_2",
        "x1",
        "",
        " ",
        "1bad",
        "bad-name",
        "a.b",
        "`x`",
        "x y",
        "pülse",
        "pulse; DROP DATABASE x",
        "x\n",
        "ｐｕｌｓｅ"
      })
  void theFlagAndSqlLiteralAgreeOnWhatIsAnIdentifier(String name) {
    assertThat(accepts(() -> ConnectionFlags.identifier(name)))
        .as("--database '%s'", name)
        .isEqualTo(accepts(() -> SqlLiteral.identifier(name)));
  }

  private static boolean accepts(Runnable check) {
    try {
      check.run();
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }
}
