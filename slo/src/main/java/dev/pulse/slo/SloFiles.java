package dev.pulse.slo;

import dev.pulse.slo.Indicator.Good;
import dev.pulse.slo.SloCatalog.SloService;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * Loads SLO files: OpenSLO v1 YAML, the subset docs/slo.md describes. Every document of every file
 * is read and checked, references between them (an SLO's service, indicator and alert policies) are
 * resolved across all the files given, and everything wrong is reported as {@link SloProblem}s with
 * the file, line and column, in one pass. Nothing here throws on a file's content.
 */
public final class SloFiles {

  /** A larger SLO file is refused unread: real ones are a few kilobytes. */
  public static final int MAX_FILE_BYTES = 1 << 20;

  static final String API_VERSION = "openslo/v1";

  private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  private static final Pattern DURATION = Pattern.compile("([1-9][0-9]{0,5})([mhdwMQY])");
  private static final Set<String> OUTCOMES =
      Set.of("success", "start-failure", "exit-before-start", "playback-failure");
  private static final List<Duration> TIME_SLICES =
      List.of(1, 2, 5, 10, 15, 30, 60).stream().map(m -> Duration.ofMinutes(m)).toList();

  /** What a set of files defines, and what is wrong with them (the catalog is null then). */
  public record Loaded(SloCatalog catalog, List<SloProblem> problems) {
    public boolean ok() {
      return problems.isEmpty();
    }
  }

  private SloFiles() {}

  /** Reads and checks {@code files} together. */
  public static Loaded load(List<Path> files) {
    Map<String, String> texts = new LinkedHashMap<>();
    List<SloProblem> problems = new ArrayList<>();
    for (Path f : files) {
      String name = f.toString();
      try {
        long size = Files.size(f);
        if (size > MAX_FILE_BYTES) {
          problems.add(
              new SloProblem(
                  name, 1, 1, "the file has " + size + " bytes, more than " + MAX_FILE_BYTES));
          continue;
        }
        texts.put(
            name,
            StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(f)))
                .toString());
      } catch (CharacterCodingException e) {
        problems.add(new SloProblem(name, 1, 1, "the file is not UTF-8 text"));
      } catch (IOException e) {
        problems.add(new SloProblem(name, 1, 1, "cannot read the file: " + e));
      }
    }
    Loaded loaded = parse(texts);
    problems.addAll(loaded.problems());
    return problems.isEmpty() ? loaded : new Loaded(null, List.copyOf(problems));
  }

  /** The example SLOs of the simulated services, shipped with Pulse (the demo loads them). */
  public static final List<String> EXAMPLES =
      List.of(
          "services.yaml",
          "courses-api.yaml",
          "grades-api.yaml",
          "sessions-api.yaml",
          "video-api.yaml");

  /** Reads and checks {@link #EXAMPLES}, named {@code examples/<file>}. */
  public static Loaded examples() {
    Map<String, String> texts = new LinkedHashMap<>();
    for (String name : EXAMPLES) {
      try (var in = SloFiles.class.getResourceAsStream("examples/" + name)) {
        if (in == null) {
          throw new IllegalStateException("example SLO file missing from the jar: " + name);
        }
        texts.put("examples/" + name, new String(in.readAllBytes(), StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
    return parse(texts);
  }

  /** Checks SLO texts together, each named (by its file name) in {@code texts}. */
  public static Loaded parse(Map<String, String> texts) {
    return new Reader().read(texts);
  }

  /** One document of a file, its kind and name checked. */
  private record Document(String name, String displayName, YamlFields spec) {}

  private static final class Reader {
    private final List<SloProblem> problems = new ArrayList<>();
    private final Map<String, SloService> services = new TreeMap<>();
    private final Map<String, Indicator> indicators = new TreeMap<>();
    private final Map<String, List<AlertRow>> policies = new TreeMap<>();
    private final List<Document> slos = new ArrayList<>();

    /**
     * Names of SLIs and AlertPolicies defined with problems: a reference to one is not "undefined".
     */
    private final Set<String> broken = new java.util.HashSet<>();

    Loaded read(Map<String, String> texts) {
      texts.forEach(this::file);
      List<Slo> out = new ArrayList<>();
      Set<String> names = new LinkedHashSet<>();
      for (Document d : slos) {
        if (!names.add(d.name())) {
          d.spec().problem(d.spec().node(), "a second SLO named " + d.name());
        }
        Slo slo = slo(d);
        if (slo != null) {
          out.add(slo);
        }
      }
      if (!problems.isEmpty()) {
        return new Loaded(null, List.copyOf(problems));
      }
      return new Loaded(
          new SloCatalog(
              List.copyOf(services.values()), List.copyOf(indicators.values()), List.copyOf(out)),
          List.of());
    }

    private void file(String file, String text) {
      LoaderOptions options = new LoaderOptions();
      options.setAllowDuplicateKeys(false);
      options.setMaxAliasesForCollections(10);
      options.setAllowRecursiveKeys(false);
      options.setNestingDepthLimit(30);
      options.setCodePointLimit(MAX_FILE_BYTES);
      int documents = 0;
      try {
        for (Node node : new Yaml(options).composeAll(new java.io.StringReader(text))) {
          if (node != null) {
            documents++;
            document(file, node);
          }
        }
      } catch (MarkedYAMLException e) {
        Mark m = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
        problems.add(
            new SloProblem(
                file,
                m == null ? 1 : m.getLine() + 1,
                m == null ? 1 : m.getColumn() + 1,
                "not valid YAML: " + e.getProblem()));
        return;
      } catch (YAMLException e) {
        problems.add(new SloProblem(file, 1, 1, "not valid YAML: " + e.getMessage()));
        return;
      }
      if (documents == 0) {
        problems.add(new SloProblem(file, 1, 1, "the file has no YAML document"));
      }
    }

    private void document(String file, Node node) {
      YamlFields d = YamlFields.of(file, "", node, problems);
      if (!d.isMapping()) {
        return;
      }
      String apiVersion = d.string("apiVersion", true);
      if (apiVersion != null && !apiVersion.equals(API_VERSION)) {
        d.problem(
            d.value("apiVersion", false),
            "apiVersion is " + apiVersion + ": Pulse reads " + API_VERSION);
      }
      String kind = d.string("kind", true);
      YamlFields metadata = d.mapping("metadata", true);
      YamlFields spec = d.mapping("spec", true);
      d.rejectUnknown();
      String name = metadata == null ? null : metadata(metadata);
      if (kind == null || name == null || spec == null) {
        return;
      }
      String displayName = metadata.string("displayName", false);
      switch (kind) {
        case "Service" -> service(name, displayName, spec);
        case "SLI" -> {
          Indicator i = indicator(name, displayName, spec);
          if (i == null) {
            broken.add("SLI/" + name);
          }
          if (i != null && indicators.putIfAbsent(name, i) != null) {
            spec.problem(spec.node(), "a second SLI named " + name);
          }
        }
        case "AlertPolicy" -> {
          List<AlertRow> rows = alertPolicy(spec);
          if (rows == null) {
            broken.add("AlertPolicy/" + name);
          }
          if (rows != null && policies.putIfAbsent(name, rows) != null) {
            spec.problem(spec.node(), "a second AlertPolicy named " + name);
          }
        }
        case "SLO" -> slos.add(new Document(name, displayName, spec));
        default ->
            d.problem(
                d.value("kind", false),
                "kind "
                    + kind
                    + " is not one Pulse reads: Service, SLI, SLO or AlertPolicy (docs/slo.md)");
      }
    }

    /** metadata.name, checked; labels and annotations are allowed and not read. */
    private String metadata(YamlFields metadata) {
      String name = metadata.string("name", true);
      metadata.value("labels", false);
      metadata.value("annotations", false);
      metadata.value("displayName", false);
      metadata.rejectUnknown();
      if (name != null && !NAME.matcher(name).matches()) {
        metadata.problem(
            metadata.value("name", false),
            "metadata.name '"
                + name
                + "' must be 1-63 lowercase letters, digits and '-', starting and ending with a"
                + " letter or digit");
        return null;
      }
      return name;
    }

    private void service(String name, String displayName, YamlFields spec) {
      String description = spec.string("description", false);
      spec.rejectUnknown();
      if (services.putIfAbsent(name, new SloService(name, displayName, description)) != null) {
        spec.problem(spec.node(), "a second Service named " + name);
      }
    }

    private Indicator indicator(String name, String displayName, YamlFields spec) {
      spec.string("description", false);
      if (spec.has("thresholdMetric")) {
        spec.problem(
            spec.value("thresholdMetric", false),
            "thresholdMetric SLIs are not supported: give a ratioMetric (docs/slo.md)");
      }
      YamlFields ratio = spec.mapping("ratioMetric", !spec.has("thresholdMetric"));
      spec.rejectUnknown();
      if (ratio == null) {
        return null;
      }
      Boolean counter = ratio.bool("counter", false);
      if (Boolean.FALSE.equals(counter)) {
        ratio.problem(
            ratio.value("counter", false), "ratioMetric.counter must be true: Pulse counts events");
      }
      if (ratio.has("bad")) {
        ratio.problem(
            ratio.value("bad", false), "a bad metric is not supported: give the good one instead");
      }
      for (String raw : List.of("raw", "rawType")) {
        if (ratio.has(raw)) {
          ratio.problem(
              ratio.value(raw, false), "raw ratios are not supported: give good and total");
        }
      }
      YamlFields good = source(ratio.mapping("good", !ratio.has("bad")));
      YamlFields total = source(ratio.mapping("total", true));
      ratio.rejectUnknown();
      if (good == null || total == null) {
        return null;
      }
      EventKind kind = events(total);
      EventKind goodKind = events(good);
      if (kind == null || goodKind == null) {
        return null;
      }
      if (goodKind != kind) {
        good.problem(
            good.value("events", false),
            "good counts "
                + goodKind.id()
                + " but total counts "
                + kind.id()
                + ": they must agree");
        return null;
      }
      Map<String, String> selection = selection(total, kind);
      Map<String, String> goodSelection = selection(good, kind);
      Good condition = goodCondition(good, kind);
      total.rejectUnknown();
      good.rejectUnknown();
      if (selection == null || goodSelection == null || condition == null) {
        return null;
      }
      if (!goodSelection.equals(selection)) {
        good.problem(
            good.node(),
            "good selects "
                + goodSelection
                + " but total selects "
                + selection
                + ": good must select the same events, plus its condition");
        return null;
      }
      return new Indicator(name, displayName, kind, selection, condition);
    }

    /** The spec of {@code {metricSource: {type: Pulse, spec: {...}}}}. */
    private YamlFields source(YamlFields metric) {
      if (metric == null) {
        return null;
      }
      if (metric.has("metricSourceRef")) {
        metric.problem(
            metric.value("metricSourceRef", false),
            "metricSourceRef is not supported: give the metricSource inline");
      }
      YamlFields source = metric.mapping("metricSource", !metric.has("metricSourceRef"));
      metric.rejectUnknown();
      if (source == null) {
        return null;
      }
      String type = source.string("type", true);
      YamlFields spec = source.mapping("spec", true);
      source.rejectUnknown();
      if (type != null && !type.equals("Pulse")) {
        source.problem(
            source.value("type", false),
            "metricSource.type is "
                + type
                + ": Pulse computes SLIs from its own events (type: Pulse)");
        return null;
      }
      return spec;
    }

    private EventKind events(YamlFields spec) {
      String events = spec.string("events", true);
      if (events == null) {
        return null;
      }
      EventKind kind = EventKind.of(events).orElse(null);
      if (kind == null) {
        spec.problem(
            spec.value("events", false),
            "events is " + events + ": one of " + EventKind.ids() + " (docs/slo.md)");
      }
      return kind;
    }

    private Map<String, String> selection(YamlFields spec, EventKind kind) {
      Map<String, String> out = new TreeMap<>();
      boolean ok = true;
      for (String field : kind.required()) {
        String v = spec.string(field, true);
        ok &= v != null;
        if (v != null) {
          out.put(field, v);
        }
      }
      for (String field : kind.optional()) {
        if (spec.has(field)) {
          String v = spec.string(field, false);
          ok &= v != null;
          if (v != null) {
            out.put(field, v);
          }
        }
      }
      return ok ? out : null;
    }

    private Good goodCondition(YamlFields good, EventKind kind) {
      List<String> conditions =
          switch (kind) {
            case API_REQUESTS -> List.of("statusBelow", "latencyBelowMs");
            case PROBE_RESULTS -> List.of("success");
            case PLAYBACK_VIEWS -> List.of("outcomeNotIn");
          };
      List<String> given = conditions.stream().filter(good::has).toList();
      if (given.size() != 1) {
        good.problem(
            good.node(),
            good.path()
                + " must give exactly one condition of "
                + kind.id()
                + ": "
                + String.join(" or ", conditions)
                + (given.isEmpty() ? "" : " (it gives " + String.join(", ", given) + ")"));
        return null;
      }
      switch (given.get(0)) {
        case "statusBelow" -> {
          Double status = good.number("statusBelow", true);
          if (status == null) {
            return null;
          }
          if (status != Math.rint(status) || status < 101 || status > 600) {
            good.problem(
                good.value("statusBelow", false), "statusBelow must be a whole number, 101 to 600");
            return null;
          }
          return new Indicator.StatusBelow(status.intValue());
        }
        case "latencyBelowMs" -> {
          Double ms = good.number("latencyBelowMs", true);
          if (ms == null) {
            return null;
          }
          if (ms != Math.rint(ms) || ms < 1 || ms > 3_600_000) {
            good.problem(
                good.value("latencyBelowMs", false),
                "latencyBelowMs must be a whole number of milliseconds, 1 to 3,600,000");
            return null;
          }
          return new Indicator.LatencyBelowMs(ms.longValue());
        }
        case "success" -> {
          Boolean success = good.bool("success", true);
          if (!Boolean.TRUE.equals(success)) {
            good.problem(
                good.value("success", false), "success must be true: good probes succeeded");
            return null;
          }
          return new Indicator.ProbeSucceeded();
        }
        default -> {
          List<Node> items = good.sequence("outcomeNotIn", true);
          if (items == null) {
            return null;
          }
          Set<String> outcomes = new java.util.TreeSet<>();
          for (Node item : items) {
            String o = item instanceof ScalarNode s ? s.getValue() : null;
            if (o == null || !OUTCOMES.contains(o)) {
              good.problem(
                  item,
                  "outcomeNotIn lists "
                      + (o == null ? "a non-string" : "'" + o + "'")
                      + ": outcomes are "
                      + String.join(", ", new java.util.TreeSet<>(OUTCOMES)));
              return null;
            }
            outcomes.add(o);
          }
          if (outcomes.isEmpty() || outcomes.size() == OUTCOMES.size()) {
            good.problem(
                good.value("outcomeNotIn", false),
                "outcomeNotIn must exclude some outcomes but not all");
            return null;
          }
          return new Indicator.OutcomeNotIn(Set.copyOf(outcomes));
        }
      }
    }

    /** An AlertPolicy's workbook rows, or null. */
    private List<AlertRow> alertPolicy(YamlFields spec) {
      spec.string("description", false);
      for (String always : List.of("alertWhenBreaching", "alertWhenResolved")) {
        if (Boolean.FALSE.equals(spec.bool(always, false))) {
          spec.problem(
              spec.value(always, false),
              always + ": false is not supported: Pulse alerts on breaching and on resolution");
        }
      }
      if (Boolean.TRUE.equals(spec.bool("alertWhenNoData", false))) {
        spec.problem(
            spec.value("alertWhenNoData", false),
            "alertWhenNoData: true is not supported: no events burn no budget");
      }
      spec.value("notificationTargets", false);
      List<Node> conditions = spec.sequence("conditions", true);
      spec.rejectUnknown();
      if (conditions == null) {
        return null;
      }
      List<AlertRow> rows = new ArrayList<>();
      for (int i = 0; i < conditions.size(); i++) {
        AlertRow row = condition(spec.item("conditions", i, conditions.get(i)));
        if (row == null) {
          return null;
        }
        if (rows.contains(row)) {
          spec.problem(conditions.get(i), "the same alert row twice: " + describe(row));
          return null;
        }
        rows.add(row);
      }
      if (rows.isEmpty()) {
        spec.problem(spec.node(), "conditions must name at least one alert row");
        return null;
      }
      return List.copyOf(rows);
    }

    private AlertRow condition(YamlFields c) {
      if (c.has("conditionRef")) {
        c.problem(
            c.value("conditionRef", false),
            "conditionRef is not supported: give the condition inline");
      }
      String kind = c.string("kind", !c.has("conditionRef"));
      if (kind != null && !kind.equals("AlertCondition")) {
        c.problem(c.value("kind", false), "kind must be AlertCondition");
      }
      YamlFields metadata = c.mapping("metadata", false);
      if (metadata != null) {
        metadata(metadata);
      }
      YamlFields spec = c.mapping("spec", !c.has("conditionRef"));
      c.rejectUnknown();
      if (spec == null) {
        return null;
      }
      spec.string("description", false);
      String severity = spec.string("severity", true);
      YamlFields burn = spec.mapping("condition", true);
      spec.rejectUnknown();
      if (burn == null || severity == null) {
        return null;
      }
      String kindOf = burn.string("kind", true);
      String op = burn.string("op", true);
      Double threshold = burn.number("threshold", true);
      Duration lookback = duration(burn, "lookbackWindow");
      Duration after = duration(burn, "alertAfter");
      burn.rejectUnknown();
      if (kindOf == null || op == null || threshold == null || lookback == null || after == null) {
        return null;
      }
      if (!kindOf.equals("burnrate") || !op.equals("gt")) {
        burn.problem(
            burn.node(),
            "Pulse alerts when burn rates exceed the threshold: kind: burnrate, op: gt");
        return null;
      }
      for (AlertRow row : AlertRow.values()) {
        if (row.burnRate() == threshold
            && row.longWindow().equals(lookback)
            && row.shortWindow().equals(after)) {
          if (!row.severity().equals(severity)) {
            spec.problem(
                spec.value("severity", false),
                "severity of " + describe(row) + " is " + row.severity() + ", not " + severity);
            return null;
          }
          return row;
        }
      }
      List<String> rows = new ArrayList<>();
      for (AlertRow row : AlertRow.values()) {
        rows.add(describe(row));
      }
      burn.problem(
          burn.node(),
          "not a row of the workbook's alert table; Pulse alerts by these (threshold, lookbackWindow"
              + " = long window, alertAfter = short window): "
              + String.join("; ", rows));
      return null;
    }

    private static String describe(AlertRow row) {
      return row.burnRate()
          + "x over "
          + shorthand(row.longWindow())
          + " and "
          + shorthand(row.shortWindow())
          + " ("
          + row.severity()
          + ")";
    }

    private Slo slo(Document d) {
      YamlFields spec = d.spec();
      String description = spec.string("description", false);
      String service = spec.string("service", true);
      if (service != null && !services.containsKey(service)) {
        spec.problem(
            spec.value("service", false),
            "service " + service + " is not defined: add a Service document named " + service);
      }
      Indicator indicator = null;
      if (spec.has("indicator") == spec.has("indicatorRef")) {
        spec.problem(spec.node(), "an SLO gives exactly one of indicator and indicatorRef");
      } else if (spec.has("indicatorRef")) {
        String ref = spec.string("indicatorRef", true);
        indicator = ref == null ? null : indicators.get(ref);
        if (ref != null && indicator == null && !broken.contains("SLI/" + ref)) {
          spec.problem(
              spec.value("indicatorRef", false),
              "indicatorRef " + ref + " is not defined: add an SLI document named " + ref);
        }
      } else {
        YamlFields inline = spec.mapping("indicator", true);
        if (inline != null) {
          YamlFields metadata = inline.mapping("metadata", true);
          YamlFields inlineSpec = inline.mapping("spec", true);
          inline.rejectUnknown();
          String name = metadata == null ? null : metadata(metadata);
          if (name != null && inlineSpec != null) {
            indicator = indicator(name, metadata.string("displayName", false), inlineSpec);
          }
        }
      }
      TimeWindow window = timeWindow(spec);
      String method = spec.string("budgetingMethod", true);
      Slo.BudgetingMethod budgeting = null;
      if (method != null) {
        for (Slo.BudgetingMethod m : Slo.BudgetingMethod.values()) {
          if (m.openSlo().equals(method)) {
            budgeting = m;
          }
        }
        if (budgeting == null) {
          spec.problem(
              spec.value("budgetingMethod", false),
              "budgetingMethod is " + method + ": Occurrences or Timeslices");
        }
      }
      List<Node> objectives = spec.sequence("objectives", true);
      Double target = null;
      Duration slice = null;
      Double sliceTarget = null;
      if (objectives != null && objectives.size() != 1) {
        spec.problem(spec.value("objectives", false), "an SLO has exactly one objective in Pulse");
      } else if (objectives != null) {
        YamlFields o = spec.item("objectives", 0, objectives.get(0));
        o.string("displayName", false);
        if (o.has("target") == o.has("targetPercent")) {
          o.problem(o.node(), "an objective gives exactly one of target and targetPercent");
        } else if (o.has("target")) {
          target = fraction(o, "target", 1);
        } else {
          Double percent = fraction(o, "targetPercent", 100);
          target = percent == null ? null : percent / 100;
        }
        boolean slices = budgeting == Slo.BudgetingMethod.TIMESLICES;
        if (o.has("timeSliceTarget") || slices) {
          sliceTarget = o.number("timeSliceTarget", slices);
          if (sliceTarget != null && !(sliceTarget > 0 && sliceTarget <= 1)) {
            o.problem(o.value("timeSliceTarget", false), "timeSliceTarget must be in (0, 1]");
            sliceTarget = null;
          }
        }
        if (o.has("timeSliceWindow") || slices) {
          slice = duration(o, "timeSliceWindow");
          if (slice != null && !TIME_SLICES.contains(slice)) {
            o.problem(
                o.value("timeSliceWindow", false),
                "timeSliceWindow must be 1m, 2m, 5m, 10m, 15m, 30m or 1h: whole minutes that"
                    + " divide an hour");
            slice = null;
          }
        }
        if (!slices && (o.has("timeSliceTarget") || o.has("timeSliceWindow"))) {
          o.problem(o.node(), "timeSliceTarget and timeSliceWindow are for Timeslices budgeting");
        }
        o.rejectUnknown();
      }
      List<AlertRow> rows = alertRows(spec);
      spec.rejectUnknown();
      if (indicator == null
          || window == null
          || budgeting == null
          || target == null
          || rows == null
          || service == null
          || !services.containsKey(service)
          || (budgeting == Slo.BudgetingMethod.TIMESLICES
              && (slice == null || sliceTarget == null))) {
        return null;
      }
      return new Slo(
          d.name(),
          d.displayName(),
          description,
          service,
          indicator,
          target,
          window,
          budgeting,
          budgeting == Slo.BudgetingMethod.TIMESLICES ? slice : null,
          budgeting == Slo.BudgetingMethod.TIMESLICES ? sliceTarget : null,
          rows);
    }

    private static Double fraction(YamlFields o, String key, double whole) {
      Double v = o.number(key, true);
      if (v != null && !(v > 0 && v < whole)) {
        o.problem(
            o.value(key, false),
            key + " must be above 0 and below " + (whole == 1 ? "1 (0.999 is 99.9 %)" : "100"));
        return null;
      }
      return v;
    }

    private TimeWindow timeWindow(YamlFields spec) {
      List<Node> windows = spec.sequence("timeWindow", true);
      if (windows == null) {
        return null;
      }
      if (windows.size() != 1) {
        spec.problem(spec.value("timeWindow", false), "timeWindow has exactly one window");
        return null;
      }
      YamlFields w = spec.item("timeWindow", 0, windows.get(0));
      Duration duration = duration(w, "duration");
      Boolean rolling = w.bool("isRolling", true);
      YamlFields calendar = w.mapping("calendar", Boolean.FALSE.equals(rolling));
      w.rejectUnknown();
      if (duration == null || rolling == null) {
        return null;
      }
      if (rolling) {
        if (calendar != null) {
          w.problem(calendar.node(), "a rolling window has no calendar");
        }
        if (!duration.equals(Duration.ofDays(28)) && !duration.equals(Duration.ofDays(30))) {
          w.problem(
              w.value("duration", false), "a rolling window is 28d or 30d (4w is 28d as well)");
          return null;
        }
        return new TimeWindow(duration);
      }
      // Calendar windows: one month from the start of a month, in UTC.
      if (!"1M".equals(w.string("duration", false))) {
        w.problem(w.value("duration", false), "a calendar window is one month: duration: 1M");
        return null;
      }
      if (calendar == null) {
        return null;
      }
      String start = calendar.string("startTime", true);
      String zone = calendar.string("timeZone", true);
      calendar.rejectUnknown();
      if (zone != null && !zone.equals("UTC")) {
        calendar.problem(
            calendar.value("timeZone", false),
            "timeZone is " + zone + ": Pulse counts months in UTC");
        return null;
      }
      if (start != null) {
        try {
          LocalDateTime t =
              LocalDateTime.parse(start, DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss"));
          if (t.getDayOfMonth() != 1 || !t.toLocalTime().equals(java.time.LocalTime.MIDNIGHT)) {
            calendar.problem(
                calendar.value("startTime", false),
                "startTime must be the start of a month, e.g. 2026-01-01 00:00:00");
            return null;
          }
        } catch (DateTimeParseException e) {
          calendar.problem(
              calendar.value("startTime", false),
              "startTime must be yyyy-MM-dd HH:mm:ss, e.g. 2026-01-01 00:00:00");
          return null;
        }
      }
      return start == null || zone == null ? null : TimeWindow.calendarMonth();
    }

    /** The rows the SLO's alert policies name, or all four without any; null on a problem. */
    private List<AlertRow> alertRows(YamlFields spec) {
      if (!spec.has("alertPolicies")) {
        return List.of(AlertRow.values());
      }
      List<Node> items = spec.sequence("alertPolicies", true);
      if (items == null) {
        return null;
      }
      Set<AlertRow> rows = new java.util.TreeSet<>();
      boolean ok = true;
      for (int i = 0; i < items.size(); i++) {
        YamlFields item = spec.item("alertPolicies", i, items.get(i));
        List<AlertRow> named;
        if (item.has("alertPolicyRef")) {
          String ref = item.string("alertPolicyRef", true);
          named = ref == null ? null : policies.get(ref);
          if (ref != null && named == null && !broken.contains("AlertPolicy/" + ref)) {
            item.problem(
                item.value("alertPolicyRef", false),
                "alertPolicyRef "
                    + ref
                    + " is not defined: add an AlertPolicy document named "
                    + ref);
          }
        } else {
          String kind = item.string("kind", true);
          YamlFields metadata = item.mapping("metadata", true);
          YamlFields policySpec = item.mapping("spec", true);
          if (kind != null && !kind.equals("AlertPolicy")) {
            item.problem(item.value("kind", false), "kind must be AlertPolicy");
          }
          if (metadata != null) {
            metadata(metadata);
          }
          named = policySpec == null ? null : alertPolicy(policySpec);
        }
        item.rejectUnknown();
        if (named == null) {
          ok = false;
        } else {
          rows.addAll(named);
        }
      }
      if (ok && rows.isEmpty()) {
        spec.problem(spec.value("alertPolicies", false), "alertPolicies names no alert row");
        return null;
      }
      return ok ? List.copyOf(rows) : null;
    }

    /** An OpenSLO duration shorthand ({@code 5m}, {@code 1h}, {@code 28d}, {@code 4w}). */
    private static Duration duration(YamlFields f, String key) {
      String text = f.string(key, true);
      if (text == null) {
        return null;
      }
      Matcher m = DURATION.matcher(text);
      if (!m.matches()) {
        f.problem(
            f.value(key, false),
            key + " must be a duration such as 5m, 1h, 28d or 4w, got '" + text + "'");
        return null;
      }
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        case "d" -> Duration.ofDays(n);
        case "w" -> Duration.ofDays(7 * n);
        // Months, quarters and years have no fixed length: only a calendar window takes 1M.
        default -> Duration.ofDays(36_500 + n);
      };
    }

    private static String shorthand(Duration d) {
      return d.toDays() > 0 && d.toHours() % 24 == 0
          ? d.toDays() + "d"
          : d.toMinutes() % 60 == 0 ? d.toHours() + "h" : d.toMinutes() + "m";
    }
  }
}
