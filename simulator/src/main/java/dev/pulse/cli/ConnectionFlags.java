package dev.pulse.cli;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The one set of rules for the flags that name a server or a database, shared by every {@code
 * pulse} command: {@code --kafka}, {@code --clickhouse}, {@code --database} (and the bench's {@code
 * --database-prefix}). A command names the converter on its own {@code @Option}, so each keeps its
 * default and help text; a bad value then fails parsing with exit code 2 and picocli's "Invalid
 * value for option '--kafka': ..." followed by what is wrong and the expected form.
 *
 * <p>Lives in the simulator module because every command module has it: the launcher and the
 * benchmarks depend on the simulator, and it already has picocli.
 */
public final class ConnectionFlags {

  /** The expected form of {@code --kafka}, as the messages state it. */
  public static final String KAFKA_FORM =
      "expected host:port[,host:port...] with each port in 1..65535";

  /** The expected form of {@code --clickhouse}, as the messages state it. */
  public static final String CLICKHOUSE_FORM =
      "expected http(s)://host[:port] with no user info, path or query";

  /** The expected form of {@code --database}, as the messages state it. */
  public static final String IDENTIFIER_FORM =
      "expected letters, digits and underscores only, not starting with a digit, at most "
          + ConnectionFlags.MAX_IDENTIFIER
          + " characters";

  /**
   * The longest database name accepted: ClickHouse keeps a database as a directory and a {@code
   * .sql} file named after it, and file names end at 255 bytes; 128 leaves room for the suffixes
   * the bench adds to its prefix.
   */
  static final int MAX_IDENTIFIER = 128;

  /** DNS's limit on a host name. */
  private static final int MAX_HOST = 253;

  /**
   * A host name or IPv4 address (underscores too: container names have them), or a bracketed IPv6
   * address; the same hosts Kafka's client parses.
   */
  private static final Pattern HOST =
      Pattern.compile("[A-Za-z0-9_](?:[A-Za-z0-9._-]*)|\\[[0-9A-Fa-f:.]+(?:%[A-Za-z0-9]+)?\\]");

  /** SqlLiteral.identifier's rule (clickhouse-client), which is not on the simulator's path. */
  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private static final Pattern PORT = Pattern.compile("[0-9]{1,5}");

  private ConnectionFlags() {}

  /**
   * {@code --kafka}: a bootstrap server list, {@code host:port[,host:port...]}; spaces around an
   * entry are dropped.
   */
  public static final class KafkaServers implements ITypeConverter<String> {
    @Override
    public String convert(String value) {
      return kafkaServers(value);
    }
  }

  /** {@code --clickhouse}: an HTTP(S) endpoint, {@code http(s)://host[:port][/]}, as given. */
  public static final class ClickHouseUrl implements ITypeConverter<String> {
    @Override
    public String convert(String value) {
      return clickHouseUrl(value);
    }
  }

  /** {@code --database}: a plain ClickHouse identifier that needs no quoting, as given. */
  public static final class Identifier implements ITypeConverter<String> {
    @Override
    public String convert(String value) {
      return identifier(value);
    }
  }

  /**
   * {@code value} as a bootstrap server list, entries trimmed.
   *
   * @throws TypeConversionException saying what is wrong and {@link #KAFKA_FORM}
   */
  public static String kafkaServers(String value) {
    if (value.isBlank()) {
      throw invalid(shown(value) + " is empty", KAFKA_FORM);
    }
    List<String> servers = new ArrayList<>();
    for (String entry : value.split(",", -1)) {
      String server = entry.strip();
      if (server.isEmpty()) {
        throw invalid(shown(value) + " has an empty entry", KAFKA_FORM);
      }
      int colon = server.lastIndexOf(':');
      if (colon < 0) {
        throw invalid(shown(server) + " has no port", KAFKA_FORM);
      }
      String host = server.substring(0, colon);
      String port = server.substring(colon + 1);
      if (host.isEmpty()) {
        throw invalid(shown(server) + " has no host", KAFKA_FORM);
      }
      if (host.length() > MAX_HOST || !HOST.matcher(host).matches()) {
        throw invalid(shown(host) + " is not a host name or address", KAFKA_FORM);
      }
      if (!validPort(port)) {
        throw invalid(shown(server) + " has no port in 1..65535", KAFKA_FORM);
      }
      servers.add(server);
    }
    return String.join(",", servers);
  }

  /**
   * {@code value} if it is an HTTP(S) endpoint with a host and nothing after the optional port but
   * a slash.
   *
   * @throws TypeConversionException saying what is wrong and {@link #CLICKHOUSE_FORM}
   */
  public static String clickHouseUrl(String value) {
    URI uri;
    try {
      uri = new URI(value);
    } catch (URISyntaxException e) {
      throw invalid(shown(value) + " is not a URL (" + e.getReason() + ")", CLICKHOUSE_FORM);
    }
    String scheme = uri.getScheme();
    if (!("http".equals(scheme) || "https".equals(scheme)) || uri.isOpaque()) {
      throw invalid(shown(value) + " is not an http or https URL", CLICKHOUSE_FORM);
    }
    if (uri.getRawUserInfo() != null) {
      // Not echoed: it may hold a password. The URL is printed and logged, so it never may.
      throw invalid("the URL has user info (credentials never go in the URL)", CLICKHOUSE_FORM);
    }
    if (uri.getHost() == null || uri.getHost().length() > MAX_HOST) {
      throw invalid(shown(value) + " has no valid host", CLICKHOUSE_FORM);
    }
    if (uri.getPort() != -1 && !validPort(Integer.toString(uri.getPort()))) {
      throw invalid(shown(value) + " has a port out of 1..65535", CLICKHOUSE_FORM);
    }
    String path = uri.getRawPath();
    if (!(path == null || path.isEmpty() || path.equals("/"))
        || uri.getRawQuery() != null
        || uri.getRawFragment() != null) {
      // The client appends its own path and query; a database goes in --database.
      throw invalid(shown(value) + " has a path, query or fragment", CLICKHOUSE_FORM);
    }
    return value;
  }

  /**
   * {@code value} if it is a plain identifier, one that needs no quoting in SQL.
   *
   * @throws TypeConversionException saying what is wrong and {@link #IDENTIFIER_FORM}
   */
  public static String identifier(String value) {
    if (value.length() > MAX_IDENTIFIER) {
      throw invalid(shown(value) + " is too long", IDENTIFIER_FORM);
    }
    if (!IDENTIFIER.matcher(value).matches()) {
      throw invalid(shown(value) + " is not a plain name", IDENTIFIER_FORM);
    }
    return value;
  }

  private static boolean validPort(String port) {
    if (!PORT.matcher(port).matches()) {
      return false;
    }
    int p = Integer.parseInt(port);
    return p >= 1 && p <= 65535;
  }

  private static TypeConversionException invalid(String what, String form) {
    return new TypeConversionException(what + "; " + form);
  }

  /**
   * {@code value} quoted for a message: control characters escaped so a terminal shows them rather
   * than obeys them, and a long value cut to its start with its length.
   */
  static String shown(String value) {
    int limit = 60;
    StringBuilder out = new StringBuilder("'");
    int cut = value.length() > limit ? 40 : value.length();
    if (cut < value.length() && Character.isHighSurrogate(value.charAt(cut - 1))) {
      cut--; // never half a character
    }
    for (int i = 0; i < cut; i++) {
      char c = value.charAt(i);
      if (Character.isISOControl(c) || Character.getType(c) == Character.FORMAT) {
        out.append(String.format("\\u%04X", (int) c));
      } else {
        out.append(c);
      }
    }
    out.append('\'');
    if (cut < value.length()) {
      out.insert(out.length() - 1, "...").append(" (").append(value.length()).append(" chars)");
    }
    return out.toString();
  }
}
