package dev.pulse.flink.classroom;

import dev.pulse.flink.classroom.records.ClassroomActivity;
import dev.pulse.flink.classroom.records.LearnerSessionFact;
import dev.pulse.flink.classroom.records.SessionFact;
import dev.pulse.flink.classroom.records.SessionMinuteFact;
import dev.pulse.flink.common.DeadLetter;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * What the classroom job computes ({@link ClassroomJob#build}).
 *
 * @param rawEvents validated, deduplicated events (for {@code classroom_events_raw})
 * @param minutes session minutes as they become final
 * @param learners learners' facts of ended sessions
 * @param sessions ended sessions
 * @param lateEvents events that came behind the watermark, counted nowhere else
 * @param deadLetters records that failed decoding or validation
 */
public record ClassroomStreams(
    DataStream<ClassroomActivity> rawEvents,
    DataStream<SessionMinuteFact> minutes,
    DataStream<LearnerSessionFact> learners,
    DataStream<SessionFact> sessions,
    DataStream<ClassroomActivity> lateEvents,
    DataStream<DeadLetter> deadLetters) {}
