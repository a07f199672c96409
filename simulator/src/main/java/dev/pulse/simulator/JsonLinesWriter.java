package dev.pulse.simulator;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.pulse.events.json.EventJson;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Writes delivered records as JSON lines, one object per record, byte-for-byte deterministic: valid
 * records as {@code {"topic":..,"key":..,"kind":..,"event":{EventJson}}}, malformed ones as {@code
 * {"topic":..,"key":..,"kind":"MALFORMED","malformed_kind":..,"value_base64":..}}. Lines end with a
 * single {@code \n} on every platform.
 */
public final class JsonLinesWriter implements AutoCloseable {

  private static final JsonFactory JSON = new JsonFactory();

  private final Writer out;
  private long written;

  /** Writes UTF-8 to {@code out}; closing this writer closes {@code out}. */
  public JsonLinesWriter(OutputStream out) {
    this.out = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
  }

  /** The JSON line of {@code record}, without the line terminator. */
  public static String toLine(SimulatedRecord record) {
    StringWriter s = new StringWriter(384);
    try (JsonGenerator g = JSON.createGenerator(s)) {
      g.writeStartObject();
      g.writeStringField("topic", record.topic().name());
      g.writeStringField("key", record.key());
      g.writeStringField("kind", record.kind().name());
      if (record.isValid()) {
        g.writeFieldName("event");
        g.writeRawValue(EventJson.toJson(record.event()));
      } else {
        g.writeStringField("malformed_kind", record.malformedKind().name());
        g.writeStringField("value_base64", Base64.getEncoder().encodeToString(record.value()));
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // cannot happen: writing to a string
    }
    return s.toString();
  }

  /** Writes one record's line. */
  public void write(SimulatedRecord record) throws IOException {
    out.write(toLine(record));
    out.write('\n');
    written++;
  }

  /** Writes every remaining record of {@code records}, counting progress; returns how many. */
  public long writeAll(Simulator.RecordStream records, Progress progress) throws IOException {
    long n = 0;
    while (records.hasNext()) {
      SimulatedRecord r = records.next();
      write(r);
      progress.count(r, records);
      n++;
    }
    out.flush();
    return n;
  }

  public long written() {
    return written;
  }

  public void flush() throws IOException {
    out.flush();
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
