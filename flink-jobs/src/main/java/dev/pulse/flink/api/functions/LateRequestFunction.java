package dev.pulse.flink.api.functions;

import dev.pulse.flink.api.records.ApiRequest;
import dev.pulse.flink.api.records.LateApiRequest;
import java.time.Instant;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Records how late each late request was (the watermark it arrived behind) and counts it in the
 * {@code lateEvents} metric. Chained right after the operator that judged the request late (the
 * minute window, or the dedup for requests beyond its horizon; ApiMetricsJob.build), it sees the
 * same watermark that operator judged the request by.
 */
public final class LateRequestFunction extends ProcessFunction<ApiRequest, LateApiRequest> {

  private transient Counter lateEvents;

  @Override
  public void open(OpenContext openContext) {
    lateEvents = getRuntimeContext().getMetricGroup().counter("lateEvents");
  }

  @Override
  public void processElement(ApiRequest request, Context ctx, Collector<LateApiRequest> out) {
    lateEvents.inc();
    long watermark = ctx.timerService().currentWatermark();
    long lateness = Math.max(0, watermark - request.eventTime().toEpochMilli());
    out.collect(new LateApiRequest(request, Instant.ofEpochMilli(watermark), lateness));
  }
}
