package dev.pulse.flink.playback;

import dev.pulse.flink.common.DeadLetter;
import dev.pulse.flink.playback.records.PlaybackActivity;
import dev.pulse.flink.playback.records.QoeMinuteDelta;
import dev.pulse.flink.playback.records.ViewRow;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * What the playback job computes ({@link PlaybackJob#build}).
 *
 * @param rawEvents validated, deduplicated events (for {@code playback_events_raw})
 * @param minutes additive QoE minute rows (for {@code playback_minutes})
 * @param views ended views' facts, versioned (for {@code playback_views})
 * @param lateEvents events of views no longer kept, counted nowhere else
 * @param deadLetters records that failed decoding or validation
 */
public record PlaybackStreams(
    DataStream<PlaybackActivity> rawEvents,
    DataStream<QoeMinuteDelta> minutes,
    DataStream<ViewRow> views,
    DataStream<PlaybackActivity> lateEvents,
    DataStream<DeadLetter> deadLetters) {}
