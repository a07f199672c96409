package dev.pulse.flink.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pulse.clickhouse.ClickHouse;
import dev.pulse.local.LocalClickHouse;
import dev.pulse.testing.ClickHouseExtension;
import dev.pulse.testing.TestClickHouse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The committers' janitor drops stages older than an hour, as system.tables dates them. 18.16 lists
 * a table being created before its metadata file is in place, dated 0 (1970): a stage of an attempt
 * writing at that moment. The janitor must not take it for an abandoned one (it did once, and the
 * attempt failed on its own stage's absence).
 */
@ExtendWith(ClickHouseExtension.class)
class AbandonedStagesIT {

  @Test
  void aStageDatedZeroIsNotAbandoned(TestClickHouse ch) throws Exception {
    LocalClickHouse server = ch.localServer().orElse(null);
    assumeTrue(server != null, "needs the private server's files");
    ClickHouse db = ch.client();
    String stage = StageTables.PREFIX + "janitor_1";
    String old = StageTables.PREFIX + "janitor_old_1";
    db.execute("CREATE TABLE " + stage + " ENGINE = Memory AS SELECT 1 AS x LIMIT 0");
    db.execute("CREATE TABLE " + old + " ENGINE = Memory AS SELECT 1 AS x LIMIT 0");
    Path metadata = server.configDir().resolve("data/metadata").resolve(ch.database());
    // The moment between the table's listing and its metadata file, held still; and a stage
    // really left two hours ago.
    byte[] definition = Files.readAllBytes(metadata.resolve(stage + ".sql"));
    Files.delete(metadata.resolve(stage + ".sql"));
    Files.setLastModifiedTime(
        metadata.resolve(old + ".sql"),
        java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 7_200_000));
    assertThat(
            db.queryText(
                "SELECT name, toUInt32(metadata_modification_time) FROM system.tables WHERE"
                    + " database = currentDatabase() AND name = '"
                    + stage
                    + "' FORMAT TabSeparated"))
        .isEqualTo(stage + "\t0\n");

    assertThat(db.queryText(StageTables.abandonedQuery(ch.database())).lines())
        .contains(old)
        .doesNotContain(stage);
    Files.write(metadata.resolve(stage + ".sql"), definition);
    db.execute("DROP TABLE " + stage);
    db.execute("DROP TABLE " + old);
  }
}
