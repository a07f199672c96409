package dev.pulse.flink.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class SeenIdsTest {

  private static final long TTL = 1_000;

  private static EventKey key(SplittableRandom random) {
    return new EventKey(random.nextLong(), random.nextLong(), 0);
  }

  @Test
  void everyIdPassesOnceAmongManyAndEveryCopyIsDropped() {
    SeenIds ids = new SeenIds();
    SplittableRandom random = new SplittableRandom(7);
    EventKey[] keys = new EventKey[50_000];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = key(random);
      assertThat(ids.firstSeen(keys[i], 10, TTL)).isTrue();
    }
    for (EventKey k : keys) {
      assertThat(ids.firstSeen(new EventKey(k.hi(), k.lo(), k.upperCase()), 20, TTL)).isFalse();
    }
    assertThat(ids.size()).isEqualTo(keys.length);
  }

  @Test
  void idsEqualInTheirBitsButNotInLetterCaseAreTwoIds() {
    SeenIds ids = new SeenIds();
    assertThat(ids.firstSeen(new EventKey(1, 2, 0), 0, TTL)).isTrue();
    assertThat(ids.firstSeen(new EventKey(1, 2, 1), 0, TTL)).isTrue();
    assertThat(ids.firstSeen(new EventKey(1, 2, 1), 0, TTL)).isFalse();
    // Same low bits, different high bits: no collision either.
    assertThat(ids.firstSeen(new EventKey(2, 2, 0), 0, TTL)).isTrue();
  }

  @Test
  void anIdIsRememberedForTheTtlFromItsFirstCopyOnly() {
    SeenIds ids = new SeenIds();
    EventKey k = new EventKey(5, 6, 0);
    assertThat(ids.firstSeen(k, 1_000, TTL)).isTrue();
    assertThat(ids.firstSeen(k, 1_999, TTL)).isFalse(); // 1 ms inside: dropped, not extended
    assertThat(ids.firstSeen(k, 2_000, TTL)).isTrue(); // the horizon has passed: new again
    assertThat(ids.firstSeen(k, 2_999, TTL)).isFalse();
    assertThat(ids.firstSeen(k, 3_000, TTL)).isTrue();
  }

  @Test
  void expiredIdsAreDroppedOnceTheOldestIsAQuarterTtlPastExpiry() {
    SeenIds ids = new SeenIds();
    SplittableRandom random = new SplittableRandom(1);
    for (int i = 0; i < 1_000; i++) {
      ids.firstSeen(key(random), 0, TTL);
    }
    EventKey recent = new EventKey(42, 43, 0);
    ids.firstSeen(recent, 900, TTL);
    ids.firstSeen(new EventKey(44, 45, 0), 1_249, TTL); // expired, but not a quarter TTL past
    assertThat(ids.size()).isEqualTo(1_002);

    ids.firstSeen(new EventKey(46, 47, 0), 1_250, TTL);

    assertThat(ids.size()).isEqualTo(3); // the 1,000 from time 0 are gone, the rest kept
    assertThat(ids.firstSeen(recent, 1_250, TTL)).isFalse();
  }

  @Test
  void aCheckpointRestoresEveryIdWithItsTimeAndACopyIsIndependent() throws Exception {
    SeenIds ids = new SeenIds();
    SplittableRandom random = new SplittableRandom(3);
    EventKey[] keys = new EventKey[1_000];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = new EventKey(random.nextLong(), random.nextLong(), random.nextInt());
      ids.firstSeen(keys[i], i, TTL);
    }
    DataOutputSerializer out = new DataOutputSerializer(1024);
    SeenIds.Serializer.INSTANCE.serialize(ids, out);
    assertThat(out.length()).isEqualTo(1 + 4 + 1_000 * 28); // format byte, count, 28 bytes per id
    SeenIds restored =
        SeenIds.Serializer.INSTANCE.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
    SeenIds copy = SeenIds.Serializer.INSTANCE.copy(ids);
    EventKey added = new EventKey(-1, -1, 0);
    assertThat(copy.firstSeen(added, 0, TTL)).isTrue();
    assertThat(ids.firstSeen(added, 0, TTL)).isTrue(); // the copy's insert did not reach ids

    assertThat(restored.size()).isEqualTo(1_000);
    for (int i = 0; i < keys.length; i++) {
      assertThat(restored.firstSeen(keys[i], 999, TTL)).isFalse();
    }
    // Times came back too: key 0 (first seen at 0) expires at 1,000, key 999 only at 1,999.
    assertThat(restored.firstSeen(keys[0], 1_000, TTL)).isTrue();
    assertThat(restored.firstSeen(keys[999], 1_998, TTL)).isFalse();
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
