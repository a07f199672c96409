package dev.pulse.api.services;

import java.util.List;

/** A service that reported requests for the caller's tenant, with its endpoints. */
public record Service(String name, List<Endpoint> endpoints) {

  /** An endpoint (route template) of a service and the HTTP methods seen on it. */
  public record Endpoint(String path, List<String> methods) {}
}
