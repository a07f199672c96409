package dev.pulse.flink.playback.records;

/**
 * A view's row in the view table: its facts, and a version that grows when a late event changes
 * them (the replacing table keeps the highest).
 *
 * @param version 1 for the view's first facts, one more for each correction
 */
public record ViewRow(ViewFact fact, long version) {}
