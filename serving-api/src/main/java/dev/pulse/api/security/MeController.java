package dev.pulse.api.security;

import java.util.List;
import org.springframework.graphql.data.method.annotation.ContextValue;
import org.springframework.graphql.data.method.annotation.QueryMapping;
import org.springframework.stereotype.Controller;

/** {@code me}: who the token says the caller is and what they may see; any signed-in caller. */
@Controller
public class MeController {

  /** The caller as the schema's {@code Me} type shows it. */
  public record Me(
      String subject,
      String name,
      String tenant,
      List<Role> roles,
      List<String> courses,
      java.time.Instant expiresAt) {}

  @QueryMapping
  public Me me(@ContextValue(name = Caller.CONTEXT_KEY) Caller caller) {
    return new Me(
        caller.subject(),
        caller.name(),
        caller.tenant().id(),
        caller.roles().stream().sorted().toList(),
        List.copyOf(caller.courses()),
        caller.expiresAt());
  }
}
