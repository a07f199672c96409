package dev.pulse.events.schemas;

import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

/**
 * One released version of an event schema: what producers may have written with, so what every
 * reader must still resolve.
 *
 * @param version the release number, 1 for the first release
 * @param schema the schema as released
 * @param fingerprint its CRC-64-AVRO parsing fingerprint, which single-object encoding carries
 */
public record ReleasedSchema(int version, Schema schema, long fingerprint) {

  public ReleasedSchema {
    Objects.requireNonNull(schema, "schema");
    if (version < 1) {
      throw new IllegalArgumentException("version must be >= 1, got " + version);
    }
    if (fingerprint != SchemaNormalization.parsingFingerprint64(schema)) {
      throw new IllegalArgumentException(
          "fingerprint " + hex(fingerprint) + " is not that of " + schema.getFullName());
    }
  }

  /** Releases {@code schema} as {@code version}, computing its fingerprint. */
  public static ReleasedSchema of(int version, Schema schema) {
    return new ReleasedSchema(version, schema, SchemaNormalization.parsingFingerprint64(schema));
  }

  /** The fingerprint as people read it in logs and dead letters: {@code 0x} and 16 hex digits. */
  public static String hex(long fingerprint) {
    return String.format("0x%016x", fingerprint);
  }

  @Override
  public String toString() {
    return schema.getFullName() + " v" + version + " (" + hex(fingerprint) + ")";
  }
}
