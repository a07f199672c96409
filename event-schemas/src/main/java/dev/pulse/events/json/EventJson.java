package dev.pulse.events.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.pulse.events.codec.Text;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * The plain-JSON form of Pulse events, for JSON-lines output and example payloads: one object per
 * event, fields in schema order under the schema's snake_case names, {@code event_time} (any
 * timestamp-millis) as epoch milliseconds, enums as their symbol, absent optionals as null.
 *
 * <p>Unlike Avro's own JSON encoding, unions are not wrapped ({@code "trace_id": "abc"}, not {@code
 * {"string": "abc"}}): the events have only {@code [null, X]} unions, so plain values are
 * unambiguous and what people and JSON tools expect.
 *
 * <p>Output is byte-for-byte stable for equal records. Reading is strict: unknown fields, duplicate
 * fields, wrong types and unknown enum symbols are errors; a missing field takes the schema's
 * default, or is an error when it has none. Thread-safe.
 */
public final class EventJson {

  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();
  private static final JsonFactory FACTORY = MAPPER.getFactory();

  private EventJson() {}

  /** The JSON object of {@code event}, on one line. */
  public static String toJson(SpecificRecord event) {
    Objects.requireNonNull(event, "event");
    StringWriter out = new StringWriter(256);
    try (JsonGenerator gen = FACTORY.createGenerator(out)) {
      writeRecord(gen, event.getSchema(), event);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // cannot happen: writing to a string
    }
    return out.toString();
  }

  /**
   * Reads one event of {@code type} from its JSON object.
   *
   * @throws IllegalArgumentException naming the field and the problem, when {@code json} is not
   *     exactly such an object
   */
  public static <T extends SpecificRecord> T fromJson(String json, Class<T> type) {
    Objects.requireNonNull(json, "json");
    Objects.requireNonNull(type, "type");
    JsonNode node;
    try {
      node = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not valid JSON: " + e.getOriginalMessage(), e);
    }
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException(
          "expected a JSON object for "
              + type.getSimpleName()
              + ", got "
              + (node == null ? "nothing" : node.getNodeType()));
    }
    return readRecord(node, type);
  }

  private static void writeRecord(JsonGenerator gen, Schema schema, SpecificRecord record)
      throws IOException {
    gen.writeStartObject();
    for (Schema.Field field : schema.getFields()) {
      gen.writeFieldName(field.name());
      writeValue(gen, field.schema(), record.get(field.pos()));
    }
    gen.writeEndObject();
  }

  private static void writeValue(JsonGenerator gen, Schema schema, Object value)
      throws IOException {
    if (value == null) {
      gen.writeNull();
      return;
    }
    switch (schema.getType()) {
      case UNION -> writeValue(gen, nonNullBranch(schema), value);
      case STRING -> gen.writeString(value.toString());
      case INT -> gen.writeNumber((Integer) value);
      case LONG -> {
        if (value instanceof Instant instant) {
          gen.writeNumber(instant.toEpochMilli());
        } else {
          gen.writeNumber((Long) value);
        }
      }
      case BOOLEAN -> gen.writeBoolean((Boolean) value);
      case ENUM -> gen.writeString(value.toString());
      case RECORD -> writeRecord(gen, schema, (SpecificRecord) value);
      default ->
          throw new IllegalArgumentException(
              "EventJson does not support Avro type " + schema.getType());
    }
  }

  private static <T extends SpecificRecord> T readRecord(JsonNode node, Class<T> type) {
    SpecificData model = SpecificData.getForClass(type);
    Schema schema = model.getSchema(type);
    T record;
    try {
      record = type.getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException e) {
      throw new IllegalArgumentException(type.getName() + " is not a generated Avro record", e);
    }
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (schema.getField(name) == null) {
        throw new IllegalArgumentException(
            "unknown field '"
                + name
                + "' for "
                + schema.getName()
                + " (fields: "
                + schema.getFields().stream().map(Schema.Field::name).toList()
                + ")");
      }
    }
    for (Schema.Field field : schema.getFields()) {
      JsonNode value = node.get(field.name());
      Object converted;
      if (value == null) {
        if (!field.hasDefaultValue()) {
          throw new IllegalArgumentException(
              "missing field '" + field.name() + "' of " + schema.getName());
        }
        converted = model.deepCopy(field.schema(), model.getDefaultValue(field));
      } else {
        converted = readValue(model, field.schema(), value, field.name(), false);
      }
      record.put(field.pos(), converted);
    }
    return record;
  }

  private static Object readValue(
      SpecificData model, Schema schema, JsonNode value, String field, boolean nullable) {
    if (schema.getType() == Schema.Type.UNION) {
      // nonNullBranch refuses other unions, so a [null, X] union is all that reaches here.
      if (value.isNull()) {
        return null;
      }
      return readValue(model, nonNullBranch(schema), value, field, true);
    }
    switch (schema.getType()) {
      case STRING:
        if (!value.isTextual()) {
          throw wrongType(field, schema, value, nullable);
        }
        return value.textValue();
      case INT:
        if (!value.isIntegralNumber() || !value.canConvertToInt()) {
          throw wrongType(field, schema, value, nullable);
        }
        return value.intValue();
      case LONG:
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
          throw wrongType(field, schema, value, nullable);
        }
        LogicalType logical = schema.getLogicalType();
        if (logical instanceof LogicalTypes.TimestampMillis) {
          return Instant.ofEpochMilli(value.longValue());
        }
        return value.longValue();
      case BOOLEAN:
        if (!value.isBoolean()) {
          throw wrongType(field, schema, value, nullable);
        }
        return value.booleanValue();
      case ENUM:
        if (!value.isTextual() || !schema.getEnumSymbols().contains(value.textValue())) {
          throw new IllegalArgumentException(
              "field '" + field + "': " + value + " is not one of " + schema.getEnumSymbols());
        }
        return model.createEnum(value.textValue(), schema);
      default:
        throw new IllegalArgumentException(
            "field '" + field + "': EventJson does not support Avro type " + schema.getType());
    }
  }

  private static Schema nonNullBranch(Schema union) {
    List<Schema> branches = union.getTypes();
    Schema found = null;
    for (Schema branch : branches) {
      if (branch.getType() != Schema.Type.NULL) {
        if (found != null) {
          throw new IllegalArgumentException(
              "EventJson supports only [null, X] unions, not " + union);
        }
        found = branch;
      }
    }
    return found;
  }

  private static IllegalArgumentException wrongType(
      String field, Schema schema, JsonNode value, boolean nullable) {
    String expected =
        (nullable ? "null or " : "")
            + schema.getType().getName()
            + (schema.getLogicalType() != null
                ? " (" + schema.getLogicalType().getName() + ")"
                : "");
    return new IllegalArgumentException(
        "field '"
            + field
            + "': expected "
            + expected
            + ", got "
            + value.getNodeType()
            + " "
            + abbreviate(value.toString()));
  }

  private static String abbreviate(String s) {
    return Text.shorten(s, 64);
  }
}
