package dev.pulse.clickhouse;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One numbered migration file ({@code NNNN_name.sql}): its version, name, checksum and statements.
 *
 * <p>File format, chosen so anyone can paste a file into clickhouse-client: statements end with
 * {@code ;}, comments start with {@code --} (or are {@code /* ... *}{@code /}). A comment line
 * {@code -- requires: 20.1} directly before a statement gates that statement: it runs only on
 * servers of at least that version. A comment line {@code -- unless-exists: some_table} directly
 * before a statement runs it only while that table does not exist: what makes a step that is not
 * idempotent by itself ({@code RENAME TABLE}) safe to re-run when a migration was interrupted.
 */
public record Migration(int version, String name, String checksum, List<Statement> statements) {

  private static final Pattern FILE_NAME = Pattern.compile("(\\d{4})_([a-z0-9_]+)\\.sql");
  private static final Pattern REQUIRES =
      Pattern.compile("(?m)^\\s*--\\s*requires:\\s*(\\S+)\\s*$");
  private static final Pattern UNLESS_EXISTS =
      Pattern.compile("(?m)^\\s*--\\s*unless-exists:\\s*(\\S+)\\s*$");
  private static final Pattern VERSION = Pattern.compile("\\d+(\\.\\d+)*");
  private static final Pattern TABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  /**
   * One statement, its SQL without comments, and its gates.
   *
   * @param requires the minimum server version it needs (empty: any)
   * @param unlessExists a table (in the migrated database) whose existence skips the statement
   *     (empty: always run)
   */
  public record Statement(String sql, Optional<String> requires, Optional<String> unlessExists) {}

  /** {@code 0002_playback_events_raw}: the form used in logs and errors. */
  public String id() {
    return String.format("%04d_%s", version, name);
  }

  /** Parses {@code text} read from the file {@code fileName}. */
  public static Migration parse(String fileName, String text) {
    Matcher m = FILE_NAME.matcher(fileName);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "migration file name must look like 0001_lower_snake_name.sql, got '" + fileName + "'");
    }
    // Line endings normalized: a Windows checkout must not count as a changed migration.
    String normalized = text.replace("\r\n", "\n");
    List<Statement> statements = split(normalized);
    if (statements.isEmpty()) {
      throw new IllegalArgumentException("migration " + fileName + " has no statements");
    }
    return new Migration(Integer.parseInt(m.group(1)), m.group(2), sha256(normalized), statements);
  }

  /**
   * Splits SQL text into statements at {@code ;} outside string literals, quoted identifiers and
   * comments. Comments are removed from the statement text (18.16 is picky about trailing comments
   * over HTTP) but {@code -- requires:} and {@code -- unless-exists:} comments are kept as the
   * statement's gates.
   */
  public static List<Statement> split(String sql) {
    List<Statement> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    StringBuilder comments = new StringBuilder();
    int i = 0;
    int n = sql.length();
    while (i < n) {
      char c = sql.charAt(i);
      if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
        int end = sql.indexOf('\n', i);
        end = end < 0 ? n : end;
        comments.append(sql, i, end).append('\n');
        current.append(' ');
        i = end;
      } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
        int end = sql.indexOf("*/", i + 2);
        if (end < 0) {
          throw new IllegalArgumentException("unterminated /* comment at offset " + i);
        }
        current.append(' ');
        i = end + 2;
      } else if (c == '\'' || c == '`' || c == '"') {
        int end = i + 1;
        while (true) {
          if (end >= n) {
            throw new IllegalArgumentException(
                "unterminated " + c + " quote starting at offset " + i);
          }
          char d = sql.charAt(end);
          if (d == '\\') {
            end += 2;
          } else if (d == c) {
            if (end + 1 < n && sql.charAt(end + 1) == c) {
              end += 2; // doubled quote inside the literal
            } else {
              break;
            }
          } else {
            end++;
          }
        }
        current.append(sql, i, end + 1);
        i = end + 1;
      } else if (c == ';') {
        add(out, current, comments);
        i++;
      } else {
        current.append(c);
        i++;
      }
    }
    add(out, current, comments);
    return out;
  }

  private static void add(List<Statement> out, StringBuilder current, StringBuilder comments) {
    String sql = current.toString().strip().replaceAll("[ \\t]+\\n", "\n");
    Optional<String> requires = Optional.empty();
    Matcher m = REQUIRES.matcher(comments);
    if (m.find()) {
      String v = m.group(1);
      if (!VERSION.matcher(v).matches()) {
        throw new IllegalArgumentException(
            "'-- requires:' needs a version like 20.1, got '" + v + "'");
      }
      requires = Optional.of(v);
    }
    Optional<String> unlessExists = Optional.empty();
    Matcher u = UNLESS_EXISTS.matcher(comments);
    if (u.find()) {
      String t = u.group(1);
      if (!TABLE.matcher(t).matches()) {
        throw new IllegalArgumentException(
            "'-- unless-exists:' needs a plain table name, got '" + t + "'");
      }
      unlessExists = Optional.of(t);
    }
    if (!sql.isEmpty()) {
      out.add(new Statement(sql, requires, unlessExists));
    } else if (requires.isPresent() || unlessExists.isPresent()) {
      throw new IllegalArgumentException(
          "'-- "
              + (requires.isPresent()
                  ? "requires: " + requires.get()
                  : "unless-exists: " + unlessExists.get())
              + "' is not followed by a statement");
    }
    current.setLength(0);
    comments.setLength(0);
  }

  /** Compares dotted versions numerically: 18.16.1 < 19.1 < 20.1; missing parts count as 0. */
  public static int compareVersions(String a, String b) {
    String[] x = a.split("\\.");
    String[] y = b.split("\\.");
    for (int i = 0; i < Math.max(x.length, y.length); i++) {
      int p = i < x.length ? parsePart(x[i]) : 0;
      int q = i < y.length ? parsePart(y[i]) : 0;
      if (p != q) {
        return Integer.compare(p, q);
      }
    }
    return 0;
  }

  private static int parsePart(String s) {
    Matcher m = Pattern.compile("^\\d+").matcher(s);
    return m.find() ? Integer.parseInt(m.group()) : 0;
  }

  /**
   * The migrations under {@code migrations/} on the classpath (the {@code clickhouse} module ships
   * Pulse's). Synchronized: inside a jar the listing opens a zip file system, and only one may be
   * open per jar at a time.
   */
  public static synchronized List<Migration> fromClasspath() {
    URL url = Migration.class.getClassLoader().getResource("migrations");
    if (url == null) {
      throw new IllegalStateException(
          "no migrations/ directory on the classpath: Pulse's migrations come with the"
              + " dev.pulse:clickhouse module");
    }
    try {
      URI uri = url.toURI();
      if (uri.getScheme().equals("jar")) {
        try (FileSystem fs = FileSystems.newFileSystem(uri, Map.of())) {
          return fromDirectory(fs.getPath("migrations"));
        }
      }
      return fromDirectory(Path.of(uri));
    } catch (URISyntaxException | IOException e) {
      throw new IllegalStateException("could not list migrations at " + url + ": " + e, e);
    }
  }

  /** Every {@code NNNN_name.sql} in {@code dir}, in version order; duplicate versions fail. */
  public static List<Migration> fromDirectory(Path dir) {
    List<Migration> result = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".sql")).toList()) {
        try (InputStream in = Files.newInputStream(f)) {
          result.add(
              parse(
                  f.getFileName().toString(),
                  new String(in.readAllBytes(), StandardCharsets.UTF_8)));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not read migrations in " + dir, e);
    }
    result.sort(Comparator.comparingInt(Migration::version));
    Map<Integer, String> seen = new HashMap<>();
    for (Migration m : result) {
      String previous = seen.put(m.version(), m.id());
      if (previous != null) {
        throw new IllegalStateException(
            "two migrations share version " + m.version() + ": " + previous + " and " + m.id());
      }
    }
    return result;
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
