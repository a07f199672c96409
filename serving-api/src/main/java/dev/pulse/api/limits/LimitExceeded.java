package dev.pulse.api.limits;

import graphql.ErrorClassification;

/** The classification of a refusal by a limit ({@code extensions.classification} in the error). */
enum LimitExceeded implements ErrorClassification {
  /**
   * A per-caller or per-server limit refused the operation; {@code extensions.limit} says which.
   */
  TOO_MANY_REQUESTS
}
