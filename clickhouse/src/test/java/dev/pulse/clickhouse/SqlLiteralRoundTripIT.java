package dev.pulse.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.testing.ClickHouseExtension;
import dev.pulse.testing.TestClickHouse;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every literal SqlLiteral renders reads back from the real server as exactly the value it came
 * from. The failure this prevents: a value that changes meaning (or escapes the literal) on its way
 * into SQL.
 */
@ExtendWith(ClickHouseExtension.class)
class SqlLiteralRoundTripIT {

  private static ClickHouse client;

  @BeforeAll
  static void connect(TestClickHouse ch) {
    client = ClickHouse.connect(ch.httpUrl(), ch.user(), ch.password(), ch.database());
  }

  @AfterAll
  static void close() {
    client.close();
  }

  static List<String> hostileStrings() {
    List<String> values =
        new ArrayList<>(
            List.of(
                "",
                "plain",
                "it's",
                "''",
                "\\",
                "\\'",
                "'\\",
                "a\\nb (backslash n, not newline)",
                "'; DROP TABLE x; --",
                "\"double\" `back`",
                "line1\nline2\r\n",
                "tab\there",
                "nul\0inside",
                "\b\f\u0007\u000b\u001b\u007f",
                "café ü 日本語 Ελληνικά",
                "emoji 😀👩‍👩‍👧",
                "\u0080\u00a0\u00ff",
                "%s {x:String} ?"));
    StringBuilder all = new StringBuilder();
    for (char c = 0; c < 256; c++) {
      all.append(c);
    }
    values.add(all.toString());
    return values;
  }

  @Test
  void hostileStringsReadBackExactlyAsJson() {
    for (String s : hostileStrings()) {
      String got =
          client.query("SELECT " + SqlLiteral.string(s) + " AS s").get(0).get("s").asText();
      assertThat(got).as("literal %s", SqlLiteral.string(s)).isEqualTo(s);
    }
  }

  @Test
  void hostileStringsReadBackExactlyAsRawText() {
    for (String s : hostileStrings()) {
      if (s.indexOf('\n') >= 0) {
        continue; // TabSeparatedRaw ends rows with \n, so a newline inside cannot be told apart;
        // JSON covers it
      }
      String got = client.queryText("SELECT " + SqlLiteral.string(s) + " FORMAT TabSeparatedRaw");
      assertThat(got).as("literal %s", SqlLiteral.string(s)).isEqualTo(s + "\n");
    }
  }

  @Test
  void stringLiteralsStoredInATableReadBackExactly() {
    client.execute("CREATE TABLE strings (i UInt32, s String) ENGINE = MergeTree ORDER BY i");
    List<String> values = hostileStrings();
    StringBuilder insert = new StringBuilder("INSERT INTO strings VALUES ");
    for (int i = 0; i < values.size(); i++) {
      insert
          .append(i == 0 ? "" : ", ")
          .append('(')
          .append(i)
          .append(", ")
          .append(SqlLiteral.string(values.get(i)))
          .append(')');
    }
    client.execute(insert.toString());
    var rows = client.query("SELECT i, s FROM strings ORDER BY i");
    assertThat(rows).hasSize(values.size());
    for (var row : rows) {
      assertThat(row.get("s").asText()).isEqualTo(values.get(row.get("i").asInt()));
    }
    assertThat(
            client
                .query(
                    "SELECT count() AS c FROM strings WHERE s = "
                        + SqlLiteral.string("'; DROP TABLE x; --"))
                .get(0)
                .get("c")
                .asLong())
        .isEqualTo(1);
  }

  @Test
  void integersReadBackExactlyIncludingTheExtremes() {
    for (long v : new long[] {0, 1, -1, 42, Long.MAX_VALUE, Long.MIN_VALUE, Integer.MIN_VALUE}) {
      var row = client.query("SELECT toString(toInt64(" + SqlLiteral.int64(v) + ")) AS v").get(0);
      assertThat(row.get("v").asText()).isEqualTo(Long.toString(v));
    }
    for (long v : new long[] {0, 7, -1L, Long.MIN_VALUE}) {
      var row = client.query("SELECT toString(toUInt64(" + SqlLiteral.uint64(v) + ")) AS v").get(0);
      assertThat(row.get("v").asText()).isEqualTo(Long.toUnsignedString(v));
    }
  }

  @Test
  void floatsReadBackAsTheSameDouble() {
    for (double v :
        new double[] {
          0.0, -0.0, 0.1, -2.5, 1e-10, 123456.789, Double.MAX_VALUE, Double.MIN_NORMAL, 1.0 / 3
        }) {
      // The stored bits, not a printed decimal: a nearby double cannot pass for the right one.
      // (18.16 cannot reinterpret Float64 as UInt64 directly; via its bytes it can.)
      var row =
          client
              .query(
                  "SELECT toString(reinterpretAsUInt64(reinterpretAsString("
                      + SqlLiteral.float64(v)
                      + "))) AS bits")
              .get(0);
      assertThat(Long.parseUnsignedLong(row.get("bits").asText()))
          .as("%s", v)
          .isEqualTo(Double.doubleToRawLongBits(v));
    }
  }

  @Test
  void dateTimesAndDatesReadBackAsTheSameInstantAndDay() {
    for (String t :
        List.of(
            "1970-01-01T00:00:00Z",
            "2026-03-01T12:00:05Z",
            "2024-02-29T23:59:59Z",
            "2105-12-31T23:59:59Z")) {
      Instant instant = Instant.parse(t);
      var row = client.query("SELECT toUInt32(" + SqlLiteral.dateTime(instant) + ") AS s").get(0);
      assertThat(row.get("s").asLong()).as(t).isEqualTo(instant.getEpochSecond());
    }
    for (LocalDate d :
        List.of(LocalDate.of(1970, 1, 1), LocalDate.of(2024, 2, 29), LocalDate.of(2105, 12, 31))) {
      // Compared as a day number: 18.16 prints day 0 (1970-01-01) as "0000-00-00".
      var row = client.query("SELECT toUInt16(" + SqlLiteral.date(d) + ") AS d").get(0);
      assertThat(row.get("d").asLong()).as(d.toString()).isEqualTo(d.toEpochDay());
    }
  }

  @Test
  void stringArraysReadBackElementByElement() {
    List<String> values = List.of("a", "it's", "x\ny", "😀");
    var row =
        client
            .query(
                "SELECT "
                    + SqlLiteral.stringArray(values)
                    + " AS a, toTypeName("
                    + SqlLiteral.stringArray(List.of())
                    + ") AS t")
            .get(0);
    List<String> got = new ArrayList<>();
    row.get("a").forEach(n -> got.add(n.asText()));
    assertThat(got).isEqualTo(values);
    assertThat(row.get("t").asText()).isEqualTo("Array(String)");
  }
}
