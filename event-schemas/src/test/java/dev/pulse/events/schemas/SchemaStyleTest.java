package dev.pulse.events.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.events.topics.Topic;
import dev.pulse.events.topics.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Enforces the schema house style on every released version: documented records and fields,
 * snake_case names, enums with a default symbol (so old readers survive new symbols), and durations
 * as integers with their unit in the name.
 */
class SchemaStyleTest {

  static Stream<ReleasedSchema> releasedSchemas() {
    return Topics.ALL.stream()
        .map(Topic::schema)
        .flatMap(s -> SchemaVersions.released(s.getName()).stream());
  }

  @ParameterizedTest
  @MethodSource("releasedSchemas")
  void everyReleasedSchemaFollowsTheStyle(ReleasedSchema released) {
    assertThat(violations(released.schema())).isEmpty();
  }

  /** Proves the style check can fail. */
  @Test
  void theStyleCheckFindsEachKindOfViolation() {
    Schema bad =
        new Schema.Parser()
            .parse(
                """
                {"type": "record", "name": "Bad", "fields": [
                  {"name": "noDoc", "type": "string"},
                  {"name": "kind", "doc": "d", "type": {"type": "enum", "name": "K", "doc": "k",
                    "symbols": ["A", "B"]}},
                  {"name": "startup_time", "doc": "d", "type": "long"},
                  {"name": "latency", "doc": "d", "type": "int"},
                  {"name": "latency_ms", "doc": "d", "type": "double"}
                ]}
                """);

    assertThat(violations(bad))
        .containsExactlyInAnyOrder(
            "Bad: record has no doc",
            "Bad.noDoc: field has no doc",
            "Bad.noDoc: name is not snake_case",
            "Bad.kind: enum K has no default symbol",
            "Bad.startup_time: a duration needs its unit in the name (_ms, _us, _ns, _s)",
            "Bad.latency: a duration needs its unit in the name (_ms, _us, _ns, _s)",
            "Bad.latency_ms: a duration must be an int or long, not double");
  }

  static List<String> violations(Schema record) {
    List<String> out = new ArrayList<>();
    String name = record.getName();
    if (blank(record.getDoc())) {
      out.add(name + ": record has no doc");
    }
    for (Schema.Field field : record.getFields()) {
      String where = name + "." + field.name();
      if (blank(field.doc())) {
        out.add(where + ": field has no doc");
      }
      if (!field.name().matches("[a-z][a-z0-9]*(_[a-z0-9]+)*")) {
        out.add(where + ": name is not snake_case");
      }
      Schema type = nonNull(field.schema());
      if (type.getType() == Schema.Type.ENUM && type.getEnumDefault() == null) {
        out.add(where + ": enum " + type.getName() + " has no default symbol");
      }
      boolean timestamp = type.getLogicalType() != null;
      boolean hasUnit = field.name().matches(".*_(ms|us|ns|s)");
      boolean looksLikeDuration =
          field.name().matches(".*(latency|duration|_time|timeout|elapsed|playhead).*");
      if (!timestamp && looksLikeDuration && !hasUnit) {
        out.add(where + ": a duration needs its unit in the name (_ms, _us, _ns, _s)");
      }
      if (hasUnit && type.getType() != Schema.Type.INT && type.getType() != Schema.Type.LONG) {
        out.add(where + ": a duration must be an int or long, not " + type.getType().getName());
      }
    }
    return out;
  }

  private static Schema nonNull(Schema schema) {
    if (schema.getType() != Schema.Type.UNION) {
      return schema;
    }
    return schema.getTypes().stream()
        .filter(t -> t.getType() != Schema.Type.NULL)
        .findFirst()
        .orElse(schema);
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }
}
