package dev.pulse.oracle;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.Decoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.util.Utf8;

/**
 * The oracle's own reading of a {@code pulse.api.requests} Kafka value, from the wire format the
 * contract documents (event-schemas/README.md, "Wire format"): Avro single-object encoding, i.e.
 * {@code C3 01}, the writer schema's CRC-64-AVRO fingerprint as 8 little-endian bytes, then the
 * Avro binary body of exactly one record.
 *
 * <p>It shares no code with the pipeline's codec: the header is parsed here, and the body is read
 * by Apache Avro's generic reader ({@link GenericDatumReader}) with the released writer schema (the
 * {@code .avsc} files are the contract), through a decoder that adds what the contract asks beyond
 * Avro's own checks: strings must be strict UTF-8, a declared length may not reach past the value
 * (so a hostile length allocates nothing), and no byte may follow the record.
 */
public final class ApiWire {

  /** Where event-schemas publishes each released version: {@code v1.avsc}, {@code v2.avsc}, ... */
  static final String RELEASED = "schemas/released/ApiRequestEvent/v";

  private static final List<Schema> WRITERS = released();
  private static final long[] FINGERPRINTS =
      WRITERS.stream().mapToLong(SchemaNormalization::parsingFingerprint64).toArray();

  private ApiWire() {}

  /** Reads one Kafka value: the event with the contract's rules applied at {@code now}. */
  public static Verdict read(byte[] value, java.time.Instant now, ApiContract contract) {
    if (value == null || value.length == 0) {
      return Verdict.broken(Violation.EMPTY);
    }
    if (value.length > ApiContract.MAX_RECORD_BYTES) {
      return Verdict.broken(Violation.OVERSIZED);
    }
    if ((value[0] & 0xff) != 0xC3 || (value.length > 1 && (value[1] & 0xff) != 0x01)) {
      return Verdict.broken(Violation.NOT_SINGLE_OBJECT);
    }
    if (value.length < 10) {
      return Verdict.broken(Violation.TRUNCATED);
    }
    long fingerprint = 0;
    for (int i = 0; i < 8; i++) {
      fingerprint |= (value[2 + i] & 0xffL) << (8 * i);
    }
    int version = -1;
    for (int i = 0; i < FINGERPRINTS.length; i++) {
      if (FINGERPRINTS[i] == fingerprint) {
        version = i;
      }
    }
    if (version < 0) {
      return Verdict.broken(Violation.UNKNOWN_FINGERPRINT);
    }
    Schema writer = WRITERS.get(version);
    GenericRecord body;
    StrictDecoder in = new StrictDecoder(value, 10, value.length - 10);
    try {
      body = new GenericDatumReader<GenericRecord>(writer).read(null, in);
    } catch (EOFException e) {
      return Verdict.broken(Violation.TRUNCATED);
    } catch (IOException | RuntimeException e) {
      return Verdict.broken(in.truncated ? Violation.TRUNCATED : Violation.MALFORMED);
    }
    try {
      if (!in.isEnd()) {
        return Verdict.broken(Violation.MALFORMED); // bytes after the record
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e); // cannot happen: the input is in memory
    }
    ApiEvent event = toEvent(body);
    return new Verdict(event, contract.violations(event, now));
  }

  /** The oracle's event of a record read with a released writer schema, fields by name. */
  private static ApiEvent toEvent(GenericRecord r) {
    Object trace = r.get("trace_id");
    return new ApiEvent(
        text(r.get("event_id")),
        text(r.get("tenant_id")),
        (Long) r.get("event_time"),
        text(r.get("service")),
        text(r.get("endpoint")),
        ((GenericEnumSymbol<?>) r.get("method")).toString(),
        (Integer) r.get("status_code"),
        (Long) r.get("latency_us"),
        r.getSchema().getField("region") == null ? "" : text(r.get("region")),
        trace == null ? null : text(trace));
  }

  private static String text(Object utf8) {
    return utf8.toString(); // validated as strict UTF-8 by the decoder
  }

  private static List<Schema> released() {
    List<Schema> out = new ArrayList<>();
    for (int v = 1; ; v++) {
      try (InputStream in =
          ApiWire.class.getClassLoader().getResourceAsStream(RELEASED + v + ".avsc")) {
        if (in == null) {
          break;
        }
        out.add(new Schema.Parser().parse(in));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    if (out.isEmpty()) {
      throw new IllegalStateException(
          "no released ApiRequestEvent schema at " + RELEASED + "1.avsc");
    }
    return List.copyOf(out);
  }

  /**
   * Avro's binary decoder over the body, with strings and bytes read here: the declared length is
   * checked against what remains before anything is allocated, and strings must be strict UTF-8
   * (Avro itself would replace invalid sequences silently).
   */
  private static final class StrictDecoder extends Decoder {
    private final BinaryDecoder in;
    private final int length;

    /** Set when a declared length reached past the end: the value was cut. */
    boolean truncated;

    StrictDecoder(byte[] bytes, int offset, int length) {
      this.in = DecoderFactory.get().binaryDecoder(bytes, offset, length, null);
      this.length = length;
    }

    boolean isEnd() throws IOException {
      return in.isEnd();
    }

    private byte[] lengthPrefixed() throws IOException {
      long n = in.readLong();
      if (n < 0) {
        throw new IOException("negative length " + n);
      }
      if (n > length) {
        truncated = true;
        throw new EOFException("length " + n + " reaches past the " + length + "-byte body");
      }
      byte[] b = new byte[(int) n];
      in.readFixed(b); // EOFException when fewer bytes remain
      return b;
    }

    @Override
    public Utf8 readString(Utf8 old) throws IOException {
      byte[] b = lengthPrefixed();
      try {
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(b));
      } catch (CharacterCodingException e) {
        throw new IOException("string is not UTF-8", e);
      }
      return new Utf8(b);
    }

    @Override
    public String readString() throws IOException {
      return readString(null).toString();
    }

    @Override
    public void skipString() throws IOException {
      readString(null);
    }

    @Override
    public ByteBuffer readBytes(ByteBuffer old) throws IOException {
      return ByteBuffer.wrap(lengthPrefixed());
    }

    @Override
    public void skipBytes() throws IOException {
      lengthPrefixed();
    }

    @Override
    public void readNull() throws IOException {
      in.readNull();
    }

    @Override
    public boolean readBoolean() throws IOException {
      return in.readBoolean();
    }

    @Override
    public int readInt() throws IOException {
      return in.readInt();
    }

    @Override
    public long readLong() throws IOException {
      return in.readLong();
    }

    @Override
    public float readFloat() throws IOException {
      return in.readFloat();
    }

    @Override
    public double readDouble() throws IOException {
      return in.readDouble();
    }

    @Override
    public void readFixed(byte[] bytes, int start, int len) throws IOException {
      in.readFixed(bytes, start, len);
    }

    @Override
    public void skipFixed(int len) throws IOException {
      in.skipFixed(len);
    }

    @Override
    public int readEnum() throws IOException {
      return in.readEnum();
    }

    @Override
    public long readArrayStart() throws IOException {
      return in.readArrayStart();
    }

    @Override
    public long arrayNext() throws IOException {
      return in.arrayNext();
    }

    @Override
    public long skipArray() throws IOException {
      return in.skipArray();
    }

    @Override
    public long readMapStart() throws IOException {
      return in.readMapStart();
    }

    @Override
    public long mapNext() throws IOException {
      return in.mapNext();
    }

    @Override
    public long skipMap() throws IOException {
      return in.skipMap();
    }

    @Override
    public int readIndex() throws IOException {
      return in.readIndex();
    }
  }
}
