package dev.pulse.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * The connection flags refuse hostile values (exit code 2, a message naming the flag and the
 * expected form, nothing of the value a terminal would obey) and accept every ordinary form.
 */
class ConnectionFlagsTest {

  private static final String LONG = "a".repeat(10_000);

  /** Values no flag may accept: each is wrong for all three. */
  static Stream<String> hostile() {
    return Stream.of(
        "",
        " ",
        "   \t ",
        "host:99999",
        "http://h:8123/db?x=1",
        "javascript:alert(1)",
        LONG,
        LONG + ":9092",
        "http://" + LONG + ":8123",
        "pulse; DROP DATABASE x",
        "pülse",
        "ホスト:9092",
        "http://例え.jp:8123",
        "\u202Epulse",
        "localhost:9092\n--evil",
        "pulse\u001B[2J");
  }

  /** A stand-in command with the three flags declared as the real commands declare them. */
  @Command(name = "probe")
  static final class Probe implements Runnable {
    @Option(names = "--kafka", converter = ConnectionFlags.KafkaServers.class)
    String kafka;

    @Option(names = "--clickhouse", converter = ConnectionFlags.ClickHouseUrl.class)
    String clickhouse;

    @Option(names = "--database", converter = ConnectionFlags.Identifier.class)
    String database;

    @Override
    public void run() {}
  }

  private record Run(int exitCode, String err) {}

  private static Run run(String flag, String value) {
    StringWriter err = new StringWriter();
    CommandLine cmd = new CommandLine(new Probe());
    cmd.setErr(new PrintWriter(err, true));
    cmd.setOut(new PrintWriter(new StringWriter(), true));
    return new Run(cmd.execute(flag, value), err.toString());
  }

  static Stream<Arguments> everyFlagWithEveryHostileValue() {
    return Stream.of("--kafka", "--clickhouse", "--database")
        .flatMap(flag -> hostile().map(value -> Arguments.of(flag, value)));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("everyFlagWithEveryHostileValue")
  void aHostileValueExitsWithTwoNamingTheFlagAndTheExpectedForm(String flag, String value) {
    Run r = run(flag, value);

    assertThat(r.exitCode()).isEqualTo(2);
    String message = r.err().lines().findFirst().orElseThrow();
    assertThat(message).startsWith("Invalid value for option '" + flag + "': ");
    assertThat(message)
        .contains(
            switch (flag) {
              case "--kafka" -> ConnectionFlags.KAFKA_FORM;
              case "--clickhouse" -> ConnectionFlags.CLICKHOUSE_FORM;
              default -> ConnectionFlags.IDENTIFIER_FORM;
            });
    // A 10,000-character value is cut; escape sequences and bidi overrides are shown, not obeyed.
    assertThat(message.length()).isLessThan(300);
    assertThat(message).doesNotContain("\u001B", "\u202E", "\n");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "localhost:9092",
        "127.0.0.1:1",
        "kafka-1.internal:65535",
        "kafka_1:29092",
        "[::1]:9092",
        "a:9092,b:9093,c:9094"
      })
  void ordinaryBootstrapListsAreAcceptedAsGiven(String value) {
    assertThat(ConnectionFlags.kafkaServers(value)).isEqualTo(value);
  }

  @Test
  void spacesAroundBootstrapEntriesAreDropped() {
    assertThat(ConnectionFlags.kafkaServers(" a:1 , b:2 ")).isEqualTo("a:1,b:2");
  }

  @ParameterizedTest
  @ValueSource(strings = {"localhost", "a:1,b", ":9092", "a:1,,b:2", "a:1,", "h:0", "h:-1", "h:x"})
  void bootstrapEntriesWithoutAHostOrAValidPortAreRefused(String value) {
    assertThatThrownBy(() -> ConnectionFlags.kafkaServers(value))
        .isInstanceOf(TypeConversionException.class)
        .hasMessageEndingWith(ConnectionFlags.KAFKA_FORM);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "http://127.0.0.1:8123",
        "http://localhost:8123/",
        "https://clickhouse.example.com",
        "https://clickhouse.example.com:8443",
        "http://[::1]:8123"
      })
  void ordinaryClickHouseEndpointsAreAcceptedAsGiven(String value) {
    assertThat(ConnectionFlags.clickHouseUrl(value)).isEqualTo(value);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "clickhouse-1:8123",
        "ftp://host:21",
        "HTTP://host:8123",
        "http://",
        "http:///x",
        "http://h:0",
        "http://h:65536",
        "http://h:8123/db",
        "http://h:8123/?database=x",
        "http://h:8123#x",
        "mailto:a@b"
      })
  void clickHouseUrlsThatAreNotAPlainEndpointAreRefused(String value) {
    assertThatThrownBy(() -> ConnectionFlags.clickHouseUrl(value))
        .isInstanceOf(TypeConversionException.class)
        .hasMessageEndingWith(ConnectionFlags.CLICKHOUSE_FORM);
  }

  @Test
  void aUrlWithCredentialsIsRefusedWithoutRepeatingThem() {
    Run r = run("--clickhouse", "http://default:s3cret@h:8123");

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("user info").doesNotContain("s3cret");
  }

  @ParameterizedTest
  @ValueSource(strings = {"pulse", "_x", "Pulse_2", "pulse_bench"})
  void plainIdentifiersAreAccepted(String value) {
    assertThat(ConnectionFlags.identifier(value)).isEqualTo(value);
  }

  @Test
  void anIdentifierMayHaveUpTo128Characters() {
    assertThat(ConnectionFlags.identifier("d".repeat(128))).hasSize(128);
    assertThatThrownBy(() -> ConnectionFlags.identifier("d".repeat(129)))
        .hasMessageContaining("too long");
  }

  @ParameterizedTest
  @ValueSource(strings = {"1bad", "bad-name", "a.b", "`x`", "x y", "x'"})
  void identifiersThatWouldNeedQuotingAreRefused(String value) {
    assertThatThrownBy(() -> ConnectionFlags.identifier(value))
        .isInstanceOf(TypeConversionException.class)
        .hasMessageEndingWith(ConnectionFlags.IDENTIFIER_FORM);
  }

  @Test
  void aLongValueIsShownByItsStartAndLength() {
    assertThat(ConnectionFlags.shown(LONG)).isEqualTo("'" + "a".repeat(40) + "...' (10000 chars)");
    assertThat(ConnectionFlags.shown("a\u001Bb")).isEqualTo("'a\\u001Bb'");
  }
}
