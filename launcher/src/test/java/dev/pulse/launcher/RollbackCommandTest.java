package dev.pulse.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code pulse rollback}'s refusals, before it touches ClickHouse (the rollback itself: the
 * flink-jobs RollbackToSavepointIT).
 */
class RollbackCommandTest {

  private static int run(StringWriter err, String... args) {
    CommandLine cli = Pulse.commandLine();
    cli.setOut(new PrintWriter(new StringWriter(), true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  @Test
  void withoutASavepointItRefusesWithUsage() {
    StringWriter err = new StringWriter();
    assertThat(run(err, "rollback")).isEqualTo(2);
    assertThat(err.toString()).contains("--savepoint");
  }

  @Test
  void aDirectoryWithoutMetadataIsNotASavepoint(@TempDir Path dir) {
    StringWriter err = new StringWriter();
    assertThat(run(err, "rollback", "--savepoint", dir.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("not a savepoint or checkpoint (no _metadata)");
  }

  @Test
  void aCorruptMetadataFileIsRefusedWithItsReason(@TempDir Path dir) throws Exception {
    Files.write(dir.resolve("_metadata"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
    StringWriter err = new StringWriter();
    assertThat(run(err, "rollback", "--savepoint", dir.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("cannot read the savepoint");
  }
}
