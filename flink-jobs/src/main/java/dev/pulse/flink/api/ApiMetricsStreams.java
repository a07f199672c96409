package dev.pulse.flink.api;

import dev.pulse.flink.api.records.ApiMinuteFact;
import dev.pulse.flink.api.records.ApiRequest;
import dev.pulse.flink.api.records.LateApiRequest;
import dev.pulse.flink.common.DeadLetter;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * The outputs of the API metrics job, before any sink: what {@link ApiMetricsJob#build} computes
 * and what its callers (the Kafka/ClickHouse wiring, or a test) consume.
 *
 * @param rawEvents validated, deduplicated requests (for the raw api-requests table)
 * @param minuteFacts additive per-minute rows (for {@code api_request_minutes})
 * @param deadLetters records that were not valid events (for the dead-letter topic and table)
 * @param lateEvents requests later than the allowed lateness (for {@code api_requests_late})
 */
public record ApiMetricsStreams(
    DataStream<ApiRequest> rawEvents,
    DataStream<ApiMinuteFact> minuteFacts,
    DataStream<DeadLetter> deadLetters,
    DataStream<LateApiRequest> lateEvents) {}
