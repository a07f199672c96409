package dev.pulse.flink.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class SeenIdsTest {

  /** Horizon (ms of event time). */
  private static final long H = 1_000;

  /** No watermark yet: nothing is forgotten. */
  private static final long NO_CUTOFF = Long.MIN_VALUE;

  private static DedupKey key(SplittableRandom random) {
    return new DedupKey(random.nextLong(), random.nextLong());
  }

  /** The cutoff at watermark {@code w}. */
  private static long at(long w) {
    return SeenIds.cutoff(w, H);
  }

  @Test
  void everyIdPassesOnceAmongManyAndEveryCopyIsDropped() {
    SeenIds ids = new SeenIds();
    SplittableRandom random = new SplittableRandom(7);
    DedupKey[] keys = new DedupKey[50_000];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = key(random);
      assertThat(ids.firstSeen(keys[i], 10, NO_CUTOFF, H)).isTrue();
    }
    for (DedupKey k : keys) {
      assertThat(ids.firstSeen(new DedupKey(k.hi(), k.lo()), 10, NO_CUTOFF, H)).isFalse();
    }
    assertThat(ids.size()).isEqualTo(keys.length);
  }

  @Test
  void keysEqualInOneHalfOnlyAreTwoIds() {
    SeenIds ids = new SeenIds();
    assertThat(ids.firstSeen(new DedupKey(1, 2), 5, NO_CUTOFF, H)).isTrue();
    assertThat(ids.firstSeen(new DedupKey(1, 3), 5, NO_CUTOFF, H)).isTrue();
    assertThat(ids.firstSeen(new DedupKey(2, 2), 5, NO_CUTOFF, H)).isTrue();
    assertThat(ids.firstSeen(new DedupKey(1, 3), 5, NO_CUTOFF, H)).isFalse();
  }

  @Test
  void anIdIsRememberedUntilTheWatermarkPassesItsEventTimePlusTheHorizon() {
    SeenIds ids = new SeenIds();
    DedupKey k = new DedupKey(5, 6);
    assertThat(ids.firstSeen(k, 10_000, at(9_000), H)).isTrue();
    // Watermark 1 ms short of 10,000 + H: still remembered, whatever the processing time.
    assertThat(ids.firstSeen(k, 10_000, at(10_999), H)).isFalse();
    // A later copy with a later event time does not extend the first copy's memory.
    assertThat(ids.firstSeen(k, 10_500, at(10_999), H)).isFalse();
    // Watermark at 10,000 + H: forgotten; a copy still within its own horizon is a first copy.
    assertThat(ids.firstSeen(k, 10_500, at(11_000), H)).isTrue();
    assertThat(ids.firstSeen(k, 10_500, at(11_499), H)).isFalse();
  }

  @Test
  void anEventAtOrBeyondTheHorizonPassesAndIsNotRemembered() {
    SeenIds ids = new SeenIds();
    DedupKey k = new DedupKey(7, 8);
    assertThat(ids.firstSeen(k, 10_000, at(11_000), H)).isTrue();
    assertThat(ids.size()).isZero();
    assertThat(ids.firstSeen(k, 10_000, at(11_000), H)).isTrue();
  }

  @Test
  void noWatermarkForgetsNothingHoweverOldTheIds() {
    SeenIds ids = new SeenIds();
    DedupKey k = new DedupKey(9, 9);
    assertThat(ids.firstSeen(k, 1, NO_CUTOFF, H)).isTrue();
    assertThat(ids.firstSeen(k, 1, SeenIds.cutoff(Long.MIN_VALUE, H), H)).isFalse();
    assertThat(SeenIds.cutoff(Long.MIN_VALUE + H - 1, H)).isEqualTo(Long.MIN_VALUE);
  }

  @Test
  void forgottenIdsAreDroppedOnceTheOldestIsAQuarterHorizonPastTheCutoff() {
    SeenIds ids = new SeenIds();
    SplittableRandom random = new SplittableRandom(1);
    for (int i = 0; i < 1_000; i++) {
      ids.firstSeen(key(random), 0, NO_CUTOFF, H);
    }
    DedupKey recent = new DedupKey(42, 43);
    ids.firstSeen(recent, 900, NO_CUTOFF, H);
    // Watermark 1,249: the 1,000 at time 0 are forgotten, but not a quarter horizon past.
    ids.firstSeen(new DedupKey(44, 45), 1_249, at(1_249), H);
    assertThat(ids.size()).isEqualTo(1_002);

    ids.firstSeen(new DedupKey(46, 47), 1_250, at(1_250), H);

    assertThat(ids.size()).isEqualTo(3); // the 1,000 from time 0 are gone, the rest kept
    assertThat(ids.firstSeen(recent, 900, at(1_250), H)).isFalse();
  }

  @Test
  void aCheckpointRestoresEveryIdWithItsEventTimeAndACopyIsIndependent() throws Exception {
    SeenIds ids = new SeenIds();
    SplittableRandom random = new SplittableRandom(3);
    DedupKey[] keys = new DedupKey[1_000];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = key(random);
      ids.firstSeen(keys[i], 10_000 + i, NO_CUTOFF, H);
    }
    DataOutputSerializer out = new DataOutputSerializer(1024);
    SeenIds.Serializer.INSTANCE.serialize(ids, out);
    assertThat(out.length()).isEqualTo(1 + 4 + 1_000 * 24); // format byte, count, 24 bytes per id
    SeenIds restored =
        SeenIds.Serializer.INSTANCE.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
    SeenIds copy = SeenIds.Serializer.INSTANCE.copy(ids);
    DedupKey added = new DedupKey(-1, -1);
    assertThat(copy.firstSeen(added, 10_000, NO_CUTOFF, H)).isTrue();
    assertThat(ids.firstSeen(added, 10_000, NO_CUTOFF, H)).isTrue(); // the copy's did not reach ids

    assertThat(restored.size()).isEqualTo(1_000);
    for (DedupKey k : keys) {
      assertThat(restored.firstSeen(k, 10_999, at(10_999), H)).isFalse();
    }
    // Times came back too: key 0 (event time 10,000) is forgotten at watermark 11,000, key 999
    // (10,999) only at 11,999.
    assertThat(restored.firstSeen(keys[0], 11_500, at(11_000), H)).isTrue();
    assertThat(restored.firstSeen(keys[999], 11_500, at(11_998), H)).isFalse();
  }

  @Test
  void bucketsAreWithinRangeAndSpread() {
    SplittableRandom random = new SplittableRandom(11);
    int[] counts = new int[SeenIds.BUCKETS];
    for (int i = 0; i < SeenIds.BUCKETS * 8; i++) {
      counts[SeenIds.bucketOf(key(random))]++;
    }
    int empty = 0;
    for (int c : counts) {
      empty += c == 0 ? 1 : 0;
    }
    // 8 ids per bucket on average: a uniform spread leaves about e^-8 (0.03 %) empty.
    assertThat(empty).isLessThan(SeenIds.BUCKETS / 100);
  }
}
