package dev.pulse.local;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * The ClickHouse users of a local Pulse server, added to Debian's users.xml (18.16 has no CREATE
 * USER; users live in that file): {@code default} stays the administrator (migrations), {@code
 * pulse_writer} is what the Flink jobs write as, and {@code pulse_api} is serving-api's read-only
 * user with server-side limits. Each start gets new random passwords; every user is reachable from
 * loopback only. docs/access.md has the same settings for an existing server.
 */
final class WarehouseUsers {

  /**
   * serving-api's profile: read-only (no INSERT, DDL, SET or table functions), its queries in the
   * query log, and limits so that no query can hurt ingestion or the other tenants.
   */
  static final String API_PROFILE =
      """
      <pulse_api>
        <readonly>1</readonly>
        <log_queries>1</log_queries>
        <max_execution_time>10</max_execution_time>
        <timeout_overflow_mode>throw</timeout_overflow_mode>
        <max_rows_to_read>2000000000</max_rows_to_read>
        <max_bytes_to_read>200000000000</max_bytes_to_read>
        <read_overflow_mode>throw</read_overflow_mode>
        <max_result_rows>1000000</max_result_rows>
        <result_overflow_mode>throw</result_overflow_mode>
        <max_memory_usage>2000000000</max_memory_usage>
        <max_threads>2</max_threads>
        <max_concurrent_queries_for_user>20</max_concurrent_queries_for_user>
      </pulse_api>""";

  /** The writers' profile: the server's defaults (the sink creates and drops its stage tables). */
  static final String WRITER_PROFILE =
      """
      <pulse_writer>
        <max_memory_usage>10000000000</max_memory_usage>
      </pulse_writer>""";

  /** serving-api's quota: per hour, far above a healthy API's use, so a runaway shows as errors. */
  static final String API_QUOTA =
      """
      <pulse_api>
        <interval>
          <duration>3600</duration>
          <queries>1000000</queries>
          <errors>100000</errors>
          <result_rows>10000000000</result_rows>
          <read_rows>10000000000000</read_rows>
          <execution_time>36000</execution_time>
        </interval>
      </pulse_api>""";

  private static final SecureRandom RANDOM = new SecureRandom();

  private WarehouseUsers() {}

  static ClickHouseUser newClickHouseUser(String user) {
    byte[] secret = new byte[16];
    RANDOM.nextBytes(secret);
    return new ClickHouseUser(user, HexFormat.of().formatHex(secret));
  }

  /** Writes {@code debianUsers} with the Pulse users added to {@code target}. */
  static void write(Path debianUsers, Path target, ClickHouseUser api, ClickHouseUser writer)
      throws Exception {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    Document doc = factory.newDocumentBuilder().parse(debianUsers.toFile());
    Element root = doc.getDocumentElement();
    add(doc, section(doc, root, "profiles"), API_PROFILE);
    add(doc, section(doc, root, "profiles"), WRITER_PROFILE);
    add(doc, section(doc, root, "quotas"), API_QUOTA);
    add(doc, section(doc, root, "users"), user(api, "pulse_api", "pulse_api"));
    add(doc, section(doc, root, "users"), user(writer, "pulse_writer", "default"));
    var transformer = TransformerFactory.newInstance().newTransformer();
    transformer.setOutputProperty(OutputKeys.INDENT, "no");
    transformer.transform(new DOMSource(doc), new StreamResult(target.toFile()));
  }

  private static String user(ClickHouseUser c, String profile, String quota) {
    return "<"
        + c.name()
        + "><password>"
        + c.password()
        + "</password><networks><ip>127.0.0.1</ip></networks><profile>"
        + profile
        + "</profile><quota>"
        + quota
        + "</quota></"
        + c.name()
        + ">";
  }

  private static Element section(Document doc, Element root, String name) {
    var found = root.getElementsByTagName(name);
    if (found.getLength() > 0) {
      return (Element) found.item(0);
    }
    Element created = doc.createElement(name);
    root.appendChild(created);
    return created;
  }

  private static void add(Document doc, Element parent, String xml) throws Exception {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    Node fragment =
        factory
            .newDocumentBuilder()
            .parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)))
            .getDocumentElement();
    parent.appendChild(doc.importNode(fragment, true));
  }
}
