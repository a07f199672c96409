package dev.pulse.events.schemas;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * The released versions of each event schema, read from the classpath at {@code
 * schemas/released/<RecordName>/v<N>.avsc}.
 *
 * <p>Versions are numbered contiguously from v1; the list ends at the first missing number. Probing
 * by number (instead of listing a directory) works the same from a directory and from a jar, and
 * {@code SchemaVersionsTest} fails if a file sits beyond a gap.
 */
public final class SchemaVersions {

  /** Classpath folder holding one sub-folder of released versions per record name. */
  public static final String RELEASED_ROOT = "schemas/released/";

  private static final Map<String, List<ReleasedSchema>> CACHE = new ConcurrentHashMap<>();

  private SchemaVersions() {}

  /** The released versions of {@code type}'s schema, oldest first; never empty. */
  public static List<ReleasedSchema> released(Class<? extends SpecificRecord> type) {
    return released(SpecificData.get().getSchema(type).getName());
  }

  /**
   * The released versions of the record named {@code recordName} (simple name, such as {@code
   * ApiRequestEvent}), oldest first.
   *
   * @throws IllegalArgumentException when no version of that record has been released
   */
  public static List<ReleasedSchema> released(String recordName) {
    return CACHE.computeIfAbsent(recordName, SchemaVersions::load);
  }

  /** The newest released version of {@code type}'s schema. */
  public static ReleasedSchema newest(Class<? extends SpecificRecord> type) {
    List<ReleasedSchema> versions = released(type);
    return versions.get(versions.size() - 1);
  }

  /** The classpath resource of one version, for tools and tests. */
  public static String resourcePath(String recordName, int version) {
    return RELEASED_ROOT + recordName + "/v" + version + ".avsc";
  }

  private static List<ReleasedSchema> load(String recordName) {
    ClassLoader loader = SchemaVersions.class.getClassLoader();
    List<ReleasedSchema> versions = new ArrayList<>();
    for (int version = 1; ; version++) {
      String path = resourcePath(recordName, version);
      try (InputStream in = loader.getResourceAsStream(path)) {
        if (in == null) {
          break;
        }
        // A fresh parser per file: every version defines the same names, which one parser rejects.
        Schema schema = new Schema.Parser().parse(in);
        if (!schema.getName().equals(recordName)) {
          throw new IllegalStateException(
              path
                  + " defines "
                  + schema.getFullName()
                  + ", expected a record named "
                  + recordName);
        }
        versions.add(ReleasedSchema.of(version, schema));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + path, e);
      }
    }
    if (versions.isEmpty()) {
      throw new IllegalArgumentException(
          "no released schema for " + recordName + ": expected " + resourcePath(recordName, 1));
    }
    return List.copyOf(versions);
  }
}
