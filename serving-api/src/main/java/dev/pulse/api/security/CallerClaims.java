package dev.pulse.api.security;

import dev.pulse.api.config.PulseApiProperties;
import dev.pulse.clickhouse.Utf16;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.springframework.core.convert.converter.Converter;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.InvalidBearerTokenException;

/**
 * Reads a verified JWT's claims into a {@link Caller}, by the claim names configured under {@code
 * pulse.security.claims} (README, "Sign-in"). A token whose signature, issuer, audience and expiry
 * hold but whose Pulse claims are missing or malformed is refused as an invalid token (401, with
 * what is wrong): it names no tenant Pulse could scope by.
 *
 * <p>A claim name is looked up as a top-level claim first; when absent and it contains dots, as a
 * path into nested objects ({@code realm_access.roles}, Keycloak's realm roles). Namespaced names
 * such as Auth0's {@code https://pulse.example.edu/tenant} are top-level claims.
 */
public final class CallerClaims implements Converter<Jwt, CallerAuthentication> {

  /** Longest tenant id, subject, name or course id accepted (ids in the events are far shorter). */
  static final int MAX_VALUE_LENGTH = 256;

  /** Most courses one token may carry. */
  static final int MAX_COURSES = 1000;

  private final PulseApiProperties.Security.Claims names;

  public CallerClaims(PulseApiProperties.Security.Claims names) {
    this.names = names;
  }

  @Override
  public CallerAuthentication convert(Jwt jwt) {
    String subject = text("sub", jwt.getSubject());
    if (jwt.getExpiresAt() == null) {
      throw invalid("the token has no exp (expiry) claim");
    }
    Object tenant = claim(jwt, names.tenant());
    if (!(tenant instanceof String t) || t.isBlank()) {
      throw invalid("the token has no " + names.tenant() + " (tenant) claim");
    }
    Object name = claim(jwt, names.name());
    Caller caller =
        new Caller(
            subject,
            name instanceof String n && !n.isBlank() ? text(names.name(), n) : subject,
            new Tenant(text(names.tenant(), t)),
            roles(claim(jwt, names.roles())),
            courses(claim(jwt, names.courses())),
            jwt.getExpiresAt());
    return new CallerAuthentication(caller);
  }

  /** Roles the claim names; unknown names are ignored (an identity provider's other roles). */
  private Set<Role> roles(Object claim) {
    Set<Role> roles = EnumSet.noneOf(Role.class);
    for (String value : strings(names.roles(), claim, 100)) {
      Role.parse(value).ifPresent(roles::add);
    }
    return roles;
  }

  private TreeSet<String> courses(Object claim) {
    TreeSet<String> courses = new TreeSet<>();
    for (String value : strings(names.courses(), claim, MAX_COURSES)) {
      courses.add(text(names.courses(), value));
    }
    return courses;
  }

  /**
   * A claim's strings: a JSON array of strings, or one string of space- or comma-separated values
   * (the form of OAuth2's {@code scope}); none when absent.
   */
  private static List<String> strings(String claimName, Object claim, int max) {
    List<String> values = new ArrayList<>();
    if (claim == null) {
      return values;
    }
    if (claim instanceof String s) {
      for (String part : s.split("[\\s,]+")) {
        if (!part.isEmpty()) {
          values.add(part);
        }
      }
    } else if (claim instanceof Collection<?> list) {
      for (Object element : list) {
        if (!(element instanceof String s)) {
          throw invalid("the " + claimName + " claim must hold strings only");
        }
        values.add(s);
      }
    } else {
      throw invalid("the " + claimName + " claim must be an array of strings");
    }
    if (values.size() > max) {
      throw invalid(
          "the " + claimName + " claim holds " + values.size() + " values, more than " + max);
    }
    return values;
  }

  /** {@code value} if it can be an id Pulse stores: not blank, not too long, valid Unicode. */
  private static String text(String claimName, String value) {
    if (value == null || value.isBlank()) {
      throw invalid("the token's " + claimName + " claim is missing or empty");
    }
    if (value.length() > MAX_VALUE_LENGTH) {
      throw invalid(
          "the token's " + claimName + " claim is longer than " + MAX_VALUE_LENGTH + " characters");
    }
    if (Utf16.unpairedSurrogateAt(value) >= 0) {
      throw invalid("the token's " + claimName + " claim is not valid Unicode");
    }
    return value;
  }

  /** The claim by its top-level name, else by its dotted path through nested objects. */
  static Object claim(Jwt jwt, String name) {
    Map<String, Object> claims = jwt.getClaims();
    if (claims.containsKey(name) || name.indexOf('.') < 0) {
      return claims.get(name);
    }
    Object at = claims;
    for (String part : name.split("\\.")) {
      if (!(at instanceof Map<?, ?> map)) {
        return null;
      }
      at = map.get(part);
    }
    return at;
  }

  private static InvalidBearerTokenException invalid(String why) {
    return new InvalidBearerTokenException(why);
  }
}
