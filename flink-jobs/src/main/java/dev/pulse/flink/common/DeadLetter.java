package dev.pulse.flink.common;

import java.time.Instant;

/**
 * A Kafka record that could not become a valid event: its origin, why it was rejected, and its
 * original bytes, so it can be inspected and replayed. Goes to the topic's dead-letter topic and to
 * the ClickHouse table {@code dead_letters}.
 *
 * @param originTopic the topic the record was read from
 * @param partition its partition
 * @param offset its offset
 * @param reason the stable name of the failure class ({@code DecodeError.Reason})
 * @param message what a person reads to understand this failure
 * @param value the original value bytes (null for a null Kafka value)
 * @param detectedAt when the job rejected it (the operator's processing time)
 */
public record DeadLetter(
    String originTopic,
    int partition,
    long offset,
    String reason,
    String message,
    byte[] value,
    Instant detectedAt) {}
