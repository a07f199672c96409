package dev.pulse.flink.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

/**
 * Hostile Kafka values for {@code pulse.api.requests}, from one seed: random bytes, truncations and
 * bit flips of valid records, every string field with a surrogate pair at every position up to 130,
 * lone surrogates, NUL, 64 KiB strings, extreme numbers in every numeric field, unknown enum
 * symbols, timestamps in 1970, the far future and just past every bound, plus valid records and
 * exact duplicates among them.
 *
 * <p>The values are written byte by byte here from the Avro specification (zig-zag varints,
 * length-prefixed UTF-8, union branch and enum indexes), not by the pipeline's codec or by Avro's
 * writer, so they can carry what no encoder would write: invalid UTF-8, lone surrogates, negative
 * or huge lengths, indexes out of range. Whether a value is valid is not decided here: the test
 * asks the oracle.
 *
 * <p>Every record derived from a valid one gets a fresh random event id, so no two records share an
 * id (in any letter case) except the deliberate exact duplicates: deduplication cannot blur what
 * the fuzz test checks.
 */
public final class HostileRecords {

  /** One generated value and how it was made. */
  public record Hostile(String kind, byte[] value) {}

  static final String EMOJI = "\uD83D\uDE00"; // U+1F600: a surrogate pair in UTF-16

  private static final String[] TENANTS = {"northfield", "southfield", "eastfield"};
  private static final String[] SERVICES = {"courses-api", "sessions-api", "video-api"};
  private static final String[] ENDPOINTS = {"/courses/{id}", "/sessions/{id}/join", "/videos"};
  private static final String[] REGIONS = {"eu-west", "us-east", ""};

  /** The 10 fields of ApiRequestEvent v1, in schema order. */
  static final String[] STRING_FIELDS = {
    "event_id", "tenant_id", "service", "endpoint", "region", "trace_id"
  };

  private final SplittableRandom random;
  private final Instant now;
  private final long fingerprint;
  private final long extendedEnumFingerprint;
  private final List<Hostile> out = new ArrayList<>();

  private HostileRecords(long seed, Instant now) {
    this.random = new SplittableRandom(seed);
    this.now = now;
    Schema v1 = released();
    this.fingerprint = SchemaNormalization.parsingFingerprint64(v1);
    // A newer writer's schema with one more method symbol: its fingerprint is not released.
    String extended = v1.toString().replace("\"OPTIONS\"]", "\"OPTIONS\",\"TRACE\"]");
    this.extendedEnumFingerprint =
        SchemaNormalization.parsingFingerprint64(new Schema.Parser().parse(extended));
    if (extendedEnumFingerprint == fingerprint) {
      throw new IllegalStateException("the extended schema did not change");
    }
  }

  /** Every kind, in generation order (the test shuffles them). */
  public static List<Hostile> generate(long seed, Instant now) {
    HostileRecords g = new HostileRecords(seed, now);
    g.valid(1_500);
    g.duplicates(200);
    g.randomBytes(800);
    g.randomBodies(400);
    g.truncations(35);
    g.bitFlips(3_000);
    g.surrogatePairs();
    g.loneSurrogates();
    g.nuls();
    g.hugeStrings();
    g.extremeNumbers();
    g.unknownEnumSymbols();
    g.timestamps();
    g.stringBounds();
    return List.copyOf(g.out);
  }

  // ---- the kinds ----

  private void valid(int n) {
    for (int i = 0; i < n; i++) {
      add("valid", base().encode(fingerprint));
    }
  }

  private void duplicates(int n) {
    List<Hostile> valid = out.stream().filter(h -> h.kind().equals("valid")).toList();
    for (int i = 0; i < n; i++) {
      add("duplicate", valid.get(random.nextInt(valid.size())).value().clone());
    }
  }

  private void randomBytes(int n) {
    for (int i = 0; i < n; i++) {
      byte[] b = new byte[random.nextInt(200)];
      random.nextBytes(b);
      if (i % 7 == 0 && b.length > 1) {
        b[0] = (byte) 0xC3; // now and then the marker's first byte, to reach further checks
      }
      add("random-bytes", b);
    }
    add("null-value", null);
    add("null-value", null);
  }

  private void randomBodies(int n) {
    for (int i = 0; i < n; i++) {
      byte[] body = new byte[random.nextInt(120)];
      random.nextBytes(body);
      ByteArrayOutputStream b = header(fingerprint);
      b.writeBytes(body);
      add("random-body", b.toByteArray());
    }
  }

  private void truncations(int bases) {
    for (int i = 0; i < bases; i++) {
      byte[] whole = base().encode(fingerprint);
      for (int n = 0; n < whole.length; n++) {
        add("truncation", java.util.Arrays.copyOf(whole, n));
      }
    }
  }

  private void bitFlips(int n) {
    for (int i = 0; i < n; i++) {
      byte[] b = base().encode(fingerprint);
      int bit = random.nextInt(b.length * 8);
      b[bit / 8] ^= (byte) (1 << (bit % 8));
      add("bit-flip", b);
    }
  }

  private void surrogatePairs() {
    for (String field : STRING_FIELDS) {
      for (int at = 0; at <= 130; at++) {
        Body b = base();
        b.set(field, utf8("x".repeat(at) + EMOJI));
        add("surrogate-pair", b.encode(fingerprint));
      }
    }
  }

  private void loneSurrogates() {
    // A surrogate has no UTF-8 form; written as the 3 bytes CESU-8 would use, it is invalid UTF-8.
    byte[] high = {(byte) 0xED, (byte) 0xA0, (byte) 0xBD};
    byte[] low = {(byte) 0xED, (byte) 0xB8, (byte) 0x80};
    for (String field : STRING_FIELDS) {
      for (byte[] s : new byte[][] {high, low}) {
        for (int at : new int[] {0, 5, 60}) {
          Body b = base();
          ByteArrayOutputStream v = new ByteArrayOutputStream();
          v.writeBytes(utf8("y".repeat(at)));
          v.writeBytes(s);
          v.writeBytes(utf8("z"));
          b.set(field, v.toByteArray());
          add("lone-surrogate", b.encode(fingerprint));
        }
      }
    }
  }

  private void nuls() {
    for (String field : STRING_FIELDS) {
      for (String s :
          new String[] {"\u0000", "a\u0000b", "\u0000".repeat(128), "\u0000".repeat(129)}) {
        Body b = base();
        b.set(field, utf8(s));
        add("nul", b.encode(fingerprint));
      }
    }
  }

  private void hugeStrings() {
    for (String field : STRING_FIELDS) {
      Body b = base();
      b.set(field, utf8("x".repeat(64 * 1024)));
      add("64KiB-string", b.encode(fingerprint));
    }
    // Whole records of exactly the limit and one byte over: region padded to the length.
    for (int target : new int[] {64 * 1024 - 1, 64 * 1024, 64 * 1024 + 1}) {
      Body b = base();
      int fixed = b.encode(fingerprint).length - b.region.length - 1; // minus region and its length
      int pad = target - fixed - 3; // a 3-byte length varint for ~64 KiB
      b.region = utf8("r".repeat(pad));
      byte[] v = b.encode(fingerprint);
      if (v.length != target) {
        throw new IllegalStateException("padded record is " + v.length + " bytes, not " + target);
      }
      add("64KiB-record", v);
    }
  }

  private void extremeNumbers() {
    long[] times = {Long.MIN_VALUE, Integer.MIN_VALUE, -1, 0, 1, Integer.MAX_VALUE, Long.MAX_VALUE};
    for (long t : times) {
      Body b = base();
      b.time = t;
      add("extreme-number", b.encode(fingerprint));
    }
    int[] statuses = {Integer.MIN_VALUE, -1, 0, 99, 100, 599, 600, 999, Integer.MAX_VALUE};
    for (int s : statuses) {
      Body b = base();
      b.status = s;
      add("extreme-number", b.encode(fingerprint));
    }
    long[] latencies = {
      Long.MIN_VALUE, -1, 0, 3_599_999_999L, 3_600_000_000L, Integer.MAX_VALUE, Long.MAX_VALUE
    };
    for (long l : latencies) {
      Body b = base();
      b.latency = l;
      add("extreme-number", b.encode(fingerprint));
    }
    long[] branches = {-1, 2, Integer.MAX_VALUE, Integer.MIN_VALUE};
    for (long u : branches) {
      Body b = base();
      b.traceBranch = u;
      add("extreme-number", b.encode(fingerprint));
    }
    // Declared string lengths: negative, longer than the record, and beyond any array.
    long[] lengths = {
      -1, -2, Long.MIN_VALUE, 200, 65_536, Integer.MAX_VALUE, 1L << 40, Long.MAX_VALUE
    };
    for (String field : STRING_FIELDS) {
      for (long n : lengths) {
        Body b = base();
        b.lengthOverride.put(field, n);
        add("extreme-number", b.encode(fingerprint));
      }
    }
    // Varints longer than an int (5 bytes) or a long (10 bytes) may be.
    for (String at : new String[] {"status", "latency", "time"}) {
      Body b = base();
      b.overlong = at;
      add("extreme-number", b.encode(fingerprint));
    }
  }

  private void unknownEnumSymbols() {
    for (long index : new long[] {-1, 8, 9, 100, Integer.MAX_VALUE, Integer.MIN_VALUE}) {
      Body b = base();
      b.method = index;
      add("unknown-enum", b.encode(fingerprint));
    }
    for (int i = 0; i < 10; i++) {
      Body b = base();
      b.method = 8; // TRACE, as a newer writer would send it with its own fingerprint
      add("unknown-enum", b.encode(extendedEnumFingerprint));
    }
    for (long index = 0; index < 8; index++) {
      Body b = base();
      b.method = index; // every known symbol, OTHER included: valid
      add("known-enum", b.encode(fingerprint));
    }
  }

  private void timestamps() {
    long y2000 = Instant.parse("2000-01-01T00:00:00Z").toEpochMilli();
    long nowMs = now.toEpochMilli();
    long[] times = {
      0,
      1,
      1_000,
      -1,
      Instant.parse("1970-06-01T00:00:00Z").toEpochMilli(),
      y2000 - 1,
      y2000,
      y2000 + 1,
      nowMs,
      nowMs + 9_999,
      nowMs + 10_000,
      nowMs + 10_001,
      nowMs + 40_000,
      nowMs + 86_400_000,
      nowMs + 86_400_001,
      Instant.parse("3000-01-01T00:00:00Z").toEpochMilli(),
      Instant.parse("+99999-01-01T00:00:00Z").toEpochMilli(),
    };
    for (long t : times) {
      for (int i = 0; i < 4; i++) {
        Body b = base();
        b.time = t;
        add("timestamp", b.encode(fingerprint));
      }
    }
  }

  private void stringBounds() {
    for (String field : STRING_FIELDS) {
      int limit = field.equals("endpoint") ? 512 : 128;
      for (int n : new int[] {0, 1, limit - 1, limit, limit + 1}) {
        Body b = base();
        b.set(field, utf8("e".repeat(n)));
        add("string-bound", b.encode(fingerprint));
      }
      // The limit in UTF-16 units reached with 2-unit characters, and crossed by one.
      Body b = base();
      b.set(field, utf8(EMOJI.repeat(limit / 2)));
      add("string-bound", b.encode(fingerprint));
      b = base();
      b.set(field, utf8("e" + EMOJI.repeat(limit / 2)));
      add("string-bound", b.encode(fingerprint));
    }
    String id = UUID.randomUUID().toString();
    for (String s :
        new String[] {
          id.toUpperCase(Locale.ROOT),
          id.replace("-", ""),
          "{" + id + "}",
          id.substring(1),
          id + "0",
          id.replace('-', '_'),
          "g" + id.substring(1),
          " " + id.substring(1),
        }) {
      Body b = base();
      b.set("event_id", utf8(s));
      add("uuid-form", b.encode(fingerprint));
    }
    Body noTrace = base();
    noTrace.traceId = null;
    add("string-bound", noTrace.encode(fingerprint));
  }

  // ---- records ----

  private void add(String kind, byte[] value) {
    out.add(new Hostile(kind, value));
  }

  /**
   * A valid record with a fresh random id, from a small set of dimensions, within 10 min of now.
   */
  private Body base() {
    Body b = new Body();
    String id = new UUID(random.nextLong(), random.nextLong()).toString();
    b.eventId = utf8(random.nextInt(4) == 0 ? id.toUpperCase(Locale.ROOT) : id);
    b.tenantId = utf8(pick(TENANTS));
    b.time = now.toEpochMilli() - 1_000 - random.nextLong(600_000);
    b.service = utf8(pick(SERVICES));
    b.endpoint = utf8(pick(ENDPOINTS));
    b.method = random.nextInt(8);
    int r = random.nextInt(100);
    b.status = r < 80 ? 200 : r < 90 ? 404 : r < 97 ? 503 : 301;
    b.latency = 50 + random.nextLong(2_000_000);
    b.region = utf8(pick(REGIONS));
    b.traceId = random.nextBoolean() ? null : utf8(Long.toHexString(random.nextLong()));
    return b;
  }

  private String pick(String[] values) {
    return values[random.nextInt(values.length)];
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static ByteArrayOutputStream header(long fingerprint) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write(0xC3);
    b.write(0x01);
    for (int i = 0; i < 8; i++) {
      b.write((int) (fingerprint >>> (8 * i)) & 0xff);
    }
    return b;
  }

  private static Schema released() {
    try (InputStream in =
        HostileRecords.class
            .getClassLoader()
            .getResourceAsStream("schemas/released/ApiRequestEvent/v1.avsc")) {
      return new Schema.Parser().parse(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The fields of one ApiRequestEvent v1 body, strings as raw bytes, indexes as raw numbers. */
  private static final class Body {
    byte[] eventId;
    byte[] tenantId;
    long time;
    byte[] service;
    byte[] endpoint;
    long method;
    long status;
    long latency;
    byte[] region;
    byte[] traceId;

    /** The trace_id union branch to write; -3 means "0 when traceId is null, else 1". */
    long traceBranch = -3;

    /** A declared length to write instead of the string's real one, per field. */
    final java.util.Map<String, Long> lengthOverride = new java.util.HashMap<>();

    /** A numeric field ("status", "latency", "time") to write as an 11-byte varint. */
    String overlong;

    void set(String field, byte[] value) {
      switch (field) {
        case "event_id" -> eventId = value;
        case "tenant_id" -> tenantId = value;
        case "service" -> service = value;
        case "endpoint" -> endpoint = value;
        case "region" -> region = value;
        case "trace_id" -> traceId = value;
        default -> throw new IllegalArgumentException(field);
      }
    }

    byte[] encode(long fingerprint) {
      ByteArrayOutputStream b = header(fingerprint);
      string(b, "event_id", eventId);
      string(b, "tenant_id", tenantId);
      number(b, "time", time);
      string(b, "service", service);
      string(b, "endpoint", endpoint);
      varint(b, method);
      number(b, "status", status);
      number(b, "latency", latency);
      string(b, "region", region);
      long branch = traceBranch != -3 ? traceBranch : traceId == null ? 0 : 1;
      varint(b, branch);
      if (branch == 1) {
        string(b, "trace_id", traceId == null ? new byte[0] : traceId);
      }
      return b.toByteArray();
    }

    private void number(ByteArrayOutputStream b, String name, long v) {
      if (name.equals(overlong)) {
        for (int i = 0; i < 10; i++) {
          b.write(0xFF);
        }
        b.write(0x01);
      } else {
        varint(b, v);
      }
    }

    private void string(ByteArrayOutputStream b, String field, byte[] s) {
      Long declared = lengthOverride.get(field);
      varint(b, declared == null ? s.length : declared);
      b.writeBytes(s);
    }

    /** Avro's zig-zag varint of a long (an int is the same for int values). */
    static void varint(ByteArrayOutputStream b, long v) {
      long z = (v << 1) ^ (v >> 63);
      while ((z & ~0x7FL) != 0) {
        b.write((int) ((z & 0x7F) | 0x80));
        z >>>= 7;
      }
      b.write((int) z);
    }
  }
}
