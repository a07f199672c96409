package dev.pulse.clickhouse;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Renders Java values as ClickHouse SQL literals: the one place where values become SQL text.
 *
 * <p>Why it exists: ClickHouse 18.16 has no server-side query parameters, so every value that
 * reaches a query is rendered here, strictly typed, and nowhere else (18.16 has no query
 * parameters: docs/clickhouse-18.16.md). Each function accepts exactly one Java type and rejects
 * what ClickHouse would misread (NaN, lone surrogates, out-of-range dates) with an {@link
 * IllegalArgumentException} instead of producing SQL that means something else.
 */
public final class SqlLiteral {

  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final DateTimeFormatter DATE_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT);

  /**
   * DateTime is a UInt32 of seconds; 18.16's date tables end in 2105, so later values would wrap or
   * saturate.
   */
  private static final Instant MAX_DATE_TIME = Instant.parse("2105-12-31T23:59:59Z");

  private static final LocalDate MAX_DATE = LocalDate.of(2105, 12, 31);
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private SqlLiteral() {}

  /**
   * A single-quoted string literal. Backslash and quote are backslash-escaped; NUL, \b, \f, \n, \r,
   * \t use their short escapes and every other control character (U+0001..U+001F, U+007F) becomes
   * {@code \xHH}, so the SQL text stays printable and one line. Other characters pass through as
   * UTF-8.
   *
   * @throws IllegalArgumentException if {@code value} contains an unpaired UTF-16 surrogate, which
   *     has no UTF-8 encoding and would otherwise reach the server as '?'
   */
  public static String string(String value) {
    Objects.requireNonNull(value, "value");
    StringBuilder out = new StringBuilder(value.length() + 2).append('\'');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '\\' -> out.append("\\\\");
        case '\'' -> out.append("\\'");
        case '\0' -> out.append("\\0");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x7F) {
            out.append("\\x").append(HEX[c >> 4]).append(HEX[c & 0xF]);
          } else if (Character.isHighSurrogate(c)) {
            if (i + 1 >= value.length() || !Character.isLowSurrogate(value.charAt(i + 1))) {
              throw new IllegalArgumentException(
                  "unpaired high surrogate U+" + hex4(c) + " at index " + i);
            }
            out.append(c).append(value.charAt(++i));
          } else if (Character.isLowSurrogate(c)) {
            throw new IllegalArgumentException(
                "unpaired low surrogate U+" + hex4(c) + " at index " + i);
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('\'').toString();
  }

  /**
   * A back-quoted identifier (table, column, database). Only {@code [A-Za-z_][A-Za-z0-9_]*} is
   * accepted: names are chosen by code, never by users, so anything else is a bug worth failing on.
   */
  public static String identifier(String name) {
    Objects.requireNonNull(name, "name");
    if (!IDENTIFIER.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "not a valid identifier (expected [A-Za-z_][A-Za-z0-9_]*): '" + name + "'");
    }
    return "`" + name + "`";
  }

  /**
   * A signed 64-bit integer, e.g. {@code -42}; {@code toInt64(...)} for the minimum, whose
   * magnitude does not fit Int64.
   */
  public static String int64(long value) {
    if (value == Long.MIN_VALUE) {
      // ClickHouse parses "-9223372036854775808" as minus applied to a UInt64 and may lose the
      // type.
      return "toInt64('-9223372036854775808')";
    }
    return Long.toString(value);
  }

  /**
   * An unsigned 64-bit integer from the bits of {@code value}: {@code -1L} renders as
   * 18446744073709551615.
   */
  public static String uint64(long value) {
    return Long.toUnsignedString(value);
  }

  /**
   * A 64-bit float literal that reads back as the same double, e.g. {@code 0.1}, {@code 1.0e-10}.
   *
   * @throws IllegalArgumentException for NaN and infinities: they have no place in a metric and
   *     would otherwise be written as identifiers ClickHouse cannot resolve
   */
  public static String float64(double value) {
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      throw new IllegalArgumentException("not a finite number: " + value);
    }
    // Double.toString gives the shortest decimal that reads back exactly; "E" works, "e" is
    // conventional.
    return "toFloat64(" + string(Double.toString(value)) + ")";
  }

  /**
   * A DateTime in UTC: {@code toDateTime('2026-03-01 12:00:05', 'UTC')}. Whole seconds only,
   * because DateTime has second precision and silent truncation would hide lost milliseconds.
   *
   * @throws IllegalArgumentException for fractional seconds or instants outside
   *     1970-01-01..2105-12-31
   */
  public static String dateTime(Instant value) {
    Objects.requireNonNull(value, "value");
    if (value.getNano() != 0) {
      throw new IllegalArgumentException(
          "DateTime has second precision; truncate explicitly "
              + "(instant.truncatedTo(ChronoUnit.SECONDS)): "
              + value);
    }
    if (value.isBefore(Instant.EPOCH) || value.isAfter(MAX_DATE_TIME)) {
      throw new IllegalArgumentException(
          "DateTime out of range 1970-01-01T00:00:00Z..2105-12-31T23:59:59Z: " + value);
    }
    return "toDateTime('"
        + DATE_TIME.format(LocalDateTime.ofInstant(value, ZoneOffset.UTC))
        + "', 'UTC')";
  }

  /**
   * A Date: {@code toDate('2026-03-01')}.
   *
   * @throws IllegalArgumentException outside 1970-01-01..2105-12-31
   */
  public static String date(LocalDate value) {
    Objects.requireNonNull(value, "value");
    if (value.isBefore(LocalDate.EPOCH) || value.isAfter(MAX_DATE)) {
      throw new IllegalArgumentException("Date out of range 1970-01-01..2105-12-31: " + value);
    }
    return "toDate('" + value + "')";
  }

  /**
   * An Array(String): {@code ['a', 'b']}; the empty list renders as {@code emptyArrayString()} to
   * keep its type.
   */
  public static String stringArray(List<String> values) {
    Objects.requireNonNull(values, "values");
    if (values.isEmpty()) {
      return "emptyArrayString()";
    }
    StringBuilder out = new StringBuilder("[");
    for (int i = 0; i < values.size(); i++) {
      String v = values.get(i);
      if (v == null) {
        throw new IllegalArgumentException(
            "null element at index " + i + ": Array(String) cannot hold NULL");
      }
      if (i > 0) {
        out.append(", ");
      }
      out.append(string(v));
    }
    return out.append(']').toString();
  }

  private static String hex4(char c) {
    return String.format(Locale.ROOT, "%04X", (int) c);
  }
}
