package dev.pulse.api.security;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;

/**
 * Remembers the tokens {@code verifier} accepted, so that a dashboard's every request does not
 * verify its caller's signature and claims again (measured: 13 % of a request thread's time, the
 * benchmarks README). A token is remembered for at most {@link #LONGEST} and never past its {@code
 * exp}; after that it is verified again, so the cache never accepts what the verifier would refuse
 * then, except a signing key withdrawn in the last {@link #LONGEST}. Refusals are not remembered.
 * Written here because Spring Security caches key sets, not verified tokens.
 */
final class CachingJwtDecoder implements JwtDecoder {

  /** Longest a verified token is taken on trust. */
  static final Duration LONGEST = Duration.ofMinutes(5);

  private final JwtDecoder verifier;
  private final Cache<String, Jwt> verified;

  CachingJwtDecoder(JwtDecoder verifier, long maximumTokens, Clock clock) {
    this.verifier = verifier;
    this.verified =
        Caffeine.newBuilder()
            .maximumSize(maximumTokens)
            .ticker(() -> clock.millis() * 1_000_000L)
            .expireAfter(
                new Expiry<String, Jwt>() {
                  @Override
                  public long expireAfterCreate(String token, Jwt jwt, long now) {
                    Instant exp = jwt.getExpiresAt();
                    long untilExp =
                        exp == null ? 0 : Duration.between(clock.instant(), exp).toNanos();
                    return Math.max(0, Math.min(LONGEST.toNanos(), untilExp));
                  }

                  @Override
                  public long expireAfterUpdate(String token, Jwt jwt, long now, long left) {
                    return left;
                  }

                  @Override
                  public long expireAfterRead(String token, Jwt jwt, long now, long left) {
                    return left;
                  }
                })
            .build();
  }

  @Override
  public Jwt decode(String token) throws JwtException {
    Jwt known = verified.getIfPresent(token);
    if (known != null) {
      return known;
    }
    Jwt jwt = verifier.decode(token);
    verified.put(token, jwt);
    return jwt;
  }
}
