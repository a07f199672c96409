package dev.pulse.launcher;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The demo's identity provider: an RSA key made at start (never stored: a restart invalidates every
 * link), whose public key serving-api trusts exactly as it would trust an OIDC provider's (issuer,
 * audience, signature, expiry), and short-lived signed tokens for the demo people.
 */
final class DemoIdentity {

  static final String ISSUER = "urn:pulse:demo";
  static final String AUDIENCE = "pulse-api";

  /** A demo person: who they are and what their token says they may see. */
  record Person(
      String subject, String name, String tenant, List<String> roles, List<String> courses) {}

  private final KeyPair key;
  private final Path publicKey;
  private final Duration lifetime;

  private DemoIdentity(KeyPair key, Path publicKey, Duration lifetime) {
    this.key = key;
    this.publicKey = publicKey;
    this.lifetime = lifetime;
  }

  /** A new key; its public half is written (PEM) under {@code dir} for serving-api to read. */
  static DemoIdentity create(Path dir, Duration lifetime) throws IOException {
    KeyPair key;
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      key = generator.generateKeyPair();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    Files.createDirectories(dir);
    Path file = dir.resolve("demo-signing-key.pub.pem");
    Files.writeString(
        file,
        "-----BEGIN PUBLIC KEY-----\n"
            + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(key.getPublic().getEncoded())
            + "\n-----END PUBLIC KEY-----\n");
    return new DemoIdentity(key, file, lifetime);
  }

  /** serving-api's settings that make it trust this provider (and only it). */
  Map<String, String> apiProperties() {
    return Map.of(
        "spring.security.oauth2.resourceserver.jwt.issuer-uri", ISSUER,
        "spring.security.oauth2.resourceserver.jwt.audiences", AUDIENCE,
        "spring.security.oauth2.resourceserver.jwt.public-key-location",
            publicKey.toUri().toString());
  }

  Duration lifetime() {
    return lifetime;
  }

  /** A signed token for {@code person}, valid from now for the configured lifetime. */
  String token(Person person) {
    Instant now = Instant.now();
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .issuer(ISSUER)
            .audience(AUDIENCE)
            .subject(person.subject())
            .claim("name", person.name())
            .claim("tenant_id", person.tenant())
            .claim("roles", person.roles())
            .claim("course_ids", person.courses())
            .issueTime(Date.from(now))
            .expirationTime(Date.from(now.plus(lifetime)))
            .jwtID(UUID.randomUUID().toString())
            .build();
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).build(), claims);
    try {
      jwt.sign(new RSASSASigner((RSAPrivateKey) key.getPrivate()));
    } catch (JOSEException e) {
      throw new IllegalStateException("signing a demo token failed", e);
    }
    return jwt.serialize();
  }
}
