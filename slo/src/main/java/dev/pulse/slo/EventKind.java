package dev.pulse.slo;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The events an SLI counts, named in {@code metricSource.spec.events}, with the selection fields
 * each takes ({@code required} first) and the condition that makes an event good.
 */
public enum EventKind {
  /** API requests (the API metrics' facts); good by status or latency. */
  API_REQUESTS("api_requests", List.of("service"), List.of("endpoint", "method", "region")),
  /** Synthetic probe results; good when the check succeeded. */
  PROBE_RESULTS("probe_results", List.of("target"), List.of("region")),
  /** Ended video views (the playback job's view facts); good when the outcome is not excluded. */
  PLAYBACK_VIEWS(
      "playback_views", List.of(), List.of("video", "course", "cdn", "region", "device", "player"));

  private final String id;
  private final List<String> required;
  private final List<String> optional;

  EventKind(String id, List<String> required, List<String> optional) {
    this.id = id;
    this.required = required;
    this.optional = optional;
  }

  public String id() {
    return id;
  }

  /** Selection fields the SLI must give. */
  public List<String> required() {
    return required;
  }

  /** Selection fields the SLI may give. */
  public List<String> optional() {
    return optional;
  }

  static Optional<EventKind> of(String id) {
    return Arrays.stream(values()).filter(k -> k.id.equals(id)).findFirst();
  }

  static String ids() {
    return String.join(", ", Arrays.stream(values()).map(EventKind::id).toList());
  }
}
