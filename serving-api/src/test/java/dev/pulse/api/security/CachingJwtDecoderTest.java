package dev.pulse.api.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;

class CachingJwtDecoderTest {

  private static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");

  /** A clock the test moves. */
  private static final class MovingClock extends Clock {
    Instant now = T0;

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }

  /** A verifier that accepts "good-<minutes to exp>" tokens while they have not expired. */
  private static JwtDecoder verifier(MovingClock clock, AtomicInteger calls) {
    return token -> {
      calls.incrementAndGet();
      if (!token.startsWith("good-")) {
        throw new BadJwtException("bad signature");
      }
      Instant exp = T0.plus(Duration.ofMinutes(Long.parseLong(token.substring(5))));
      if (!clock.instant().isBefore(exp)) {
        throw new BadJwtException("expired");
      }
      return Jwt.withTokenValue(token)
          .header("alg", "RS256")
          .subject("someone")
          .issuedAt(T0)
          .expiresAt(exp)
          .build();
    };
  }

  @Test
  void aTokenVerifiedOnceIsNotVerifiedAgainWhileItIsValid() {
    MovingClock clock = new MovingClock();
    AtomicInteger calls = new AtomicInteger();
    CachingJwtDecoder decoder = new CachingJwtDecoder(verifier(clock, calls), 100, clock);

    Jwt first = decoder.decode("good-60");
    clock.now = T0.plus(Duration.ofMinutes(4));
    Jwt second = decoder.decode("good-60");

    assertThat(second).isSameAs(first);
    assertThat(calls).hasValue(1);
  }

  @Test
  void aTokenIsVerifiedAgainOnceExpiredAndAfterFiveMinutesAtMost() {
    MovingClock clock = new MovingClock();
    AtomicInteger calls = new AtomicInteger();
    CachingJwtDecoder decoder = new CachingJwtDecoder(verifier(clock, calls), 100, clock);
    decoder.decode("good-60");
    decoder.decode("good-2");

    clock.now = T0.plus(Duration.ofMinutes(3));
    decoder.decode("good-60");
    assertThat(calls).as("the 60-minute token is still remembered").hasValue(2);
    assertThatThrownBy(() -> decoder.decode("good-2"))
        .as("the 2-minute token, expired, goes to the verifier, which refuses it")
        .isInstanceOf(BadJwtException.class);
    assertThat(calls).hasValue(3);

    clock.now = T0.plus(Duration.ofMinutes(5));
    decoder.decode("good-60");
    assertThat(calls).as("after 5 minutes even a valid token is verified again").hasValue(4);
  }

  @Test
  void aRefusedTokenIsRefusedEveryTime() {
    MovingClock clock = new MovingClock();
    AtomicInteger calls = new AtomicInteger();
    CachingJwtDecoder decoder = new CachingJwtDecoder(verifier(clock, calls), 100, clock);

    for (int i = 0; i < 3; i++) {
      assertThatThrownBy(() -> decoder.decode("forged")).isInstanceOf(BadJwtException.class);
    }
    assertThat(calls).hasValue(3);
  }
}
