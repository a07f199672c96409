package dev.pulse.oracle;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The oracle must not share code with the pipeline: a validator or codec bug would otherwise be on
 * both sides of every comparison. Only the contract's {@code .avsc} files are shared.
 */
class OracleIndependenceTest {

  @Test
  void noOracleSourceImportsAPulseClass() throws IOException {
    Path dir = Path.of("src/main/java/dev/pulse/oracle");
    List<String> offending;
    try (Stream<Path> files = Files.list(dir)) {
      offending =
          files
              .flatMap(
                  f -> {
                    try {
                      return Files.readAllLines(f).stream()
                          .filter(l -> l.matches("import (static )?dev\\.pulse\\..*"))
                          .map(l -> f.getFileName() + ": " + l);
                    } catch (IOException e) {
                      throw new java.io.UncheckedIOException(e);
                    }
                  })
              .toList();
    }
    assertThat(dir).isDirectory();
    assertThat(offending).isEmpty();
  }
}
