package dev.pulse.api.security;

/**
 * A known caller asked for what their roles or courses do not cover: answered with a GraphQL error
 * of type FORBIDDEN and this message (which names only what the caller's own token says).
 */
public class ForbiddenException extends RuntimeException {
  public ForbiddenException(String message) {
    super(message);
  }
}
