package dev.pulse.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.testing.ClickHouseExtension;
import dev.pulse.testing.TestClickHouse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The client against the real server: each 18.16 rule of docs/clickhouse-18.16.md is exercised
 * once.
 */
@ExtendWith(ClickHouseExtension.class)
class ClickHouseIT {

  private static ClickHouse client;

  @BeforeAll
  static void connect(TestClickHouse ch) {
    client = ClickHouse.connect(ch.httpUrl(), ch.user(), ch.password(), ch.database());
  }

  @AfterAll
  static void close() {
    client.close();
  }

  @Test
  void serverVersionIsReadWithSelectVersion(TestClickHouse ch) {
    assertThat(client.serverVersion()).isEqualTo(ch.version()).matches("\\d+\\.\\d+\\.\\d+.*");
  }

  @Test
  void unqualifiedTablesResolveInTheConfiguredDatabase(TestClickHouse ch) {
    client.execute("CREATE TABLE IF NOT EXISTS db_probe (x UInt8) ENGINE = TinyLog");
    assertThat(
            ch.query(
                "SELECT count() FROM system.tables WHERE database = '"
                    + ch.database()
                    + "' AND name = 'db_probe'"))
        .isEqualTo("1\n");
    assertThat(client.query("SELECT currentDatabase() AS d").get(0).get("d").asText())
        .isEqualTo(ch.database());
  }

  @Test
  void jsonEachRowInsertAndReadRoundTripsEveryColumnType() {
    client.execute(
        "CREATE TABLE rt (id UInt64, n Int64, f Float64, s String, t DateTime, a Array(String), o Nullable(String))"
            + " ENGINE = MergeTree ORDER BY id");
    client.insertJsonEachRow(
        "rt",
        List.of(
            "{\"id\":\"18446744073709551615\",\"n\":-5,\"f\":0.25,\"s\":\"caf\\u00e9 'q'\",\"t\":\"2026-03-01 12:00:05\",\"a\":[\"x\",\"y\"],\"o\":null}",
            "{\"id\":1,\"n\":\"9223372036854775807\",\"f\":-1.5,\"s\":\"\",\"t\":\"1970-01-01 00:00:01\",\"a\":[],\"o\":\"set\"}"));
    List<JsonNode> rows = client.query("SELECT * FROM rt ORDER BY id");
    assertThat(rows).hasSize(2);
    JsonNode first = rows.get(0);
    assertThat(first.get("id").asText()).isEqualTo("1");
    assertThat(first.get("n").asText())
        .isEqualTo("9223372036854775807"); // 64-bit integers come back quoted
    assertThat(first.get("n").asLong()).isEqualTo(Long.MAX_VALUE);
    assertThat(first.get("o").asText()).isEqualTo("set");
    JsonNode second = rows.get(1);
    assertThat(second.get("id").asText()).isEqualTo("18446744073709551615");
    assertThat(second.get("n").asLong()).isEqualTo(-5);
    assertThat(second.get("f").asDouble()).isEqualTo(0.25);
    assertThat(second.get("s").asText()).isEqualTo("café 'q'");
    assertThat(second.get("t").asText()).isEqualTo("2026-03-01 12:00:05");
    assertThat(second.get("a").get(1).asText()).isEqualTo("y");
    assertThat(second.get("o").isNull()).isTrue();
  }

  @Test
  void emptyResultIsAnEmptyList() {
    assertThat(client.query("SELECT 1 AS x WHERE 0")).isEmpty();
  }

  @Test
  void queryTextReturnsTheBodyInTheFormatTheSqlNames() {
    assertThat(client.queryText("SELECT 1 AS a, 'b' AS b FORMAT TabSeparatedWithNames"))
        .isEqualTo("a\tb\n1\tb\n");
  }

  @Test
  void refusedQueryCarriesClickHousesErrorTextAndCode() {
    assertThatThrownBy(() -> client.query("SELECT * FROM no_such_table"))
        .isInstanceOf(ClickHouseException.class)
        .hasMessageContaining("no_such_table")
        .satisfies(
            e -> assertThat(((ClickHouseException) e).code()).as(e.getMessage()).isEqualTo(60));
    assertThatThrownBy(() -> client.execute("CREATE TABLE broken (x UInt8) ENGINE = NoSuchEngine"))
        .isInstanceOf(ClickHouseException.class)
        .hasMessageContaining("NoSuchEngine");
  }

  @Test
  void aQueryStoppedAfterItsAnswerBeganThrowsTheServersErrorNotTheRowsBeforeIt() {
    // 850,000-odd rows (16 MB) are on their way when the row 900,000 throws: 18.16 writes its
    // error into the body of a 200 answer, after them.
    assertThatThrownBy(
            () ->
                client.query(
                    "SELECT number FROM numbers(1000000) WHERE throwIf(number = 900000) = 0"))
        .isInstanceOf(ClickHouseException.class)
        .hasMessageContaining("stopped")
        .hasMessageContaining("throwIf")
        .satisfies(
            e -> assertThat(((ClickHouseException) e).code()).as(e.getMessage()).isEqualTo(395));
  }

  @Test
  void queryRefusesSqlThatNamesItsOwnFormat() {
    assertThatThrownBy(() -> client.query("SELECT 1 FORMAT TabSeparated"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("queryText");
  }

  @Test
  void badJsonRowFailsTheInsertWithTheServersMessage() {
    client.execute("CREATE TABLE IF NOT EXISTS strict_rows (id UInt64) ENGINE = TinyLog");
    assertThatThrownBy(
            () -> client.insertJsonEachRow("strict_rows", List.of("{\"id\":\"not a number\"}")))
        .isInstanceOf(ClickHouseException.class)
        .hasMessageContaining("strict_rows");
  }
}
