package dev.pulse.launcher;

import dev.pulse.clickhouse.ClickHouse;
import dev.pulse.clickhouse.ClickHouseException;
import dev.pulse.clickhouse.TenantDatabases;
import dev.pulse.clickhouse.TenantDatabases.TenantDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.TransformerException;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

/**
 * Analysts' SQL access to one tenant on a ClickHouse 18.16 server, which has no {@code CREATE
 * USER}: the users and the cluster live in files under the server's configuration directory ({@code
 * users.d/}, {@code config.d/}), which the server reloads by itself within seconds. This writes
 * them, makes the tenant database ({@link TenantDatabases}) and waits until the analyst can read
 * it.
 *
 * <ul>
 *   <li>{@code config.d/pulse_tenants.xml}: the cluster {@value TenantDatabases#CLUSTER}, one
 *       replica on this server, signed in as {@value #READER};
 *   <li>{@code users.d/pulse_tenants.xml}: the analysts' profile and quota, and the reader (read
 *       only, loopback only, allowed Pulse's databases and their tenant views);
 *   <li>{@code users.d/pulse_analyst_<tenant>.xml}: one analyst user, allowed the tenant database
 *       only.
 * </ul>
 */
final class AnalystAccess {

  /** The user the cluster connects as to read the tenant views; no person signs in as it. */
  static final String READER = "pulse_tenant_reader";

  /** The analysts' profile and quota. */
  static final String PROFILE = "pulse_analyst";

  private static final String SHARED_FILE = "pulse_tenants.xml";
  private static final Duration RELOAD_TIMEOUT = Duration.ofSeconds(60);
  private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.:-]{1,253}");
  private static final Pattern NETWORK = Pattern.compile("[0-9A-Fa-f.:]{2,45}(/[0-9]{1,3})?");
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A table every tenant database has: an analyst who can read it can read through the cluster. */
  private static final String FIRST_TABLE = TenantDatabases.packagedTables().get(0).name();

  /**
   * Settings of every analyst's queries: read only (no SET either, so no limit can be raised), the
   * remote part of each read always through the reader, and limits that keep one analyst from
   * slowing ingestion or the API.
   */
  private static final String[][] ANALYST_SETTINGS = {
    {"readonly", "1"},
    {"log_queries", "1"},
    {"prefer_localhost_replica", "0"},
    {"max_execution_time", "120"},
    {"timeout_overflow_mode", "throw"},
    {"max_rows_to_read", "10000000000"},
    {"max_bytes_to_read", "1000000000000"},
    {"read_overflow_mode", "throw"},
    {"max_result_rows", "10000000"},
    {"result_overflow_mode", "throw"},
    {"max_memory_usage", "4000000000"},
    {"max_threads", "2"},
    {"max_concurrent_queries_for_user", "4"},
  };

  /** The reader's settings: read only; the analyst's limits travel with each query. */
  private static final String[][] READER_SETTINGS = {{"readonly", "1"}, {"max_threads", "2"}};

  /** The analysts' quota, per user and hour. */
  private static final String[][] ANALYST_QUOTA = {
    {"duration", "3600"},
    {"queries", "10000"},
    {"errors", "1000"},
    {"result_rows", "1000000000"},
    {"read_rows", "1000000000000"},
    {"execution_time", "7200"},
  };

  /**
   * An analyst who can sign in.
   *
   * @param tenant the tenant id
   * @param user the ClickHouse user
   * @param password its password, new at each run (only its SHA-256 is stored)
   * @param database the tenant database
   * @param tables its tables
   */
  record Analyst(
      String tenant, String user, String password, String database, List<String> tables) {

    /** Never the password. */
    @Override
    public String toString() {
      return "Analyst[" + user + ", " + database + "]";
    }
  }

  private final Path configDir;
  private final String readerHost;
  private final int tcpPort;
  private final List<String> networks;

  /**
   * @param configDir the server's configuration directory (where config.xml and users.xml are)
   * @param readerHost how the server reaches itself, e.g. {@code 127.0.0.1}
   * @param tcpPort the server's native TCP port
   * @param networks where analysts may sign in from (IP addresses or CIDR ranges)
   */
  AnalystAccess(Path configDir, String readerHost, int tcpPort, List<String> networks) {
    this.configDir = Objects.requireNonNull(configDir, "configDir");
    if (!HOST.matcher(readerHost).matches()) {
      throw new IllegalArgumentException("not a host name or address: '" + readerHost + "'");
    }
    if (tcpPort < 1 || tcpPort > 65535) {
      throw new IllegalArgumentException("not a TCP port: " + tcpPort);
    }
    if (networks.isEmpty()) {
      throw new IllegalArgumentException("analysts need at least one network to sign in from");
    }
    for (String network : networks) {
      if (!NETWORK.matcher(network).matches()) {
        throw new IllegalArgumentException(
            "not an IP address or CIDR range: '" + network + "' (e.g. 10.0.0.0/8, ::1)");
      }
    }
    this.readerHost = readerHost;
    this.tcpPort = tcpPort;
    this.networks = List.copyOf(networks);
  }

  /** The analyst user of {@code tenant}: {@code pulse_analyst_<tenant>}. */
  static String userOf(String tenant) {
    return "pulse_analyst_" + TenantDatabases.nameOf(tenant);
  }

  /**
   * Gives each of {@code tenants} (checked first: a bad id changes nothing) a tenant database of
   * {@code database} and an analyst with a new password, through {@code admin}; returns once every
   * analyst can read their database ({@code httpUrl} is where they do).
   */
  List<Analyst> grant(ClickHouse admin, String httpUrl, String database, List<String> tenants) {
    tenants.forEach(TenantDatabases::requireTenant);
    String readerPassword = writeShared(database);
    awaitCluster(admin);
    awaitSignIn(httpUrl, READER, readerPassword, null);
    List<Analyst> analysts = new ArrayList<>();
    for (String tenant : tenants) {
      TenantDatabase made =
          TenantDatabases.create(admin, database, tenant, TenantDatabases.packagedTables());
      String password = newPassword();
      String user = userOf(tenant);
      Document doc = newDocument();
      Element users = child(doc, doc.getDocumentElement(), "users");
      Element u = child(doc, users, user);
      text(doc, u, "password_sha256_hex", sha256(password));
      networks(doc, u, networks);
      text(doc, u, "profile", PROFILE);
      text(doc, u, "quota", PROFILE);
      Element allowed = child(doc, u, "allow_databases");
      text(doc, allowed, "database", made.database());
      write(doc, configDir.resolve("users.d").resolve(user + ".xml"));
      analysts.add(new Analyst(tenant, user, password, made.database(), made.tables()));
    }
    for (Analyst a : analysts) {
      awaitSignIn(httpUrl, a.user(), a.password(), a.database());
    }
    return analysts;
  }

  /**
   * Writes the cluster and the shared users file, keeping the reader's password and the databases
   * it already reads; returns the reader's password.
   */
  private String writeShared(String database) {
    Path clusterFile = configDir.resolve("config.d").resolve(SHARED_FILE);
    Path usersFile = configDir.resolve("users.d").resolve(SHARED_FILE);
    String password = existingText(clusterFile, "password");
    if (password == null || password.isBlank()) {
      password = newPassword();
    }
    TreeSet<String> readable = new TreeSet<>(existingTexts(usersFile, "database"));
    readable.add(database);
    readable.add(TenantDatabases.viewsDatabase(database));

    Document cluster = newDocument();
    Element replica =
        child(
            cluster,
            child(
                cluster,
                child(
                    cluster,
                    child(cluster, cluster.getDocumentElement(), "remote_servers"),
                    TenantDatabases.CLUSTER),
                "shard"),
            "replica");
    text(cluster, replica, "host", readerHost);
    text(cluster, replica, "port", Integer.toString(tcpPort));
    text(cluster, replica, "user", READER);
    text(cluster, replica, "password", password);
    write(cluster, clusterFile);

    Document users = newDocument();
    Element root = users.getDocumentElement();
    Element profiles = child(users, root, "profiles");
    settings(users, child(users, profiles, PROFILE), ANALYST_SETTINGS);
    settings(users, child(users, profiles, READER), READER_SETTINGS);
    settings(
        users,
        child(users, child(users, child(users, root, "quotas"), PROFILE), "interval"),
        ANALYST_QUOTA);
    Element reader = child(users, child(users, root, "users"), READER);
    text(users, reader, "password_sha256_hex", sha256(password));
    networks(users, reader, List.of("127.0.0.1", "::1"));
    text(users, reader, "profile", READER);
    text(users, reader, "quota", "default");
    Element allowed = child(users, reader, "allow_databases");
    readable.forEach(db -> text(users, allowed, "database", db));
    write(users, usersFile);
    return password;
  }

  /** Waits until the server has loaded the cluster, with this port. */
  private void awaitCluster(ClickHouse admin) {
    long deadline = System.nanoTime() + RELOAD_TIMEOUT.toNanos();
    String sql =
        "SELECT count() AS n FROM system.clusters WHERE cluster = '"
            + TenantDatabases.CLUSTER
            + "' AND port = "
            + tcpPort;
    while (admin.query(sql).get(0).get("n").asLong() == 0) {
      pause(deadline, "the server did not load the cluster from " + configDir.resolve("config.d"));
    }
  }

  /** Waits until {@code user} can sign in (and read one table of {@code database}, if given). */
  private void awaitSignIn(String httpUrl, String user, String password, String database) {
    long deadline = System.nanoTime() + RELOAD_TIMEOUT.toNanos();
    while (true) {
      try (ClickHouse client = ClickHouse.connect(httpUrl, user, password, database)) {
        client.query(
            database == null ? "SELECT 1" : "SELECT count() FROM " + FIRST_TABLE + " WHERE 0");
        return;
      } catch (ClickHouseException notYet) {
        pause(
            deadline,
            "the server did not let "
                + user
                + " sign in from "
                + configDir.resolve("users.d")
                + ": "
                + notYet.getMessage());
      }
    }
  }

  private static void pause(long deadline, String failure) {
    if (System.nanoTime() > deadline) {
      throw new IllegalStateException(failure + " within " + RELOAD_TIMEOUT.toSeconds() + " s");
    }
    try {
      Thread.sleep(250);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the server", e);
    }
  }

  private static String newPassword() {
    byte[] secret = new byte[16];
    RANDOM.nextBytes(secret);
    return HexFormat.of().formatHex(secret);
  }

  private static String sha256(String password) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256")
                  .digest(password.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Document newDocument() {
    try {
      Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().newDocument();
      doc.appendChild(doc.createElement("yandex"));
      doc.insertBefore(
          doc.createComment(" Written by 'pulse analysts'; it rewrites this file on each run. "),
          doc.getDocumentElement());
      return doc;
    } catch (ParserConfigurationException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Element child(Document doc, Element parent, String name) {
    Element e = doc.createElement(name);
    parent.appendChild(e);
    return e;
  }

  private static void text(Document doc, Element parent, String name, String value) {
    child(doc, parent, name).setTextContent(value);
  }

  private static void settings(Document doc, Element parent, String[][] settings) {
    for (String[] s : settings) {
      text(doc, parent, s[0], s[1]);
    }
  }

  private static void networks(Document doc, Element user, List<String> ips) {
    Element networks = child(doc, user, "networks");
    ips.forEach(ip -> text(doc, networks, "ip", ip));
  }

  /** Writes {@code doc} to {@code file} at once (a temporary file moved into place). */
  private static void write(Document doc, Path file) {
    try {
      Files.createDirectories(file.getParent());
      Path tmp = Files.createTempFile(file.getParent(), ".pulse-", ".tmp");
      var transformer = TransformerFactory.newInstance().newTransformer();
      transformer.setOutputProperty(OutputKeys.INDENT, "yes");
      transformer.setOutputProperty("{http://xml.apache.org/xslt}indent-amount", "2");
      transformer.transform(new DOMSource(doc), new StreamResult(tmp.toFile()));
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("could not write " + file, e);
    } catch (TransformerException e) {
      throw new IllegalStateException("could not write " + file + ": " + e, e);
    }
  }

  private static String existingText(Path file, String tag) {
    List<String> texts = existingTexts(file, tag);
    return texts.isEmpty() ? null : texts.get(0);
  }

  /** The texts of every {@code tag} element of {@code file}, or none when it does not exist. */
  private static List<String> existingTexts(Path file, String tag) {
    if (!Files.exists(file)) {
      return List.of();
    }
    try {
      DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
      factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      NodeList found = factory.newDocumentBuilder().parse(file.toFile()).getElementsByTagName(tag);
      List<String> texts = new ArrayList<>();
      for (int i = 0; i < found.getLength(); i++) {
        texts.add(found.item(i).getTextContent().strip());
      }
      return texts;
    } catch (IOException e) {
      throw new UncheckedIOException("could not read " + file, e);
    } catch (ParserConfigurationException | SAXException e) {
      throw new IllegalStateException("could not read " + file + ": " + e.getMessage(), e);
    }
  }
}
