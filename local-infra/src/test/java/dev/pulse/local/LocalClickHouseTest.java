package dev.pulse.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What LocalClickHouse decides before it starts anything. */
class LocalClickHouseTest {

  @Test
  void missingBinaryFailsWithTheInstallCommandInsteadOfSkipping() {
    assertThatThrownBy(
            () -> LocalClickHouse.requireBinary(List.of(Path.of("/nonexistent/clickhouse-server"))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("/nonexistent/clickhouse-server")
        .hasMessageContaining("sudo apt-get install -y clickhouse-server");
  }

  @Test
  void serverRunsInAProcessGroupOfItsOwnSoATerminalsCtrlCDoesNotReachIt() {
    assertThat(LocalClickHouse.ownProcessGroup("/usr/sbin/clickhouse-server", "--config-file=x"))
        .containsExactly("/usr/bin/setsid", "/usr/sbin/clickhouse-server", "--config-file=x");
  }
}
