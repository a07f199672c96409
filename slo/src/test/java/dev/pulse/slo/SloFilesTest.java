package dev.pulse.slo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SLO files as docs/slo.md describes them: the shipped examples load into exactly the SLOs they
 * say, and every malformed, unsupported or hostile file is refused with a problem naming the file,
 * line and column, all problems of a set of files in one pass.
 */
class SloFilesTest {

  private static final String SERVICE =
      """
      apiVersion: openslo/v1
      kind: Service
      metadata:
        name: courses-api
      spec:
        description: Courses.
      """;

  /** The good metric source of an availability SLI of courses-api. */
  private static final String GOOD =
      "type: Pulse\nspec:\n  events: api_requests\n  service: courses-api\n  statusBelow: 500";

  /** An availability SLO of courses-api, with {@code objective} as its objectives list item. */
  private static String slo(String name, String objective) {
    return slo(name, objective, GOOD);
  }

  /**
   * An SLO of courses-api whose good metric source is {@code good} (lines 15-19 of the file for
   * {@link #GOOD}, indented by 20), with {@code objective} as its objectives item (line 31).
   */
  private static String slo(String name, String objective, String good) {
    return """
        apiVersion: openslo/v1
        kind: SLO
        metadata:
          name: %s
        spec:
          service: courses-api
          indicator:
            metadata:
              name: %s-sli
            spec:
              ratioMetric:
                counter: true
                good:
                  metricSource:
        %s
                total:
                  metricSource:
                    type: Pulse
                    spec:
                      events: api_requests
                      service: courses-api
          timeWindow:
            - duration: 30d
              isRolling: true
          budgetingMethod: Occurrences
          objectives:
            - %s
        """
        .formatted(name, name, good.indent(20).stripTrailing(), objective);
  }

  private static SloFiles.Loaded parse(String... namesAndTexts) {
    Map<String, String> texts = new LinkedHashMap<>();
    for (int i = 0; i < namesAndTexts.length; i += 2) {
      texts.put(namesAndTexts[i], namesAndTexts[i + 1]);
    }
    return SloFiles.parse(texts);
  }

  private static List<String> problems(String... namesAndTexts) {
    SloFiles.Loaded loaded = parse(namesAndTexts);
    assertThat(loaded.ok()).as("refused").isFalse();
    assertThat(loaded.catalog()).isNull();
    return loaded.problems().stream().map(SloProblem::toString).toList();
  }

  @Test
  void theShippedExamplesAreTheSimulatedServicesSlos() {
    SloFiles.Loaded loaded = SloFiles.examples();
    assertThat(loaded.problems()).isEmpty();
    SloCatalog c = loaded.catalog();
    assertThat(c.services())
        .extracting(SloCatalog.SloService::name)
        .containsExactly("courses-api", "grades-api", "sessions-api", "video-api");
    assertThat(c.slos())
        .extracting(Slo::name)
        .containsExactly(
            "courses-api-availability",
            "courses-api-latency",
            "grades-api-uptime",
            "sessions-api-availability",
            "video-start");
    Slo availability = c.slos().get(0);
    assertThat(availability.target()).isEqualTo(0.999);
    assertThat(availability.window().rolling()).isEqualTo(Duration.ofDays(30));
    assertThat(availability.method()).isEqualTo(Slo.BudgetingMethod.OCCURRENCES);
    assertThat(availability.indicator().events()).isEqualTo(EventKind.API_REQUESTS);
    assertThat(availability.indicator().selection()).isEqualTo(Map.of("service", "courses-api"));
    assertThat(availability.indicator().good()).isEqualTo(new Indicator.StatusBelow(500));
    // No alert policy: every row of the workbook's table.
    assertThat(availability.alertRows()).containsExactly(AlertRow.values());

    Slo latency = c.slos().get(1);
    assertThat(latency.window().rolling()).isEqualTo(Duration.ofDays(28));
    assertThat(latency.indicator().selection())
        .isEqualTo(
            Map.of("service", "courses-api", "endpoint", "/courses/{courseId}", "method", "GET"));
    assertThat(latency.indicator().good()).isEqualTo(new Indicator.LatencyBelowMs(300));
    assertThat(latency.alertRows()).containsExactly(AlertRow.PAGE_FAST, AlertRow.PAGE_SLOW);

    Slo uptime = c.slos().get(2);
    assertThat(uptime.window().isCalendarMonth()).isTrue();
    assertThat(uptime.method()).isEqualTo(Slo.BudgetingMethod.TIMESLICES);
    assertThat(uptime.timeSlice()).isEqualTo(Duration.ofMinutes(1));
    assertThat(uptime.timeSliceTarget()).isEqualTo(1.0);
    assertThat(uptime.indicator().good()).isEqualTo(new Indicator.ProbeSucceeded());

    Slo video = c.slos().get(4);
    assertThat(video.target()).isEqualTo(0.98);
    assertThat(video.indicator().events()).isEqualTo(EventKind.PLAYBACK_VIEWS);
    assertThat(video.indicator().good())
        .isEqualTo(new Indicator.OutcomeNotIn(Set.of("start-failure")));
  }

  @Test
  void notYamlAndEmptyFilesAreRefusedWithWhere() {
    assertThat(problems("a.yaml", "apiVersion: openslo/v1\nkind: [SLO\n"))
        .singleElement()
        .asString()
        .startsWith("a.yaml:3:1: not valid YAML");
    assertThat(problems("empty.yaml", "# nothing\n"))
        .containsExactly("empty.yaml:1:1: the file has no YAML document");
    assertThat(problems("list.yaml", "- a\n- b\n"))
        .containsExactly("list.yaml:1:1: a document must be a mapping (key: value lines)");
    // A key given twice is ambiguous, not "the last one wins".
    assertThat(problems("dup.yaml", SERVICE + "kind: SLO\n"))
        .containsExactly("dup.yaml:7:1: kind is given twice (first on line 2)");
  }

  @Test
  void anAliasBombIsRefusedUnexpanded() {
    StringBuilder bomb = new StringBuilder("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for (int i = 0; i < 12; i++) {
      bomb.append((char) ('b' + i)).append(": &").append((char) ('b' + i)).append(" [");
      for (int j = 0; j < 10; j++) {
        bomb.append(j == 0 ? "" : ", ").append('*').append((char) ('a' + i));
      }
      bomb.append("]\n");
    }
    assertThat(problems("bomb.yaml", bomb.toString()))
        .singleElement()
        .asString()
        .contains("not valid YAML");
  }

  @Test
  void headersAreChecked() {
    assertThat(problems("v.yaml", SERVICE.replace("openslo/v1", "openslo/v2alpha")))
        .containsExactly("v.yaml:1:13: apiVersion is openslo/v2alpha: Pulse reads openslo/v1");
    assertThat(problems("k.yaml", SERVICE.replace("kind: Service", "kind: DataSource")))
        .containsExactly(
            "k.yaml:2:7: kind DataSource is not one Pulse reads: Service, SLI, SLO or AlertPolicy"
                + " (docs/slo.md)");
    assertThat(problems("n.yaml", SERVICE.replace("name: courses-api", "name: Courses API")))
        .singleElement()
        .asString()
        .startsWith("n.yaml:4:9: metadata.name 'Courses API' must be 1-63 lowercase letters");
    // A misspelt field must not pass silently.
    assertThat(problems("t.yaml", SERVICE.replace("description:", "descripton:")))
        .containsExactly(
            "t.yaml:6:3: spec.descripton is not a field Pulse reads here (it reads: description)");
  }

  @Test
  void objectivesWindowsAndBudgetingAreChecked() {
    // Line 31, column 15: the objective's value.
    assertThat(problems("s.yaml", SERVICE, "o.yaml", slo("a", "target: 1.5")))
        .containsExactly("o.yaml:31:15: target must be above 0 and below 1 (0.999 is 99.9 %)");
    assertThat(problems("s.yaml", SERVICE, "o.yaml", slo("a", "target: ninety")))
        .containsExactly("o.yaml:31:15: spec.objectives[0].target must be a number, got 'ninety'");
    assertThat(problems("s.yaml", SERVICE, "o.yaml", slo("a", "targetPercent: 100")))
        .containsExactly("o.yaml:31:22: targetPercent must be above 0 and below 100");
    assertThat(problems("s.yaml", SERVICE, "w.yaml", slo("a", "target: 0.99").replace("30d", "7d")))
        .containsExactly("w.yaml:27:17: a rolling window is 28d or 30d (4w is 28d as well)");
    assertThat(
            problems(
                "s.yaml", SERVICE, "w.yaml", slo("a", "target: 0.99").replace("30d", "30days")))
        .containsExactly(
            "w.yaml:27:17: duration must be a duration such as 5m, 1h, 28d or 4w, got '30days'");
    assertThat(
            problems(
                "s.yaml",
                SERVICE,
                "b.yaml",
                slo("a", "target: 0.99").replace("Occurrences", "Timeslices")))
        .containsExactly(
            "b.yaml:31:7: spec.objectives[0].timeSliceTarget is missing",
            "b.yaml:31:7: spec.objectives[0].timeSliceWindow is missing");
    assertThat(
            problems(
                "s.yaml",
                SERVICE,
                "b.yaml",
                slo("a", "target: 0.99").replace("Occurrences", "RatioTimeslices")))
        .containsExactly(
            "b.yaml:29:20: budgetingMethod is RatioTimeslices: Occurrences or Timeslices");
    assertThat(
            problems(
                "s.yaml",
                SERVICE,
                "b.yaml",
                slo("a", "target: 0.99\n      timeSliceWindow: 7m")
                    .replace("Occurrences", "Timeslices")
                    .replace("target: 0.99", "target: 0.99\n      timeSliceTarget: 0.95")))
        .containsExactly(
            "b.yaml:33:24: timeSliceWindow must be 1m, 2m, 5m, 10m, 15m, 30m or 1h: whole minutes"
                + " that divide an hour");
  }

  @Test
  void referencesMustResolveAcrossTheFilesGiven() {
    String byRef =
        slo("a", "target: 0.99")
            .replaceAll(
                "(?s)  indicator:\n.*?  timeWindow:", "  indicatorRef: nowhere\n  timeWindow:");
    assertThat(problems("s.yaml", SERVICE, "r.yaml", byRef))
        .containsExactly(
            "r.yaml:7:17: indicatorRef nowhere is not defined: add an SLI document named nowhere");
    assertThat(problems("r.yaml", slo("a", "target: 0.99")))
        .containsExactly(
            "r.yaml:6:12: service courses-api is not defined: add a Service document named"
                + " courses-api");
    assertThat(
            problems(
                "s.yaml",
                SERVICE,
                "a.yaml",
                slo("a", "target: 0.99"),
                "b.yaml",
                slo("a", "target: 0.9")))
        .containsExactly("b.yaml:6:3: a second SLO named a");
  }

  @Test
  void goodAndTotalMustCountTheSameEventsWithOneCondition() {
    // The good metric source's spec starts at line 17, column 23.
    assertThat(
            problems(
                "s.yaml",
                SERVICE,
                "g.yaml",
                slo("a", "target: 0.99", GOOD.replace("courses-api", "grades-api"))))
        .containsExactly(
            "g.yaml:17:23: good selects {service=grades-api} but total selects"
                + " {service=courses-api}: good must select the same events, plus its condition");
    assertThat(
            problems(
                "s.yaml",
                SERVICE,
                "g.yaml",
                slo("a", "target: 0.99", GOOD + "\n  latencyBelowMs: 300")))
        .containsExactly(
            "g.yaml:17:23: spec.indicator.spec.ratioMetric.good.metricSource.spec must give exactly"
                + " one condition of api_requests: statusBelow or latencyBelowMs (it gives"
                + " statusBelow, latencyBelowMs)");
    assertThat(
            problems(
                "s.yaml",
                SERVICE,
                "g.yaml",
                slo("a", "target: 0.99", GOOD.replace("statusBelow: 500", "statusBelow: 5xx"))))
        .containsExactly(
            "g.yaml:19:36: spec.indicator.spec.ratioMetric.good.metricSource.spec.statusBelow must"
                + " be a number, got '5xx'");
    assertThat(
            problems(
                "s.yaml",
                SERVICE,
                "g.yaml",
                slo("a", "target: 0.99", GOOD.replace("Pulse", "Prometheus"))))
        .containsExactly(
            "g.yaml:15:27: metricSource.type is Prometheus: Pulse computes SLIs from its own events"
                + " (type: Pulse)");
    assertThat(
            problems(
                "s.yaml",
                SERVICE,
                "g.yaml",
                slo("a", "target: 0.99", GOOD.replace("api_requests", "clicks"))))
        .containsExactly(
            "g.yaml:17:31: events is clicks: one of api_requests, probe_results, playback_views"
                + " (docs/slo.md)");
    // A probe SLI counts probe results; its good ones succeeded.
    assertThat(
            problems(
                "s.yaml",
                SERVICE,
                "g.yaml",
                slo("a", "target: 0.99", GOOD.replace("api_requests", "probe_results"))))
        .containsExactly(
            "g.yaml:17:31: good counts probe_results but total counts api_requests: they must"
                + " agree");
  }

  @Test
  void alertConditionsMustBeRowsOfTheWorkbooksTable() {
    String policy =
        """
        apiVersion: openslo/v1
        kind: AlertPolicy
        metadata:
          name: p
        spec:
          conditions:
            - kind: AlertCondition
              spec:
                severity: %s
                condition:
                  kind: burnrate
                  op: gt
                  threshold: %s
                  lookbackWindow: 1h
                  alertAfter: 5m
        """;
    String withPolicy = slo("a", "target: 0.99") + "  alertPolicies:\n    - alertPolicyRef: p\n";
    SloFiles.Loaded ok =
        parse("s.yaml", SERVICE, "a.yaml", withPolicy, "p.yaml", policy.formatted("page", "14.4"));
    assertThat(ok.problems()).isEmpty();
    assertThat(ok.catalog().slos().get(0).alertRows()).containsExactly(AlertRow.PAGE_FAST);
    assertThat(
            problems(
                "s.yaml", SERVICE, "a.yaml", withPolicy, "p.yaml", policy.formatted("page", "10")))
        .singleElement()
        .asString()
        .startsWith("p.yaml:11:11: not a row of the workbook's alert table");
    assertThat(
            problems(
                "s.yaml",
                SERVICE,
                "a.yaml",
                withPolicy,
                "p.yaml",
                policy.formatted("ticket", "14.4")))
        .containsExactly(
            "p.yaml:9:19: severity of 14.4x over 1h and 5m (page) is page, not ticket");
  }

  @Test
  void everyProblemOfEveryFileIsReportedInOnePass(@TempDir Path dir) throws Exception {
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, SERVICE.replace("openslo/v1", "v0") + "---\n" + slo("a", "target: 2"));
    Path binary = dir.resolve("binary.yaml");
    Files.write(binary, new byte[] {(byte) 0xff, (byte) 0xfe, 0x41});
    Path huge = dir.resolve("huge.yaml");
    Files.writeString(huge, "#".repeat(SloFiles.MAX_FILE_BYTES + 1));
    SloFiles.Loaded loaded = SloFiles.load(List.of(bad, binary, huge, dir.resolve("missing.yaml")));
    assertThat(loaded.ok()).isFalse();
    assertThat(loaded.problems())
        .extracting(SloProblem::file)
        .contains(
            bad.toString(),
            binary.toString(),
            huge.toString(),
            dir.resolve("missing.yaml").toString());
    assertThat(loaded.problems().stream().map(SloProblem::message))
        .contains(
            "apiVersion is v0: Pulse reads openslo/v1",
            "target must be above 0 and below 1 (0.999 is 99.9 %)",
            "the file is not UTF-8 text",
            "the file has "
                + (SloFiles.MAX_FILE_BYTES + 1)
                + " bytes, more than "
                + SloFiles.MAX_FILE_BYTES);
  }
}
