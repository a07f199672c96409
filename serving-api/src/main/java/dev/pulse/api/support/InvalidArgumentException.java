package dev.pulse.api.support;

/**
 * A GraphQL argument the API refuses (bad range, too many points, oversized or invalid string);
 * reported as BAD_REQUEST with this message, so the message is written for the caller. The only
 * exception whose message reaches a client: any other (an {@code IllegalArgumentException} from a
 * bug included) is an internal error.
 */
public class InvalidArgumentException extends RuntimeException {

  public InvalidArgumentException(String message) {
    super(message);
  }
}
