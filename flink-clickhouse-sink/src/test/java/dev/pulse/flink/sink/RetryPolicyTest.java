package dev.pulse.flink.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.clickhouse.client.api.ServerException;
import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

  private final RetryPolicy policy =
      new RetryPolicy(4, Duration.ofMillis(100), Duration.ofMillis(350), 2.0, Set.of(252));

  @Test
  void backoffDoublesFromTheInitialWaitAndStopsAtTheCap() {
    // 100, 200, 400 -> capped at 350, and stays there
    assertThat(policy.backoffBeforeRetry(1)).isEqualTo(Duration.ofMillis(100));
    assertThat(policy.backoffBeforeRetry(2)).isEqualTo(Duration.ofMillis(200));
    assertThat(policy.backoffBeforeRetry(3)).isEqualTo(Duration.ofMillis(350));
    assertThat(policy.backoffBeforeRetry(30)).isEqualTo(Duration.ofMillis(350));
  }

  @Test
  void transientFailuresAreRetriedUntilTheAttemptsAreUsedUp() {
    IOException refused = new IOException("wrapped", new ConnectException("Connection refused"));
    assertThat(policy.shouldRetry(1, refused)).isTrue();
    assertThat(policy.shouldRetry(3, refused)).isTrue();
    assertThat(policy.shouldRetry(4, refused)).isFalse();
  }

  @Test
  void serverErrorsAreRetriedOnlyForTheConfiguredCodesEvenWhenCarriedByAnIoException() {
    ServerException tooManyParts = new ServerException(252, "Too many parts", 500, "q1");
    ServerException syntax = new ServerException(62, "Syntax error", 400, "q2");
    assertThat(policy.isTransient(tooManyParts)).isTrue();
    assertThat(policy.isTransient(new IOException(syntax))).isFalse();
    assertThat(policy.isTransient(new RuntimeException("Code: 252. DB::Exception: Too many parts")))
        .isTrue();
    assertThat(policy.isTransient(new RuntimeException("Code: 62. DB::Exception: Syntax error")))
        .isFalse();
    // 18.16's wording of the same error
    assertThat(
            policy.isTransient(
                new RuntimeException("Code: 252, e.displayText() = DB::Exception: Too many parts")))
        .isTrue();
  }

  @Test
  void anUnknownTableIsRetriedOnlyWhenAskedFor() {
    ServerException unknownTable =
        new ServerException(RetryPolicy.UNKNOWN_TABLE, "Table t.x doesn't exist", 404, "q");
    assertThat(RetryPolicy.defaults().isTransient(unknownTable)).isFalse();
    assertThat(
            RetryPolicy.defaults()
                .alsoRetrying(RetryPolicy.UNKNOWN_TABLE)
                .isTransient(unknownTable))
        .isTrue();
  }

  @Test
  void aBadRowIsNotTransient() {
    assertThat(policy.isTransient(new IllegalArgumentException("not a finite Float64"))).isFalse();
  }

  @Test
  void nonsensicalSettingsAreRefused() {
    assertThatThrownBy(() -> new RetryPolicy(0, Duration.ZERO, Duration.ZERO, 2, Set.of()))
        .hasMessageContaining("maxAttempts");
    assertThatThrownBy(
            () -> new RetryPolicy(3, Duration.ofSeconds(2), Duration.ofSeconds(1), 2, Set.of()))
        .hasMessageContaining("maxBackoff");
    assertThatThrownBy(() -> new RetryPolicy(3, Duration.ZERO, Duration.ZERO, 0.5, Set.of()))
        .hasMessageContaining("multiplier");
  }
}
