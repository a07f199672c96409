package dev.pulse.api.security;

import java.util.List;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/**
 * A verified token's {@link Caller} as Spring Security's authentication: principal the caller,
 * authorities its roles ({@code ROLE_SRE}, ...), for the HTTP rules (actuator is for {@code
 * OPERATOR}).
 */
public final class CallerAuthentication extends AbstractAuthenticationToken {

  private final Caller caller;

  public CallerAuthentication(Caller caller) {
    super(caller.roles().stream().map(r -> new SimpleGrantedAuthority(r.authority())).toList());
    this.caller = caller;
    setAuthenticated(true);
  }

  public Caller caller() {
    return caller;
  }

  @Override
  public Caller getPrincipal() {
    return caller;
  }

  /** The token itself is not kept: nothing downstream needs it. */
  @Override
  public Object getCredentials() {
    return "";
  }

  @Override
  public String getName() {
    return caller.subject();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CallerAuthentication other && other.caller.equals(caller);
  }

  @Override
  public int hashCode() {
    return caller.hashCode();
  }

  /** For logs: who, never the token. */
  @Override
  public String toString() {
    return "CallerAuthentication["
        + caller.subject()
        + " of "
        + caller.tenant().id()
        + " "
        + List.copyOf(caller.roles())
        + "]";
  }
}
