package dev.pulse.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pulse.clickhouse.ClickHouse;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A server killed with SIGKILL comes back on the same port with its data. */
@Timeout(90)
class LocalClickHouseKillIT {

  @Test
  void aKilledServerIsGoneAndRestartsOnTheSamePortWithItsDataUnderANewPid() throws Exception {
    try (LocalClickHouse server = LocalClickHouse.start(null)) {
      try (ClickHouse db = ClickHouse.connect(server.httpUrl(), "default", "", null)) {
        db.execute("CREATE TABLE default.kept (n UInt32) ENGINE = MergeTree ORDER BY n");
        db.execute("INSERT INTO default.kept VALUES (1), (2)");
      }
      long before = server.pid();

      assertThat(server.kill()).isEqualTo(before);
      assertThat(ProcessHandle.of(before).filter(ProcessHandle::isAlive)).isEmpty();
      URI url = URI.create(server.httpUrl());
      assertThatThrownBy(
              () -> {
                try (Socket s = new Socket()) {
                  s.connect(new InetSocketAddress(url.getHost(), url.getPort()), 1_000);
                }
              })
          .as("nothing listens on the port of the killed server")
          .isInstanceOf(ConnectException.class);

      server.restart();
      assertThat(server.pid()).isNotEqualTo(before);
      try (ClickHouse db = ClickHouse.connect(server.httpUrl(), "default", "", null)) {
        assertThat(db.queryText("SELECT sum(n) FROM default.kept")).isEqualTo("3\n");
        db.execute("INSERT INTO default.kept VALUES (3)");
        assertThat(db.queryText("SELECT count() FROM default.kept")).isEqualTo("3\n");
      }
    }
  }
}
