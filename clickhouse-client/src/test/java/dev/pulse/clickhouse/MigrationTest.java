package dev.pulse.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Parsing of migration files: statement splitting, gates, names, checksums, and the packaged files.
 */
class MigrationTest {

  @Test
  void semicolonsInsideLiteralsIdentifiersAndCommentsDoNotSplit() {
    List<Migration.Statement> s =
        Migration.split(
            """
                -- a comment; with a semicolon
                SELECT 'a;b', `x;y`, "p;q" FROM t; /* block; comment */
                SELECT 'it\\'s;', 'doubled '';' ;
                """);
    assertThat(s)
        .extracting(Migration.Statement::sql)
        .containsExactly("SELECT 'a;b', `x;y`, \"p;q\" FROM t", "SELECT 'it\\'s;', 'doubled '';'");
  }

  @Test
  void commentsAreRemovedButDoubleDashInsideAStringIsKept() {
    List<Migration.Statement> s = Migration.split("SELECT '--not a comment' -- real comment\n, 2;");
    assertThat(s)
        .extracting(Migration.Statement::sql)
        .containsExactly("SELECT '--not a comment'\n, 2");
  }

  @Test
  void requiresCommentGatesOnlyTheNextStatement() {
    List<Migration.Statement> s =
        Migration.split(
            """
                CREATE TABLE a (x UInt8) ENGINE = TinyLog;
                -- requires: 20.1
                ALTER TABLE a MODIFY TTL now();
                SELECT 1;
                """);
    assertThat(s)
        .extracting(Migration.Statement::requires)
        .containsExactly(Optional.empty(), Optional.of("20.1"), Optional.empty());
  }

  @Test
  void unlessExistsCommentGatesOnlyTheNextStatementAndCombinesWithRequires() {
    List<Migration.Statement> s =
        Migration.split(
            """
                CREATE TABLE IF NOT EXISTS b (x UInt8) ENGINE = TinyLog;
                -- unless-exists: a_retired
                RENAME TABLE a TO a_retired, b TO a;
                -- requires: 20.1
                -- unless-exists: c
                CREATE TABLE c (x UInt8) ENGINE = TinyLog;
                DROP TABLE IF EXISTS a_retired;
                """);
    assertThat(s)
        .extracting(Migration.Statement::unlessExists)
        .containsExactly(
            Optional.empty(), Optional.of("a_retired"), Optional.of("c"), Optional.empty());
    assertThat(s.get(2).requires()).contains("20.1");
  }

  @Test
  void malformedGateAndUnterminatedQuoteAreRejected() {
    assertThatThrownBy(() -> Migration.split("-- unless-exists: db.t\nSELECT 1;"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("needs a plain table name");
    assertThatThrownBy(() -> Migration.split("SELECT 1;\n-- unless-exists: t\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not followed by a statement");
    assertThatThrownBy(() -> Migration.split("-- requires: soon\nSELECT 1;"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("needs a version like 20.1");
    assertThatThrownBy(() -> Migration.split("SELECT 'open;"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unterminated");
    assertThatThrownBy(() -> Migration.split("SELECT 1;\n-- requires: 20.1\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not followed by a statement");
  }

  @Test
  void versionsCompareNumericallyPartByPart() {
    assertThat(Migration.compareVersions("18.16.1", "20.1")).isNegative();
    assertThat(Migration.compareVersions("20.1", "20.1.0")).isZero();
    assertThat(Migration.compareVersions("24.3.2.23", "20.1")).isPositive();
    assertThat(Migration.compareVersions("18.16.1", "18.9")).isPositive(); // 16 > 9, not "16" < "9"
  }

  @Test
  void fileNameGivesVersionAndNameAndBadNamesAreRejected() {
    Migration m = Migration.parse("0007_some_table.sql", "SELECT 1;");
    assertThat(m.version()).isEqualTo(7);
    assertThat(m.id()).isEqualTo("0007_some_table");
    assertThatThrownBy(() -> Migration.parse("7_x.sql", "SELECT 1;"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Migration.parse("0001_Upper.sql", "SELECT 1;"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Migration.parse("0001_empty.sql", "-- nothing\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no statements");
  }

  @Test
  void checksumIgnoresLineEndingsButNotContent() {
    String a = Migration.parse("0001_x.sql", "SELECT 1;\nSELECT 2;\n").checksum();
    assertThat(Migration.parse("0001_x.sql", "SELECT 1;\r\nSELECT 2;\r\n").checksum()).isEqualTo(a);
    assertThat(Migration.parse("0001_x.sql", "SELECT 1;\nSELECT 3;\n").checksum()).isNotEqualTo(a);
  }
}
