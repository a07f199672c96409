package dev.pulse.api.services;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pulse.api.security.Tenant;
import dev.pulse.api.series.Granularity;
import dev.pulse.api.support.InvalidArgumentException;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SeriesQueryTest {

  private static final Instant FROM = Instant.parse("2026-03-02T09:00:00Z");
  private static final Instant TO = Instant.parse("2026-03-02T10:00:00Z");

  private static SeriesQuery service(String service) {
    return new SeriesQuery(service, null, null, null, FROM, TO, null);
  }

  @Test
  void overLongStringArgumentsAreRefused() {
    assertThat(service("a".repeat(256)).service()).hasSize(256);
    assertThatThrownBy(() -> service("a".repeat(257)))
        .isInstanceOf(InvalidArgumentException.class)
        .hasMessageContaining("service is 257 characters");
  }

  @Test
  void everyStringArgumentIsCheckedByItsName() {
    String long257 = "a".repeat(257);
    assertThatThrownBy(() -> new SeriesQuery("s", long257, null, null, FROM, TO, null))
        .hasMessageContaining("endpoint is 257 characters");
    assertThatThrownBy(() -> new SeriesQuery("s", null, long257, null, FROM, TO, null))
        .hasMessageContaining("method is 257 characters");
    assertThatThrownBy(() -> new SeriesQuery("s", null, null, long257, FROM, TO, null))
        .hasMessageContaining("region is 257 characters");
    assertThatThrownBy(() -> new UpdatesQuery("s", null, null, long257))
        .isInstanceOf(InvalidArgumentException.class)
        .hasMessageContaining("region is 257 characters");
  }

  @Test
  void theFilterCarriesTheTenantAndTheStrings() {
    assertThat(
            new SeriesQuery("s", "/e", "GET", "eu", FROM, TO, Granularity.HOUR)
                .filter(new Tenant("t")))
        .isEqualTo(new MetricsFilter(new Tenant("t"), "s", "/e", "GET", "eu"));
    assertThat(new UpdatesQuery("s", null, null, null).filter(new Tenant("t")))
        .isEqualTo(new MetricsFilter(new Tenant("t"), "s", null, null, null));
  }
}
