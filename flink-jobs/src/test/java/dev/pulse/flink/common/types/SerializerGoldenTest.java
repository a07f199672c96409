package dev.pulse.flink.common.types;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pulse.flink.api.records.ApiKey;
import dev.pulse.flink.api.records.ApiRequest;
import dev.pulse.flink.classroom.functions.SessionEngagement;
import dev.pulse.flink.classroom.records.ClassroomActivity;
import dev.pulse.flink.classroom.records.SessionKey;
import dev.pulse.flink.common.DedupKey;
import dev.pulse.flink.common.EventKey;
import dev.pulse.flink.common.SeenIds;
import dev.pulse.flink.common.types.GoldenValues.Seen;
import dev.pulse.flink.playback.records.PlaybackActivity;
import dev.pulse.flink.playback.records.ViewKey;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Pins the bytes of every hand-written serializer the job keeps state or shuffles with, in the
 * spirit of Flink's {@code TypeSerializerUpgradeTestBase}: for each type and each format version,
 * {@code src/test/resources/golden/<type>/} holds the bytes of {@link GoldenValues} ({@code
 * format-N.data}) and the serializer's snapshot ({@code format-N.snapshot}, written with {@link
 * TypeSerializerSnapshot#writeVersionedSnapshot}). The tests assert that the current serializer
 * writes exactly the current format's bytes, that every kept format still reads back to the values
 * through its restored snapshot, and what Flink is told at restore (compatible as is, after
 * migration, incompatible).
 *
 * <p>The failure this prevents: a serializer whose bytes change while its snapshot still says
 * "compatible as is", so a restore reads old state as garbage. A round trip cannot see that; a
 * golden file can.
 *
 * <p>{@code unversioned.snapshot} and {@code format-1.data} were written by the serializers of
 * commit 812caae (before formats were versioned, with {@code SimpleTypeSerializerSnapshot}) and can
 * never be written again: they stand for the savepoints taken before.
 *
 * <p>Regenerating: golden files are written once per format, by its {@code main}, run by hand:
 *
 * <pre>
 * cd flink-jobs && mvn -q -o test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp \
 *   && java -cp target/test-classes:target/classes:$(cat /tmp/cp) dev.pulse.flink.common.types.SerializerGoldenTest
 * </pre>
 *
 * It writes only the current format's files and refuses to overwrite one. Writing new files is
 * right only together with a new format version ({@code Serializer.FORMAT}, with a reader for the
 * old one or a stated reason why its state may be dropped): if {@link
 * #currentSerializerWritesTheGoldenBytes} fails, the serializer's bytes changed, and the fix is a
 * new format, never new bytes under the old number. Old formats' files stay, with their expected
 * compatibility written in {@link #types}.
 */
class SerializerGoldenTest {

  private static final Path GOLDEN_SOURCE = Path.of("src/test/resources/golden");

  /** One serializer under test: where its files are and what it should say about them. */
  record Type<T>(
      String dir,
      TypeSerializer<T> current,
      int format,
      List<T> values,
      Function<T, Object> view,
      String unversionedLayout,
      boolean unversionedRefused) {
    @Override
    public String toString() {
      return dir;
    }
  }

  static Stream<Type<?>> types() {
    return Stream.of(
        new Type<>(
            "api-request",
            ApiRequest.Serializer.INSTANCE,
            ApiRequest.Serializer.FORMAT,
            GoldenValues.REQUESTS,
            r -> r,
            ApiRequest.Serializer.LAYOUT,
            false),
        new Type<>(
            "api-key",
            ApiKey.Serializer.INSTANCE,
            ApiKey.Serializer.FORMAT,
            GoldenValues.KEYS,
            k -> k,
            ApiKey.Serializer.LAYOUT,
            false),
        new Type<>(
            "event-key",
            EventKey.Serializer.INSTANCE,
            EventKey.Serializer.FORMAT,
            GoldenValues.EVENT_KEYS,
            k -> k,
            EventKey.Serializer.LAYOUT,
            false),
        new Type<>(
            "dedup-key",
            DedupKey.Serializer.INSTANCE,
            DedupKey.Serializer.FORMAT,
            GoldenValues.DEDUP_KEYS,
            k -> k,
            DedupKey.Serializer.LAYOUT,
            false),
        new Type<>(
            "seen-ids",
            SeenIds.Serializer.INSTANCE,
            SeenIds.Serializer.FORMAT,
            seenTables(),
            SerializerGoldenTest::entries,
            "entryBytes=28;time=MILLISECONDS;buckets=16384",
            true),
        // The classroom job's: introduced with FormatSnapshot, so there are no unversioned ones.
        new Type<>(
            "classroom-activity",
            ClassroomActivity.Serializer.INSTANCE,
            ClassroomActivity.Serializer.FORMAT,
            GoldenValues.CLASSROOM_ACTIVITIES,
            a -> a,
            null,
            false),
        new Type<>(
            "session-key",
            SessionKey.Serializer.INSTANCE,
            SessionKey.Serializer.FORMAT,
            GoldenValues.SESSION_KEYS,
            k -> k,
            null,
            false),
        // The playback job's.
        new Type<>(
            "playback-activity",
            PlaybackActivity.Serializer.INSTANCE,
            PlaybackActivity.Serializer.FORMAT,
            GoldenValues.PLAYBACK_ACTIVITIES,
            a -> a,
            null,
            false),
        new Type<>(
            "view-key",
            ViewKey.Serializer.INSTANCE,
            ViewKey.Serializer.FORMAT,
            GoldenValues.VIEW_KEYS,
            k -> k,
            null,
            false),
        new Type<>(
            "session-engagement",
            SessionEngagement.Serializer.INSTANCE,
            SessionEngagement.Serializer.FORMAT,
            GoldenValues.SESSION_STATES,
            SerializerGoldenTest::bytesOf,
            null,
            false),
        // The API job's split-to-dedup wire form (dedup key, then api-request's format 1): no
        // unversioned ones either. Compared by the dedup key too, which equals leaves out.
        new Type<>(
            "api-request-keyed",
            ApiRequest.KeyedSerializer.INSTANCE,
            ApiRequest.KeyedSerializer.FORMAT,
            GoldenValues.REQUESTS,
            r -> List.of(r, r.dedupKey()),
            null,
            false));
  }

  /** A mutable state without equals, compared by the bytes the current serializer writes. */
  private static String bytesOf(SessionEngagement state) {
    try {
      DataOutputSerializer out = new DataOutputSerializer(256);
      SessionEngagement.Serializer.INSTANCE.serialize(state, out);
      return java.util.HexFormat.of().formatHex(out.getCopyOfBuffer());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("types")
  <T> void currentSerializerWritesTheGoldenBytes(Type<T> type) throws IOException {
    assertThat(serialize(type.current(), type.values()))
        .as("bytes of %s format %d: changed bytes need a new format", type, type.format())
        .isEqualTo(golden(type, "format-" + type.format() + ".data"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("types")
  <T> void currentGoldenBytesReadBackToTheValues(Type<T> type) throws IOException {
    TypeSerializer<T> restored = readSnapshot(type, "format-" + type.format() + ".snapshot");
    assertThat(restored).isEqualTo(type.current());
    assertReads(type, restored, golden(type, "format-" + type.format() + ".data"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("types")
  <T> void currentGoldenSnapshotIsCompatibleAsIs(Type<T> type) throws IOException {
    TypeSerializerSnapshot<T> old = snapshot(golden(type, "format-" + type.format() + ".snapshot"));
    assertThat(((FormatSnapshot<T>) old).format()).isEqualTo(type.format());
    assertThat(resolve(type, old).isCompatibleAsIs()).isTrue();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("types")
  <T> void snapshotsOf812caaeRestoreFormatOneAndReadItsBytesOrAreRefused(Type<T> type)
      throws IOException {
    if (type.dir().equals("dedup-key") || type.unversionedLayout() == null) {
      return; // introduced with format 1 of FormatSnapshot: there are no such snapshots
    }
    TypeSerializerSnapshot<T> old = snapshot(golden(type, "unversioned.snapshot"));
    FormatSnapshot<T> versioned = (FormatSnapshot<T>) old;
    assertThat(versioned.format()).isEqualTo(1);
    assertThat(versioned.layout()).isEqualTo(type.unversionedLayout());

    TypeSerializerSchemaCompatibility<T> compatibility = resolve(type, old);
    if (type.unversionedRefused()) {
      assertThat(compatibility.isIncompatible()).isTrue();
      assertThatThrownBy(old::restoreSerializer)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("cannot be converted");
    } else {
      assertReads(type, old.restoreSerializer(), golden(type, "format-1.data"));
      assertThat(compatibility.isCompatibleAsIs()).isTrue();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("types")
  <T> void aSnapshotOfAnotherFormatOrLayoutIsNotCompatible(Type<T> type) throws IOException {
    String name = type.current().snapshotConfiguration().getClass().getName();
    String layout = ((FormatSnapshot<T>) type.current().snapshotConfiguration()).layout();
    for (byte[] bytes :
        List.of(
            snapshotBytes(name, type.format() + 1, layout), // a newer format
            snapshotBytes(name, 0, layout),
            snapshotBytes(name, type.format(), layout + ";extra=1"))) {
      TypeSerializerSnapshot<T> old = snapshot(bytes);
      assertThat(resolve(type, old).isIncompatible()).as("%s", old).isTrue();
      assertThatThrownBy(old::restoreSerializer)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("no serializer reads");
    }
  }

  @Test
  void seenIdsUnderAnotherEntrySizeKeyTimeOrBucketCountIsNotCompatible() throws IOException {
    Type<SeenIds> seenIds = seenIdsType();
    String name = SeenIds.Serializer.Snapshot.class.getName();
    String current = SeenIds.Serializer.LAYOUT;
    for (String layout :
        List.of(
            current.replace("entryBytes=24", "entryBytes=32"),
            current.replace("fmix64x2", "fmix64"),
            current.replace("EVENT_TIME_MILLISECONDS", "MILLISECONDS"),
            current.replace("buckets=16384", "buckets=8192"))) {
      assertThat(layout).isNotEqualTo(current);
      TypeSerializerSnapshot<SeenIds> old =
          snapshot(snapshotBytes(name, SeenIds.Serializer.FORMAT, layout));
      assertThat(resolve(seenIds, old).isIncompatible()).as("%s", old).isTrue();
    }
  }

  @Test
  void aSnapshotOfAnotherTypeOrAnUnknownSnapshotVersionIsRefused() throws IOException {
    TypeSerializerSnapshot<ApiKey> ofRequests =
        snapshot(golden(types().toList().get(0), "format-1.snapshot"));
    assertThat(
            ApiKey.Serializer.INSTANCE
                .snapshotConfiguration()
                .resolveSchemaCompatibility(ofRequests)
                .isIncompatible())
        .isTrue();

    DataOutputSerializer out = new DataOutputSerializer(64);
    out.writeUTF(ApiKey.Serializer.Snapshot.class.getName());
    out.writeInt(FormatSnapshot.VERSION + 1);
    out.writeInt(1);
    out.writeUTF(ApiKey.Serializer.LAYOUT);
    assertThatThrownBy(() -> snapshot(out.getCopyOfBuffer()))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("snapshot version 5 unknown");
  }

  /**
   * Dedup state of formats 1 and 2 (case-sensitive ids without tenant, processing times) cannot be
   * converted: its restore is refused with how to upgrade, rather than read as ids it is not.
   */
  @Test
  void seenIdsOfFormatsOneAndTwoAreRefusedWithHowToUpgrade() throws IOException {
    Type<SeenIds> type = seenIdsType();
    for (String file : List.of("unversioned.snapshot", "format-2.snapshot")) {
      TypeSerializerSnapshot<SeenIds> old = snapshot(golden(type, file));
      assertThat(resolve(type, old).isIncompatible()).as(file).isTrue();
      assertThatThrownBy(old::restoreSerializer)
          .as(file)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("no serializer reads")
          .hasMessageContaining("processing time")
          .hasMessageContaining("flink stop --drain")
          .hasMessageContaining("Upgrading from dedup state of formats 1-2");
    }
  }

  @Test
  void aSeenIdsTableOfAnotherFormatIsRefusedNotReadAsIds() throws IOException {
    Type<SeenIds> type = seenIdsType();
    byte[] formatOne = golden(type, "format-1.data");
    assertThatThrownBy(
            () -> SeenIds.Serializer.INSTANCE.deserialize(new DataInputDeserializer(formatOne)))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("written in format 0, read as format 3");
    byte[] formatTwo = golden(type, "format-2.data");
    assertThatThrownBy(
            () -> SeenIds.Serializer.INSTANCE.deserialize(new DataInputDeserializer(formatTwo)))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("written in format 2, read as format 3");
  }

  @Test
  void restoredSeenIdsRememberEachIdUntilTheWatermarkPassesItsGoldenEventTimePlusTheHorizon()
      throws IOException {
    Type<SeenIds> type = seenIdsType();
    SeenIds table =
        SeenIds.Serializer.INSTANCE.deserialize(
            new DataInputDeserializer(golden(type, "format-3.data")));
    long h = GoldenValues.SEEN_HORIZON_MS;
    for (Seen seen : GoldenValues.SEEN_TABLES.get(0)) {
      long t = seen.eventTimeMs();
      SeenIds copy = SeenIds.Serializer.INSTANCE.copy(table);
      assertThat(copy.firstSeen(seen.key(), t, SeenIds.cutoff(t + h - 1, h), h)).isFalse();
      copy = SeenIds.Serializer.INSTANCE.copy(table);
      assertThat(copy.firstSeen(seen.key(), t + 1, SeenIds.cutoff(t + h, h), h)).isTrue();
    }
  }

  /**
   * Writes the current format's golden files; run by hand only, from flink-jobs (see the class
   * comment): {@code java -cp target/test-classes:target/classes:<test classpath>
   * dev.pulse.flink.common.types.SerializerGoldenTest}.
   */
  public static void main(String[] args) throws IOException {
    for (Type<?> type : types().toList()) {
      write(type);
    }
  }

  private static <T> void write(Type<T> type) throws IOException {
    Path dir = GOLDEN_SOURCE.resolve(type.dir());
    Files.createDirectories(dir);
    DataOutputSerializer snapshot = new DataOutputSerializer(128);
    TypeSerializerSnapshot.writeVersionedSnapshot(snapshot, type.current().snapshotConfiguration());
    writeNew(
        dir.resolve("format-" + type.format() + ".data"), serialize(type.current(), type.values()));
    writeNew(dir.resolve("format-" + type.format() + ".snapshot"), snapshot.getCopyOfBuffer());
  }

  /** Writes a file that does not exist yet: a format's golden bytes are written once. */
  private static void writeNew(Path file, byte[] bytes) throws IOException {
    if (Files.exists(file)) {
      if (!Arrays.equals(Files.readAllBytes(file), bytes)) {
        throw new IllegalStateException(
            file + " exists with other bytes: the serializer changed, give it a new format");
      }
      return;
    }
    Files.write(file, bytes);
  }

  private static <T> void assertReads(Type<T> type, TypeSerializer<T> serializer, byte[] bytes)
      throws IOException {
    DataInputDeserializer in = new DataInputDeserializer(bytes);
    List<Object> read = new ArrayList<>();
    for (int i = 0; i < type.values().size(); i++) {
      read.add(type.view().apply(serializer.deserialize(in)));
    }
    assertThat(in.available()).as("bytes left over").isZero();
    assertThat(read).isEqualTo(type.values().stream().map(type.view()).toList());
  }

  private static <T> TypeSerializerSchemaCompatibility<T> resolve(
      Type<T> type, TypeSerializerSnapshot<T> old) {
    return type.current().snapshotConfiguration().resolveSchemaCompatibility(old);
  }

  private static <T> TypeSerializer<T> readSnapshot(Type<T> type, String file) throws IOException {
    return SerializerGoldenTest.<T>snapshot(golden(type, file)).restoreSerializer();
  }

  private static <T> TypeSerializerSnapshot<T> snapshot(byte[] bytes) throws IOException {
    return TypeSerializerSnapshot.readVersionedSnapshot(
        new DataInputDeserializer(bytes), SerializerGoldenTest.class.getClassLoader());
  }

  /** A version-4 snapshot of class {@code name} claiming {@code format} and {@code layout}. */
  private static byte[] snapshotBytes(String name, int format, String layout) throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(128);
    out.writeUTF(name);
    out.writeInt(FormatSnapshot.VERSION);
    out.writeInt(format);
    out.writeUTF(layout);
    return out.getCopyOfBuffer();
  }

  private static <T> byte[] serialize(TypeSerializer<T> serializer, List<T> values)
      throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(256);
    for (T value : values) {
      serializer.serialize(value, out);
    }
    return out.getCopyOfBuffer();
  }

  private static byte[] golden(Type<?> type, String file) throws IOException {
    String resource = "/golden/" + type.dir() + "/" + file;
    try (InputStream in = SerializerGoldenTest.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("no golden file " + resource);
      }
      return in.readAllBytes();
    }
  }

  @SuppressWarnings("unchecked")
  private static Type<SeenIds> seenIdsType() {
    return (Type<SeenIds>)
        types().filter(t -> t.dir().equals("seen-ids")).findFirst().orElseThrow();
  }

  private static List<SeenIds> seenTables() {
    List<SeenIds> tables = new ArrayList<>();
    for (List<Seen> entries : GoldenValues.SEEN_TABLES) {
      SeenIds table = new SeenIds();
      for (Seen seen : entries) {
        assertThat(
                table.firstSeen(
                    seen.key(), seen.eventTimeMs(), Long.MIN_VALUE, GoldenValues.SEEN_HORIZON_MS))
            .isTrue();
      }
      tables.add(table);
    }
    return tables;
  }

  /** A table's ids and times, whatever their order (that is the hash table's business). */
  private static Set<Seen> entries(SeenIds table) {
    try {
      DataOutputSerializer out = new DataOutputSerializer(256);
      SeenIds.Serializer.INSTANCE.serialize(table, out);
      DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
      in.readUnsignedByte(); // the format
      Set<Seen> entries = new HashSet<>();
      for (int n = in.readInt(); n > 0; n--) {
        entries.add(new Seen(new DedupKey(in.readLong(), in.readLong()), in.readLong()));
      }
      return entries;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
