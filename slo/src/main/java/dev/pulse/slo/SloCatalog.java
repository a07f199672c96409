package dev.pulse.slo;

import java.util.List;

/** What a set of SLO files defines, each reference resolved. */
public record SloCatalog(List<SloService> services, List<Indicator> indicators, List<Slo> slos) {

  /** A service SLOs are about ({@code kind: Service}). */
  public record SloService(String name, String displayName, String description) {}
}
