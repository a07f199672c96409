package dev.pulse.events.codec;

import dev.pulse.events.codec.DecodeError.Reason;
import dev.pulse.events.schemas.ReleasedSchema;
import dev.pulse.events.schemas.SchemaVersions;
import dev.pulse.events.topics.Topic;
import dev.pulse.events.topics.Topics;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * Turns one topic's events into Kafka values and back, in Avro single-object encoding: {@code C3
 * 01}, the writer schema's 8-byte CRC-64-AVRO fingerprint (little-endian), then the Avro binary
 * body.
 *
 * <p>Encoding always writes the current schema. Decoding accepts every released version of the
 * topic's record (resolved to the current one by its fingerprint), checks the bytes are exactly one
 * record, then applies {@link EventValidator}. It never throws: any input, however hostile, becomes
 * a {@link DecodeResult.Failure} with a typed reason, which is what dead-lettering records.
 *
 * <p>Thread-safe: one instance may be shared, and each Flink operator may equally hold its own.
 * Per-thread encoder and decoder buffers are reused, so the good path allocates only the result.
 *
 * <p>Why not Avro's {@code BinaryMessageDecoder}: it reports problems by exceptions of several
 * kinds (costly per bad record and hard to classify), and it cannot tell whether bytes remain after
 * the record. This class resolves fingerprints the same way (one reader per released writer schema)
 * but checks the header and body itself first (see {@link WireScanner}).
 *
 * @param <T> the topic's value type
 */
public final class EventCodec<T extends SpecificRecord> {

  /** The first two bytes of every single-object encoded value (Avro specification). */
  static final byte MAGIC_0 = (byte) 0xC3;

  static final byte MAGIC_1 = (byte) 0x01;

  /** Marker plus fingerprint. */
  static final int HEADER_BYTES = 10;

  private static final ThreadLocal<Buffer> ENCODE_BUFFER = ThreadLocal.withInitial(Buffer::new);
  private static final ThreadLocal<BinaryEncoder[]> ENCODER =
      ThreadLocal.withInitial(() -> new BinaryEncoder[1]);
  private static final ThreadLocal<BinaryDecoder[]> DECODER =
      ThreadLocal.withInitial(() -> new BinaryDecoder[1]);

  private final Topic<T> topic;
  private final EventValidator validator;
  private final int maxRecordBytes;
  private final byte[] header;
  private final SpecificDatumWriter<T> writer;
  private final List<ReleasedSchema> released;
  // Parallel arrays, scanned linearly: a handful of versions, and no boxing of the fingerprint.
  private final long[] fingerprints;
  private final Schema[] writerSchemas;
  private final SpecificDatumReader<T>[] readers;

  private EventCodec(
      Topic<T> topic, EventValidator validator, int maxRecordBytes, List<ReleasedSchema> released) {
    this.topic = Objects.requireNonNull(topic, "topic");
    this.validator = Objects.requireNonNull(validator, "validator");
    if (maxRecordBytes < HEADER_BYTES) {
      throw new IllegalArgumentException("maxRecordBytes must be >= " + HEADER_BYTES);
    }
    this.maxRecordBytes = maxRecordBytes;
    Schema current = topic.schema();
    SpecificData model = SpecificData.getForClass(topic.valueType());
    this.released = List.copyOf(released);
    long currentFingerprint = SchemaNormalization.parsingFingerprint64(current);
    if (released.stream().noneMatch(r -> r.fingerprint() == currentFingerprint)) {
      throw new IllegalStateException(
          "the current schema of "
              + current.getFullName()
              + " ("
              + ReleasedSchema.hex(currentFingerprint)
              + ") is not released: add it as "
              + SchemaVersions.resourcePath(current.getName(), released.size() + 1));
    }
    this.header = header(currentFingerprint);
    this.writer = new SpecificDatumWriter<>(current, model);
    int n = released.size();
    this.fingerprints = new long[n];
    this.writerSchemas = new Schema[n];
    @SuppressWarnings("unchecked")
    SpecificDatumReader<T>[] readers = new SpecificDatumReader[n];
    for (int i = 0; i < n; i++) {
      ReleasedSchema version = released.get(i);
      if (!version.schema().getFullName().equals(current.getFullName())) {
        throw new IllegalArgumentException(
            version + " is not a version of " + current.getFullName());
      }
      fingerprints[i] = version.fingerprint();
      writerSchemas[i] = version.schema();
      readers[i] = new SpecificDatumReader<>(version.schema(), current, model);
    }
    this.readers = readers;
  }

  /** A codec for {@code topic}'s values, validating against the system clock. */
  public static <T extends SpecificRecord> EventCodec<T> forTopic(Topic<T> topic) {
    return forTopic(topic, EventValidator.standard());
  }

  /** A codec for {@code topic}'s values that validates decoded events with {@code validator}. */
  public static <T extends SpecificRecord> EventCodec<T> forTopic(
      Topic<T> topic, EventValidator validator) {
    return new EventCodec<>(
        topic,
        validator,
        EventValidator.MAX_RECORD_BYTES,
        SchemaVersions.released(topic.schema().getName()));
  }

  /**
   * A codec that accepts exactly {@code released} as writer versions: lets tests prove that an
   * older writer version resolves, before a second version exists on the classpath.
   */
  static <T extends SpecificRecord> EventCodec<T> withReleased(
      Topic<T> topic, EventValidator validator, List<ReleasedSchema> released) {
    return new EventCodec<>(topic, validator, EventValidator.MAX_RECORD_BYTES, released);
  }

  /** The topic this codec reads and writes. */
  public Topic<T> topic() {
    return topic;
  }

  /** The writer versions this codec decodes, oldest first. */
  public List<ReleasedSchema> releasedVersions() {
    return released;
  }

  /**
   * Encodes {@code value} with the current schema. Does not validate: producers (and tests of
   * dead-lettering) may deliberately write events that readers will reject.
   *
   * @throws IllegalArgumentException when {@code value} cannot be written (a required field is
   *     null)
   */
  public byte[] encode(T value) {
    Objects.requireNonNull(value, "value");
    Buffer buffer = ENCODE_BUFFER.get();
    buffer.reset();
    buffer.write(header, 0, header.length);
    BinaryEncoder[] encoder = ENCODER.get();
    encoder[0] = EncoderFactory.get().binaryEncoder(buffer, encoder[0]);
    try {
      writer.write(value, encoder[0]);
      encoder[0].flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // cannot happen: the buffer is in memory
    } catch (RuntimeException e) {
      encoder[0] = null; // its internal buffer may hold half a record
      throw new IllegalArgumentException(
          "cannot encode " + topic.schema().getFullName() + ": " + e.getMessage(), e);
    }
    return buffer.toByteArray();
  }

  /** Decodes and validates one Kafka value; never throws. */
  public DecodeResult<T> decode(byte[] bytes) {
    return bytes == null
        ? failure(Reason.EMPTY, "no bytes (null value)")
        : decode(bytes, 0, bytes.length);
  }

  /** Decodes and validates {@code bytes[offset, offset + length)}; never throws. */
  public DecodeResult<T> decode(byte[] bytes, int offset, int length) {
    if (bytes == null || length == 0) {
      return failure(Reason.EMPTY, "no bytes (" + (bytes == null ? "null" : "empty") + " value)");
    }
    if (offset < 0 || length < 0 || offset > bytes.length - length) {
      return failure(
          Reason.MALFORMED,
          "range " + offset + "+" + length + " is outside an array of " + bytes.length + " bytes");
    }
    if (length > maxRecordBytes) {
      return failure(
          Reason.OVERSIZED, length + " bytes, over the record limit of " + maxRecordBytes);
    }
    if (bytes[offset] != MAGIC_0 || (length > 1 && bytes[offset + 1] != MAGIC_1)) {
      return failure(Reason.NOT_SINGLE_OBJECT, notSingleObject(bytes, offset, length));
    }
    if (length < HEADER_BYTES) {
      return failure(
          Reason.TRUNCATED,
          length + " bytes end inside the " + HEADER_BYTES + "-byte single-object header");
    }
    long fingerprint = readFingerprint(bytes, offset + 2);
    int version = -1;
    for (int i = 0; i < fingerprints.length; i++) {
      if (fingerprints[i] == fingerprint) {
        version = i;
        break;
      }
    }
    if (version < 0) {
      return failure(Reason.UNKNOWN_FINGERPRINT, unknownFingerprint(fingerprint));
    }
    int bodyOffset = offset + HEADER_BYTES;
    int bodyLength = length - HEADER_BYTES;
    DecodeError wireError = WireScanner.scan(writerSchemas[version], bytes, bodyOffset, bodyLength);
    if (wireError != null) {
      return new DecodeResult.Failure<>(wireError);
    }
    T value;
    try {
      BinaryDecoder[] decoder = DECODER.get();
      decoder[0] = DecoderFactory.get().binaryDecoder(bytes, bodyOffset, bodyLength, decoder[0]);
      value = readers[version].read(null, decoder[0]);
    } catch (IOException | RuntimeException e) {
      // The scan accepted these bytes, so this means a writer/reader resolution problem.
      return failure(
          Reason.MALFORMED,
          "cannot read "
              + released.get(version)
              + ": "
              + e.getClass().getSimpleName()
              + ": "
              + e.getMessage());
    }
    Optional<DecodeError> invalid = validator.validate(value);
    return invalid.isEmpty()
        ? new DecodeResult.Ok<>(value)
        : new DecodeResult.Failure<>(invalid.get());
  }

  private static <T> DecodeResult<T> failure(Reason reason, String message) {
    return new DecodeResult.Failure<>(new DecodeError(reason, message));
  }

  private static byte[] header(long fingerprint) {
    byte[] h = new byte[HEADER_BYTES];
    h[0] = MAGIC_0;
    h[1] = MAGIC_1;
    for (int i = 0; i < 8; i++) {
      h[2 + i] = (byte) (fingerprint >>> (8 * i));
    }
    return h;
  }

  private static long readFingerprint(byte[] b, int at) {
    long f = 0;
    for (int i = 7; i >= 0; i--) {
      f = (f << 8) | (b[at + i] & 0xffL);
    }
    return f;
  }

  private static String notSingleObject(byte[] bytes, int offset, int length) {
    StringBuilder s = new StringBuilder("starts with");
    for (int i = 0; i < Math.min(2, length); i++) {
      s.append(String.format(" 0x%02x", bytes[offset + i] & 0xff));
    }
    s.append(", not the Avro single-object marker 0xc3 0x01");
    if (bytes[offset] == '{') {
      s.append(" (looks like JSON)");
    }
    return s.toString();
  }

  private String unknownFingerprint(long fingerprint) {
    String s =
        "unknown schema fingerprint "
            + ReleasedSchema.hex(fingerprint)
            + " (not a released version of "
            + topic.schema().getFullName()
            + ")";
    ReleasedSchema other = KnownSchemas.byFingerprint().get(fingerprint);
    return other == null ? s : s + "; it is " + other + ": sent to the wrong topic?";
  }

  /** Every released schema of every topic, to name a record that came to the wrong topic. */
  private static final class KnownSchemas {
    private static final Map<Long, ReleasedSchema> BY_FINGERPRINT = load();

    static Map<Long, ReleasedSchema> byFingerprint() {
      return BY_FINGERPRINT;
    }

    private static Map<Long, ReleasedSchema> load() {
      Map<Long, ReleasedSchema> all = new LinkedHashMap<>();
      for (Topic<?> t : Topics.ALL) {
        for (ReleasedSchema r : SchemaVersions.released(t.schema().getName())) {
          all.put(r.fingerprint(), r);
        }
      }
      return Map.copyOf(all);
    }
  }

  /** An unsynchronized growable byte buffer, reused per thread for encoding. */
  private static final class Buffer extends OutputStream {
    private static final int SHRINK_ABOVE = 1 << 20;
    private byte[] buf = new byte[512];
    private int count;

    void reset() {
      count = 0;
      if (buf.length > SHRINK_ABOVE) {
        buf = new byte[512]; // one huge record must not pin its buffer to the thread for ever
      }
    }

    @Override
    public void write(int b) {
      ensure(1);
      buf[count++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      ensure(len);
      System.arraycopy(b, off, buf, count, len);
      count += len;
    }

    byte[] toByteArray() {
      return Arrays.copyOf(buf, count);
    }

    private void ensure(int extra) {
      if (count + extra > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, count + extra));
      }
    }
  }
}
