package dev.pulse.flink.testing;

import java.io.Serializable;

/**
 * One Kafka record exactly as it arrived, with its origin: what {@link PartitionedRecordSource}
 * replays through a job's deserializer (tests without a broker).
 *
 * @param topic the topic it was read from
 * @param partition its partition
 * @param offset its offset in that partition
 * @param kafkaTimestamp the record's Kafka timestamp (epoch millis; producer or log-append time)
 * @param key the key bytes, or null
 * @param value the value bytes, or null (a tombstone)
 */
public record RawRecord(
    String topic, int partition, long offset, long kafkaTimestamp, byte[] key, byte[] value)
    implements Serializable {}
