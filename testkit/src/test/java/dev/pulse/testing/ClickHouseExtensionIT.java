package dev.pulse.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pulse.clickhouse.ClickHouseException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Proves the ClickHouse extension gives a real server: version, DDL, inserts and selects, per-class
 * databases.
 */
@ExtendWith(ClickHouseExtension.class)
class ClickHouseExtensionIT {

  @Test
  void serverReportsItsVersionAndItIsTheDebianPackageUnlessExternal(TestClickHouse ch) {
    assertThat(ch.version()).matches("\\d+\\.\\d+\\.\\d+(\\.\\d+)?");
    if (!ch.external()) {
      assertThat(ch.version()).startsWith("18.16.");
      assertThat(ch.httpUrl()).startsWith("http://127.0.0.1:");
    }
  }

  @Test
  void tableCreatedInTheClassDatabaseReturnsInsertedRowsAsTabSeparated(TestClickHouse ch) {
    ch.execute("CREATE TABLE items (id UInt32, name String) ENGINE = MergeTree ORDER BY id");
    ch.execute("INSERT INTO items VALUES (2, 'two'), (1, 'one\\ttab')");
    // TabSeparated escapes the tab inside the value as \t.
    assertThat(ch.query("SELECT id, name FROM items ORDER BY id"))
        .isEqualTo("1\tone\\ttab\n2\ttwo\n");
    assertThat(
            ch.query(
                "SELECT count() FROM system.tables WHERE database = '"
                    + ch.database()
                    + "' AND name = 'items'"))
        .isEqualTo("1\n");
  }

  @Test
  void databaseNameIsAValidIdentifierUniqueToTheTestClass(TestClickHouse ch) {
    assertThat(ch.database()).matches("[a-z_][a-z0-9_]*").startsWith("t_clickhouseextensionit_");
    TestClickHouse other =
        new TestClickHouse(ClickHouseExtension.server(), "t_" + TestNames.classId(Other.class));
    assertThat(other.database()).isNotEqualTo(ch.database());
    assertThat(
            ch.query(
                "SELECT count() FROM system.databases WHERE name IN ('"
                    + ch.database()
                    + "', '"
                    + other.database()
                    + "')"))
        .isEqualTo("2\n");
  }

  @Test
  void refusedQueryFailsWithClickHousesErrorText(TestClickHouse ch) {
    assertThatThrownBy(() -> ch.query("SELECT * FROM no_such_table"))
        .isInstanceOf(ClickHouseException.class)
        .hasMessageContaining("no_such_table")
        .hasMessageContaining("doesn't exist");
  }

  private static final class Other {}
}
