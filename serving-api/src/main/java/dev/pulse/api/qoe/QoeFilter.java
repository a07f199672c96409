package dev.pulse.api.qoe;

import dev.pulse.api.support.StringArguments;

/**
 * The {@code QoeFilter} input: which views' numbers a QoE query reads, each field narrowing it to
 * one value when not null. The constructor refuses strings that break {@link StringArguments}'
 * rules.
 */
public record QoeFilter(
    String video, String course, String cdn, String region, String device, String player) {

  /** Everything of the tenant. */
  static final QoeFilter NONE = new QoeFilter(null, null, null, null, null, null);

  public QoeFilter {
    StringArguments.check("video", video);
    StringArguments.check("course", course);
    StringArguments.check("cdn", cdn);
    StringArguments.check("region", region);
    StringArguments.check("device", device);
    StringArguments.check("player", player);
  }
}
