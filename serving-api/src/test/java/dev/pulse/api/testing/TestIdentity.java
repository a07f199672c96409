package dev.pulse.api.testing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * A test identity provider: one RSA key per test JVM whose public key serving-api trusts (through
 * the production settings, {@code spring.security.oauth2.resourceserver.jwt.*}), and signed tokens
 * for any caller, well-formed or hostile (another key, issuer or audience, expired, {@code alg:
 * none}, claims missing).
 */
public final class TestIdentity {

  public static final String ISSUER = "https://idp.test.pulse/realms/pulse";
  public static final String AUDIENCE = "pulse-api";

  private static final KeyPair KEY = rsa();
  private static final KeyPair OTHER_KEY = rsa();
  private static final Path PUBLIC_KEY = writePublicKey();

  private TestIdentity() {}

  /** Makes serving-api trust this provider's key, issuer and audience. */
  public static void register(DynamicPropertyRegistry registry) {
    registry.add("spring.security.oauth2.resourceserver.jwt.issuer-uri", () -> ISSUER);
    registry.add("spring.security.oauth2.resourceserver.jwt.audiences", () -> AUDIENCE);
    registry.add(
        "spring.security.oauth2.resourceserver.jwt.public-key-location",
        () -> PUBLIC_KEY.toUri().toString());
  }

  /** The same settings as {@code key=value} lines, for {@code @TestPropertySource}. */
  public static String[] properties() {
    return new String[] {
      "spring.security.oauth2.resourceserver.jwt.issuer-uri=" + ISSUER,
      "spring.security.oauth2.resourceserver.jwt.audiences=" + AUDIENCE,
      "spring.security.oauth2.resourceserver.jwt.public-key-location=" + PUBLIC_KEY.toUri()
    };
  }

  /** An SRE of {@code tenant}, valid for an hour. */
  public static String sre(String tenant) {
    return caller("sre-of-" + tenant).tenant(tenant).roles("sre").sign();
  }

  /** A token for {@code subject}, to be completed. */
  public static Token caller(String subject) {
    return new Token(subject);
  }

  /** A token being written: claims, then {@link #sign()} or a hostile variant. */
  public static final class Token {
    private final Map<String, Object> claims = new LinkedHashMap<>();
    private Instant expiresAt = Instant.now().plus(Duration.ofHours(1));
    private String issuer = ISSUER;
    private List<String> audience = List.of(AUDIENCE);

    private Token(String subject) {
      claims.put("sub", subject);
    }

    public Token tenant(String tenant) {
      return claim("tenant_id", tenant);
    }

    public Token roles(String... roles) {
      return claim("roles", List.of(roles));
    }

    public Token courses(String... courses) {
      return claim("course_ids", List.of(courses));
    }

    public Token name(String name) {
      return claim("name", name);
    }

    /** Any claim, or none with a null value. */
    public Token claim(String name, Object value) {
      if (value == null) {
        claims.remove(name);
      } else {
        claims.put(name, value);
      }
      return this;
    }

    public Token expiresAt(Instant at) {
      this.expiresAt = at;
      return this;
    }

    public Token expiresIn(Duration d) {
      return expiresAt(Instant.now().plus(d));
    }

    public Token issuer(String issuer) {
      this.issuer = issuer;
      return this;
    }

    public Token audience(String... audience) {
      this.audience = List.of(audience);
      return this;
    }

    /** Signed with the trusted key (RS256). */
    public String sign() {
      return signWith(KEY);
    }

    /** Signed with a key serving-api does not know. */
    public String signedByAnotherKey() {
      return signWith(OTHER_KEY);
    }

    /** Unsigned: {@code alg: none}. */
    public String unsigned() {
      return new PlainJWT(claimsSet()).serialize();
    }

    /** Signed, then one claim's value changed in the payload (the signature no longer holds). */
    public String tampered(String claim, Object value) {
      String[] parts = sign().split("\\.");
      Map<String, Object> forged = new LinkedHashMap<>(claimsSet().toJSONObject());
      forged.put(claim, value);
      String payload =
          Base64.getUrlEncoder()
              .withoutPadding()
              .encodeToString(
                  com.nimbusds.jose.util.JSONObjectUtils.toJSONString(forged)
                      .getBytes(StandardCharsets.UTF_8));
      return parts[0] + "." + payload + "." + parts[2];
    }

    private String signWith(KeyPair key) {
      SignedJWT jwt =
          new SignedJWT(
              new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("test").build(), claimsSet());
      try {
        jwt.sign(new RSASSASigner((RSAPrivateKey) key.getPrivate()));
      } catch (JOSEException e) {
        throw new IllegalStateException(e);
      }
      return jwt.serialize();
    }

    private JWTClaimsSet claimsSet() {
      JWTClaimsSet.Builder b = new JWTClaimsSet.Builder();
      claims.forEach(b::claim);
      if (issuer != null) {
        b.issuer(issuer);
      }
      if (audience != null) {
        b.audience(new ArrayList<>(audience));
      }
      if (expiresAt != null) {
        b.expirationTime(Date.from(expiresAt));
      }
      b.issueTime(new Date()).jwtID(UUID.randomUUID().toString());
      return b.build();
    }

    public Token withoutExpiry() {
      this.expiresAt = null;
      return this;
    }
  }

  private static KeyPair rsa() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      return generator.generateKeyPair();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Path writePublicKey() {
    try {
      Path file = Files.createTempFile("pulse-test-idp-", ".pem");
      file.toFile().deleteOnExit();
      String pem =
          "-----BEGIN PUBLIC KEY-----\n"
              + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                  .encodeToString(KEY.getPublic().getEncoded())
              + "\n-----END PUBLIC KEY-----\n";
      Files.writeString(file, pem);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
