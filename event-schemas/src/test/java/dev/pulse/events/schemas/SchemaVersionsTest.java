package dev.pulse.events.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pulse.events.ApiRequestEvent;
import dev.pulse.events.topics.Topic;
import dev.pulse.events.topics.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaNormalization;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class SchemaVersionsTest {

  static Stream<Topic<?>> topics() {
    return Topics.ALL.stream();
  }

  /** Whether a reader with {@code reader} can read everything written with {@code writer}. */
  static SchemaCompatibilityType compatibility(Schema reader, Schema writer) {
    return SchemaCompatibility.checkReaderWriterCompatibility(reader, writer).getType();
  }

  @ParameterizedTest
  @MethodSource("topics")
  void theGeneratedSchemaIsTheNewestReleasedVersion(Topic<?> topic) throws IOException {
    ReleasedSchema newest = SchemaVersions.newest(topic.valueType());

    assertThat(SchemaNormalization.toParsingForm(newest.schema()))
        .isEqualTo(SchemaNormalization.toParsingForm(topic.schema()));
    // The parsing form ignores defaults, which resolution depends on: compare the source files
    // too (the generated class's schema carries extra avro.java.string properties).
    Path source = Path.of("src/main/avro", topic.schema().getName() + ".avsc");
    assertThat(newest.schema()).isEqualTo(new Schema.Parser().parse(source.toFile()));
  }

  @ParameterizedTest
  @MethodSource("topics")
  void eachReleasedVersionIsBackwardCompatibleWithThePreviousOne(Topic<?> topic) {
    List<ReleasedSchema> versions = SchemaVersions.released(topic.valueType());
    for (int i = 1; i < versions.size(); i++) {
      assertThat(compatibility(versions.get(i).schema(), versions.get(i - 1).schema()))
          .as("%s reading %s", versions.get(i), versions.get(i - 1))
          .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
    }
    // Transitively as well: the current reader resolves every version a producer may still send.
    for (ReleasedSchema old : versions) {
      assertThat(compatibility(topic.schema(), old.schema()))
          .as("current reading %s", old)
          .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
    }
  }

  /** Proves the compatibility check above can fail: it is the guard of every evolution. */
  @Test
  void theCompatibilityCheckRejectsAFieldAddedWithoutADefault() {
    Schema current = ApiRequestEvent.getClassSchema();
    Schema withRequiredField = withExtraField(current, "\"type\": \"string\"");
    Schema withDefaultedField = withExtraField(current, "\"type\": \"string\", \"default\": \"\"");

    assertThat(compatibility(withRequiredField, current))
        .isEqualTo(SchemaCompatibilityType.INCOMPATIBLE);
    assertThat(compatibility(withDefaultedField, current))
        .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
  }

  @Test
  void theCompatibilityCheckRejectsAnEnumSymbolRemovedWhenTheReaderHasNoDefault() {
    String json =
        "{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"m\",\"type\":"
            + "{\"type\":\"enum\",\"name\":\"E\",\"symbols\":%s}}]}";
    Schema writer = new Schema.Parser().parse(json.formatted("[\"A\",\"B\"]"));
    Schema reader = new Schema.Parser().parse(json.formatted("[\"A\"]"));

    assertThat(compatibility(reader, writer)).isEqualTo(SchemaCompatibilityType.INCOMPATIBLE);
  }

  @ParameterizedTest
  @MethodSource("topics")
  void everyVersionFileOnDiskIsLoadedSoNoneHidesBehindAGap(Topic<?> topic) throws IOException {
    String record = topic.schema().getName();
    Path dir = Path.of("src/main/resources", SchemaVersions.RELEASED_ROOT, record);
    long files;
    try (Stream<Path> list = Files.list(dir)) {
      files = list.filter(p -> p.getFileName().toString().matches("v\\d+\\.avsc")).count();
    }

    assertThat(SchemaVersions.released(record)).hasSize((int) files);
  }

  @Test
  void versionsAreNumberedFromOneWithTheirFingerprints() {
    List<ReleasedSchema> versions = SchemaVersions.released(ApiRequestEvent.class);

    assertThat(versions.get(0).version()).isEqualTo(1);
    assertThat(versions.get(0).fingerprint())
        .isEqualTo(SchemaNormalization.parsingFingerprint64(versions.get(0).schema()));
  }

  @Test
  void aRecordWithoutReleasesIsAClearError() {
    assertThatThrownBy(() -> SchemaVersions.released("NoSuchEvent"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("schemas/released/NoSuchEvent/v1.avsc");
  }

  private static Schema withExtraField(Schema schema, String fieldType) {
    String json = schema.toString();
    String extra = ",{\"name\": \"added_field\", " + fieldType + ", \"doc\": \"test\"}]}";
    return new Schema.Parser().parse(json.substring(0, json.length() - 2) + extra);
  }
}
