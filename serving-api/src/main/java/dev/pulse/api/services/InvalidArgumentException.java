package dev.pulse.api.services;

/**
 * A GraphQL argument the API refuses (bad range, too many points, oversized string); reported as
 * BAD_REQUEST with this message.
 */
public class InvalidArgumentException extends RuntimeException {

  public InvalidArgumentException(String message) {
    super(message);
  }
}
