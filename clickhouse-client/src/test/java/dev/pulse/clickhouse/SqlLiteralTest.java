package dev.pulse.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Exact rendering of every literal kind; expected strings written by hand from ClickHouse's literal
 * syntax.
 */
class SqlLiteralTest {

  @Test
  void plainStringIsSingleQuoted() {
    assertThat(SqlLiteral.string("abc")).isEqualTo("'abc'");
    assertThat(SqlLiteral.string("")).isEqualTo("''");
  }

  @Test
  void quoteAndBackslashAreBackslashEscaped() {
    assertThat(SqlLiteral.string("it's")).isEqualTo("'it\\'s'");
    assertThat(SqlLiteral.string("a\\b")).isEqualTo("'a\\\\b'");
    assertThat(SqlLiteral.string("\\'")).isEqualTo("'\\\\\\''");
  }

  @Test
  void injectionAttemptStaysInsideTheLiteral() {
    assertThat(SqlLiteral.string("'; DROP TABLE x; --")).isEqualTo("'\\'; DROP TABLE x; --'");
  }

  @Test
  void shortEscapesForNulAndWhitespaceControls() {
    assertThat(SqlLiteral.string("\0\b\f\n\r\t")).isEqualTo("'\\0\\b\\f\\n\\r\\t'");
  }

  @Test
  void otherControlCharactersBecomeHexEscapes() {
    assertThat(SqlLiteral.string("\u0001\u001f\u007f\u001b")).isEqualTo("'\\x01\\x1F\\x7F\\x1B'");
  }

  @Test
  void nonAsciiAndSurrogatePairsPassThrough() {
    assertThat(SqlLiteral.string("café ü 日本 😀")).isEqualTo("'café ü 日本 😀'");
    assertThat(SqlLiteral.string("\u0080\u00ff")).isEqualTo("'\u0080\u00ff'");
  }

  @Test
  void renderedStringContainsNoRawControlCharacterOrUnescapedQuote() {
    StringBuilder all = new StringBuilder();
    for (char c = 0; c < 256; c++) {
      all.append(c);
    }
    String literal = SqlLiteral.string(all.toString());
    String inner = literal.substring(1, literal.length() - 1);
    assertThat(inner.chars().filter(c -> c < 0x20 || c == 0x7f).count()).isZero();
    assertThat(inner.replace("\\\\", "").replace("\\'", "")).doesNotContain("'");
  }

  @Test
  void loneSurrogatesAreRejected() {
    assertThatThrownBy(() -> SqlLiteral.string("a\uD83D"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unpaired high surrogate U+D83D at index 1");
    assertThatThrownBy(() -> SqlLiteral.string("\uDE00b"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unpaired low surrogate U+DE00 at index 0");
    assertThatThrownBy(() -> SqlLiteral.string("\uD83Dx"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void nullStringIsRejected() {
    assertThatThrownBy(() -> SqlLiteral.string(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void identifierIsBackquotedWhenItIsPlain() {
    assertThat(SqlLiteral.identifier("playback_events_raw")).isEqualTo("`playback_events_raw`");
    assertThat(SqlLiteral.identifier("_x9")).isEqualTo("`_x9`");
  }

  @Test
  void identifierWithAnythingElseIsRejected() {
    for (String bad : List.of("", "9abc", "a-b", "a b", "a`b", "db.table", "naïve", "x;DROP")) {
      assertThatThrownBy(() -> SqlLiteral.identifier(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("not a valid identifier");
    }
  }

  @Test
  void integersRenderInDecimal() {
    assertThat(SqlLiteral.int64(0)).isEqualTo("0");
    assertThat(SqlLiteral.int64(-42)).isEqualTo("-42");
    assertThat(SqlLiteral.int64(Long.MAX_VALUE)).isEqualTo("9223372036854775807");
    assertThat(SqlLiteral.int64(Long.MIN_VALUE)).isEqualTo("toInt64('-9223372036854775808')");
    assertThat(SqlLiteral.uint64(-1L)).isEqualTo("18446744073709551615");
    assertThat(SqlLiteral.uint64(7)).isEqualTo("7");
  }

  @Test
  void floatsRenderAsTheShortestExactDecimal() {
    assertThat(SqlLiteral.float64(0.1)).isEqualTo("toFloat64('0.1')");
    assertThat(SqlLiteral.float64(-2.5)).isEqualTo("toFloat64('-2.5')");
    assertThat(SqlLiteral.float64(1e-10)).isEqualTo("toFloat64('1.0E-10')");
  }

  @Test
  void nonFiniteFloatsAreRejected() {
    for (double d : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
      assertThatThrownBy(() -> SqlLiteral.float64(d))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("not a finite number");
    }
  }

  @Test
  void dateTimeRendersInUtcWithExplicitZone() {
    assertThat(SqlLiteral.dateTime(Instant.parse("2026-03-01T12:00:05Z")))
        .isEqualTo("toDateTime('2026-03-01 12:00:05', 'UTC')");
    assertThat(SqlLiteral.dateTime(Instant.EPOCH))
        .isEqualTo("toDateTime('1970-01-01 00:00:00', 'UTC')");
  }

  @Test
  void dateTimeRejectsFractionalSecondsAndOutOfRange() {
    assertThatThrownBy(() -> SqlLiteral.dateTime(Instant.parse("2026-03-01T12:00:05.001Z")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("second precision");
    assertThatThrownBy(() -> SqlLiteral.dateTime(Instant.parse("1969-12-31T23:59:59Z")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("out of range");
    assertThatThrownBy(() -> SqlLiteral.dateTime(Instant.parse("2106-01-01T00:00:00Z")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("out of range");
  }

  @Test
  void dateRendersIsoAndRejectsOutOfRange() {
    assertThat(SqlLiteral.date(LocalDate.of(2026, 3, 1))).isEqualTo("toDate('2026-03-01')");
    assertThatThrownBy(() -> SqlLiteral.date(LocalDate.of(1969, 12, 31)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SqlLiteral.date(LocalDate.of(2106, 1, 1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void stringArrayQuotesEachElementAndKeepsTheTypeWhenEmpty() {
    assertThat(SqlLiteral.stringArray(List.of("a", "it's"))).isEqualTo("['a', 'it\\'s']");
    assertThat(SqlLiteral.stringArray(List.of())).isEqualTo("emptyArrayString()");
    assertThatThrownBy(() -> SqlLiteral.stringArray(Arrays.asList("a", null)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("null element at index 1");
  }
}
