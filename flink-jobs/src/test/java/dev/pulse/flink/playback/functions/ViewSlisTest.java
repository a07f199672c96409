package dev.pulse.flink.playback.functions;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.flink.playback.records.ViewDimensions;
import dev.pulse.flink.playback.records.ViewFact;
import dev.pulse.flink.playback.records.ViewKey;
import dev.pulse.flink.playback.records.ViewRow;
import dev.pulse.flink.slo.records.SliCount;
import dev.pulse.slo.Slo;
import dev.pulse.slo.SloFiles;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * Ended views as counts of the example SLO video-start (views without a start failure): each view
 * once, by its end; a correction takes back what the earlier version added; a replayed version adds
 * nothing; a view of an SLO with a selection it does not match adds nothing to that SLO.
 */
class ViewSlisTest {

  private static final long END = 1_796_000_000_000L;

  private static List<Slo> slos() {
    List<Slo> slos = new ArrayList<>(SloFiles.examples().catalog().slos());
    // One more: views of course c-9 only (a selection the test's views do not match).
    Slo video = slos.stream().filter(s -> s.name().equals("video-start")).findFirst().get();
    slos.add(
        new Slo(
            "c9-video-start",
            null,
            null,
            video.service(),
            new dev.pulse.slo.Indicator(
                "c9",
                null,
                video.indicator().events(),
                Map.of("course", "c-9"),
                video.indicator().good()),
            video.target(),
            video.window(),
            video.method(),
            null,
            null,
            video.alertRows()));
    return slos;
  }

  private static ViewRow row(String view, String outcome, long endMs, long version) {
    return new ViewRow(
        new ViewFact(
            new ViewKey("t", view),
            new ViewDimensions("v-1", "c-1", "u", "akamai", "eu-west", "phone", "p"),
            endMs - 60_000,
            endMs,
            "VIEW_END",
            outcome,
            1000,
            0,
            0,
            60_000,
            59_000,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0),
        version);
  }

  @Test
  void aViewCountsOnceAndACorrectionMovesIt() throws Exception {
    var h =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new ViewSlis(slos())),
            (ViewRow r) -> r.fact().key(),
            ViewKey.TYPE);
    h.open();
    h.processElement(new StreamRecord<>(row("a", "success", END, 1)));
    h.processElement(new StreamRecord<>(row("a", "success", END, 1)));
    h.processElement(new StreamRecord<>(row("a", "start-failure", END + 5_000, 2)));
    h.processElement(new StreamRecord<>(row("b", "exit-before-start", END, 1)));
    List<String> counts = new ArrayList<>();
    for (Object o : h.getOutput()) {
      if (o instanceof StreamRecord<?> r && r.getValue() instanceof SliCount c) {
        counts.add(
            c.slo()
                + " "
                + c.tenantId()
                + " "
                + (c.timeMs() - END)
                + " "
                + c.good()
                + "/"
                + c.total());
      }
    }
    assertThat(counts)
        .containsExactly(
            // a, success: good.
            "video-start t 0 1/1",
            // a again as version 2, now a start failure 5 s later: the good view taken back.
            "video-start t 0 -1/-1",
            "video-start t 5000 0/1",
            // b: an exit before start is not a start failure.
            "video-start t 0 1/1");
    // Three hours of event time after its end, a view's last version is forgotten.
    h.processWatermark(new Watermark(END + 5_000 + ViewSlis.KEPT_FOR.toMillis()));
    assertThat(h.numKeyedStateEntries()).isZero();
  }
}
