package dev.pulse.api.security;

import dev.pulse.api.config.PulseApiProperties;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.boot.security.oauth2.server.resource.autoconfigure.OAuth2ResourceServerProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;
import org.springframework.core.env.Profiles;
import org.springframework.core.io.Resource;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.converter.RsaKeyConverters;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.JwtClaimNames;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtDecoders;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.MappedJwtClaimSetConverter;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.jwt.SupplierJwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationProvider;
import org.springframework.security.oauth2.server.resource.web.BearerTokenAuthenticationEntryPoint;
import org.springframework.security.oauth2.server.resource.web.access.BearerTokenAccessDeniedHandler;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter.ReferrerPolicy;

/**
 * Access to serving-api: an OAuth2 resource server that accepts only JWTs whose signature, issuer,
 * audience and expiry hold, and denies by default. Open without a token: the static dashboard files
 * (they hold no data), liveness and readiness (status only), and the WebSocket upgrade (its {@code
 * connection_init} carries the token, see {@link WebSocketSignIn}). Actuator's other endpoints are
 * for operators. Everything else, the GraphQL endpoint included whatever its configured path, needs
 * a valid token: 401 without one, 403 for a caller without the role.
 */
@Configuration(proxyBeanMethods = false)
public class SecurityConfig {

  /**
   * The dashboards fit the strictest policy: their scripts and styles are files of this origin
   * (webjars included), they load nothing from elsewhere and nothing may frame them.
   */
  static final String CONTENT_SECURITY_POLICY =
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self' data:; "
          + "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
          + "form-action 'self'";

  /** Files of the dashboards: pages, scripts, styles, images; no data. */
  private static final String[] STATIC_FILES = {
    "/", "/index.html", "/favicon.ico", "/sre/**", "/educator/**", "/webjars/**", "/assets/**"
  };

  /**
   * {@code /actuator/prometheus} for Prometheus, when {@code pulse.metrics.scrape-password} is set:
   * HTTP basic as {@code pulse.metrics.scrape-user} (Prometheus's {@code basic_auth}), that
   * endpoint only. Without a password this chain is not used and the endpoint is an operator's, as
   * the rest of actuator.
   */
  @Bean
  @Order(1)
  SecurityFilterChain prometheusScrape(HttpSecurity http, PulseApiProperties properties)
      throws Exception {
    PulseApiProperties.Metrics metrics = properties.metrics();
    String password = metrics.scrapePassword();
    http.securityMatcher(
        request ->
            password != null
                && !password.isEmpty()
                && "/actuator/prometheus".equals(request.getRequestURI()));
    UserDetails scraper =
        User.withUsername(metrics.scrapeUser())
            .password("{noop}" + (password == null ? "" : password))
            .roles("PROMETHEUS")
            .build();
    http.authorizeHttpRequests(requests -> requests.anyRequest().hasRole("PROMETHEUS"))
        .httpBasic(basic -> basic.realmName("pulse-metrics"))
        .userDetailsService(new InMemoryUserDetailsManager(scraper))
        .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
        .csrf(csrf -> csrf.disable())
        .requestCache(cache -> cache.disable());
    return http.build();
  }

  @Bean
  @Order(2)
  SecurityFilterChain pulseSecurity(
      HttpSecurity http, JwtDecoder jwtDecoder, CallerClaims claims, Environment environment)
      throws Exception {
    AuthenticationEntryPoint unauthorized = unauthorized();
    AccessDeniedHandler forbidden = forbidden();
    // Pulse's own GraphiQL page (config/DevGraphiQl) exists in the development profile only.
    boolean graphiql = environment.acceptsProfiles(Profiles.of("dev"));
    String webSocketPath = environment.getProperty("spring.graphql.websocket.path");
    http.authorizeHttpRequests(
            requests -> {
              requests
                  .requestMatchers("/actuator/health/liveness", "/actuator/health/readiness")
                  .permitAll()
                  .requestMatchers("/actuator", "/actuator/**")
                  .hasRole(Role.OPERATOR.name())
                  .requestMatchers(HttpMethod.GET, STATIC_FILES)
                  .permitAll()
                  .requestMatchers("/error")
                  .permitAll();
              if (webSocketPath != null) {
                // Browsers cannot send headers with a WebSocket upgrade: connection_init carries
                // the token, and nothing runs on the socket before it is verified.
                requests.requestMatchers(HttpMethod.GET, webSocketPath).permitAll();
              }
              if (graphiql) {
                // Development profile only: the IDE's page and its local files; its requests to
                // /graphql carry a token like any other.
                requests.requestMatchers(HttpMethod.GET, "/graphiql", "/graphiql/**").permitAll();
              }
              requests.anyRequest().authenticated();
            })
        .oauth2ResourceServer(
            server ->
                server
                    .jwt(jwt -> jwt.decoder(jwtDecoder).jwtAuthenticationConverter(claims))
                    .authenticationEntryPoint(unauthorized)
                    .accessDeniedHandler(forbidden))
        .exceptionHandling(
            e -> e.authenticationEntryPoint(unauthorized).accessDeniedHandler(forbidden))
        // Bearer tokens only: no session, no cookie, so no CSRF surface.
        .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
        .csrf(csrf -> csrf.disable())
        .requestCache(cache -> cache.disable())
        .headers(
            headers ->
                headers
                    .contentSecurityPolicy(csp -> csp.policyDirectives(CONTENT_SECURITY_POLICY))
                    .referrerPolicy(r -> r.policy(ReferrerPolicy.NO_REFERRER))
                    .frameOptions(frame -> frame.deny()));
    return http.build();
  }

  /** The token's Pulse claims, read by the names configured under {@code pulse.security.claims}. */
  @Bean
  CallerClaims callerClaims(PulseApiProperties properties) {
    return new CallerClaims(properties.security().claims());
  }

  /**
   * The token verifier, from Boot's {@code spring.security.oauth2.resourceserver.jwt.*} properties:
   * keys from {@code jwk-set-uri}, else from an RSA {@code public-key-location}, else discovered
   * from {@code issuer-uri}. Issuer and audience are required and always checked, as are the
   * signature, {@code exp} (required) and {@code nbf}. Written here because Boot's own decoder
   * skips the issuer check when the key is a public-key file (the demo's case) and accepts a token
   * without {@code exp}.
   */
  @Bean
  JwtDecoder jwtDecoder(OAuth2ResourceServerProperties resourceServer) throws IOException {
    OAuth2ResourceServerProperties.Jwt jwt = resourceServer.getJwt();
    String issuer = jwt.getIssuerUri();
    List<String> audiences = jwt.getAudiences();
    if (issuer == null || issuer.isBlank()) {
      throw new IllegalStateException(
          "serving-api needs the identity provider's issuer: set"
              + " spring.security.oauth2.resourceserver.jwt.issuer-uri (README, \"Sign-in\")");
    }
    if (audiences == null || audiences.isEmpty()) {
      throw new IllegalStateException(
          "serving-api needs the audience its tokens are issued for: set"
              + " spring.security.oauth2.resourceserver.jwt.audiences (README, \"Sign-in\")");
    }
    NimbusJwtDecoder decoder;
    if (jwt.getJwkSetUri() != null && !jwt.getJwkSetUri().isBlank()) {
      decoder =
          NimbusJwtDecoder.withJwkSetUri(jwt.getJwkSetUri())
              .jwsAlgorithms(
                  algorithms -> jwt.getJwsAlgorithms().forEach(a -> algorithms.add(algorithm(a))))
              .build();
    } else if (jwt.getPublicKeyLocation() != null) {
      decoder =
          NimbusJwtDecoder.withPublicKey(publicKey(jwt.getPublicKeyLocation()))
              .signatureAlgorithm(algorithm(onlyAlgorithm(jwt.getJwsAlgorithms())))
              .build();
    } else {
      return new SupplierJwtDecoder(
          () -> {
            NimbusJwtDecoder discovered = (NimbusJwtDecoder) JwtDecoders.fromIssuerLocation(issuer);
            configure(discovered, issuer, audiences);
            return new CachingJwtDecoder(discovered, CACHED_TOKENS, Clock.systemUTC());
          });
    }
    configure(decoder, issuer, audiences);
    return new CachingJwtDecoder(decoder, CACHED_TOKENS, Clock.systemUTC());
  }

  /** Verified tokens remembered at most (a few hundred bytes each). */
  private static final long CACHED_TOKENS = 10_000;

  /**
   * The claim checks, and the issuer kept as the text it is: Spring's default turns it into a URL
   * on every request, which for an issuer that is no URL (e.g. {@code urn:...}) scans the classpath
   * for a URL handler each time (measured: 5 % of a request thread's time).
   */
  private static void configure(NimbusJwtDecoder decoder, String issuer, List<String> audiences) {
    decoder.setJwtValidator(validator(issuer, audiences));
    decoder.setClaimSetConverter(
        MappedJwtClaimSetConverter.withDefaults(
            Map.of(JwtClaimNames.ISS, iss -> iss == null ? null : iss.toString())));
  }

  /**
   * The WebSocket sign-in: the same verifier and claims as HTTP, through Spring for GraphQL's
   * {@code connection_init} authentication.
   */
  @Bean
  @Order(Ordered.HIGHEST_PRECEDENCE)
  WebSocketSignIn webSocketSignIn(JwtDecoder jwtDecoder, CallerClaims claims) {
    JwtAuthenticationProvider provider = new JwtAuthenticationProvider(jwtDecoder);
    provider.setJwtAuthenticationConverter(claims);
    return new WebSocketSignIn(new ProviderManager(provider));
  }

  private static DelegatingOAuth2TokenValidator<org.springframework.security.oauth2.jwt.Jwt>
      validator(String issuer, List<String> audiences) {
    return new DelegatingOAuth2TokenValidator<>(
        JwtValidators.createDefaultWithIssuer(issuer),
        new JwtClaimValidator<List<String>>(
            JwtClaimNames.AUD,
            aud -> aud != null && aud.stream().anyMatch(Set.copyOf(audiences)::contains)),
        new JwtClaimValidator<Object>(JwtClaimNames.EXP, exp -> exp != null),
        new JwtClaimValidator<Object>(JwtClaimNames.SUB, sub -> sub != null));
  }

  private static String onlyAlgorithm(List<String> algorithms) {
    if (algorithms.size() != 1) {
      throw new IllegalStateException(
          "a public-key-location verifies one algorithm; spring.security.oauth2.resourceserver.jwt.jws-algorithms names "
              + algorithms);
    }
    return algorithms.get(0);
  }

  private static SignatureAlgorithm algorithm(String name) {
    SignatureAlgorithm algorithm = SignatureAlgorithm.from(name);
    if (algorithm == null) {
      throw new IllegalStateException(
          "spring.security.oauth2.resourceserver.jwt.jws-algorithms: unknown algorithm " + name);
    }
    return algorithm;
  }

  private static RSAPublicKey publicKey(Resource location) {
    try (InputStream in = location.getInputStream()) {
      return RsaKeyConverters.x509().convert(in);
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException(
          "spring.security.oauth2.resourceserver.jwt.public-key-location "
              + location
              + " is not a readable RSA public key (PEM, BEGIN PUBLIC KEY): "
              + e.getMessage(),
          e);
    }
  }

  /**
   * 401 as Spring Security sends it (WWW-Authenticate says why), with a JSON body saying so too.
   */
  private static AuthenticationEntryPoint unauthorized() {
    BearerTokenAuthenticationEntryPoint bearer = new BearerTokenAuthenticationEntryPoint();
    return (request, response, ex) -> {
      bearer.commence(request, response, ex);
      body(
          response,
          "sign in: a valid bearer token is needed (Authorization: Bearer <JWT>): "
              + ex.getMessage());
    };
  }

  /** 403 as Spring Security sends it, with a JSON body naming what was refused. */
  private static AccessDeniedHandler forbidden() {
    BearerTokenAccessDeniedHandler bearer = new BearerTokenAccessDeniedHandler();
    return (request, response, ex) -> {
      bearer.handle(request, response, ex);
      body(response, "this token's roles do not cover " + request.getRequestURI());
    };
  }

  private static void body(HttpServletResponse response, String message) throws IOException {
    if (response.isCommitted()) {
      return;
    }
    response.setContentType(MediaType.APPLICATION_JSON_VALUE);
    response
        .getWriter()
        .write(
            "{\"errors\":[{\"message\":"
                + tools.jackson.databind.json.JsonMapper.shared().writeValueAsString(message)
                + "}]}");
  }
}
