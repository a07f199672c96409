package dev.pulse.events.examples;

import static dev.pulse.events.testing.Events.validator;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.events.codec.DecodeError;
import dev.pulse.events.codec.DecodeResult;
import dev.pulse.events.codec.EventCodec;
import dev.pulse.events.json.EventJson;
import dev.pulse.events.topics.Topic;
import dev.pulse.events.topics.Topics;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs every example payload under {@code examples/<topic>/} through the contract: the valid ones
 * must survive JSON -> Avro -> JSON unchanged and pass validation; each one under {@code invalid/}
 * must be rejected for the reason its file name starts with.
 */
class ExamplesTest {

  static Stream<Topic<?>> topics() {
    return Topics.ALL.stream();
  }

  @ParameterizedTest
  @MethodSource("topics")
  void everyValidExampleRoundTripsToIdenticalJsonAndPassesValidation(Topic<?> topic)
      throws IOException {
    List<Path> examples = jsonFiles(dir(topic));
    assertThat(examples).as("examples of %s", topic).hasSizeGreaterThanOrEqualTo(2);
    for (Path example : examples) {
      roundTrip(topic, example);
    }
  }

  private static <T extends SpecificRecord> void roundTrip(Topic<T> topic, Path example)
      throws IOException {
    String json = Files.readString(example, StandardCharsets.UTF_8).strip();
    EventCodec<T> codec = EventCodec.forTopic(topic, validator());

    T event = EventJson.fromJson(json, topic.valueType());
    DecodeResult<T> decoded = codec.decode(codec.encode(event));

    assertThat(decoded.errorOrNull()).as("%s", example.getFileName()).isNull();
    assertThat(decoded.orElseThrow()).isEqualTo(event);
    assertThat(EventJson.toJson(decoded.orElseThrow()))
        .as("%s", example.getFileName())
        .isEqualTo(json);
  }

  @ParameterizedTest
  @MethodSource("topics")
  void everyInvalidExampleIsRejectedForTheReasonInItsName(Topic<?> topic) throws IOException {
    List<Path> examples = jsonFiles(dir(topic).resolve("invalid"));
    assertThat(examples).as("invalid examples of %s", topic).isNotEmpty();
    for (Path example : examples) {
      rejected(topic, example);
    }
  }

  private static <T extends SpecificRecord> void rejected(Topic<T> topic, Path example)
      throws IOException {
    String name = example.getFileName().toString();
    DecodeError.Reason expected = DecodeError.Reason.valueOf(name.substring(0, name.indexOf('-')));
    EventCodec<T> codec = EventCodec.forTopic(topic, validator());
    T event =
        EventJson.fromJson(Files.readString(example, StandardCharsets.UTF_8), topic.valueType());

    DecodeResult<T> decoded = codec.decode(codec.encode(event));

    assertThat(decoded.isOk()).as("%s decoded", name).isFalse();
    assertThat(decoded.errorOrNull().reason())
        .as("%s: %s", name, decoded.errorOrNull())
        .isEqualTo(expected);
  }

  private static Path dir(Topic<?> topic) {
    URL url = ExamplesTest.class.getClassLoader().getResource("examples/" + topic.name());
    assertThat(url).as("examples/%s on the classpath", topic.name()).isNotNull();
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<Path> jsonFiles(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }
  }
}
