package dev.pulse.api.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Everything serving-api reads from configuration ({@code pulse.*} in application.yaml, environment
 * or command line); validated at startup so a bad value stops the application with the property's
 * name.
 *
 * @param clickhouse where the facts are
 * @param security how a verified token's claims name the caller (the token itself is verified by
 *     {@code spring.security.oauth2.resourceserver.jwt.*})
 * @param health how the store's health is checked
 * @param audit where and how the audit trail is written
 * @param live how subscriptions poll for new minutes
 * @param limits what one query may ask for
 * @param slo the SLO metrics and alert notifications
 * @param metrics how Prometheus reads {@code /actuator/prometheus}
 */
@Validated
@ConfigurationProperties(prefix = "pulse")
public record PulseApiProperties(
    @Valid @NotNull ClickHouse clickhouse,
    @Valid @NotNull @DefaultValue Security security,
    @Valid @NotNull @DefaultValue Health health,
    @Valid @NotNull @DefaultValue Audit audit,
    @Valid @NotNull @DefaultValue Live live,
    @Valid @NotNull @DefaultValue Limits limits,
    @Valid @NotNull @DefaultValue Slo slo,
    @Valid @NotNull @DefaultValue Metrics metrics) {

  /**
   * SLOs (docs/slo.md).
   *
   * @param metricsRefresh how often the SLO metrics are read from ClickHouse (a scrape reads the
   *     last values)
   * @param alertmanager where alerts are pushed
   */
  public record Slo(
      @NotNull @DefaultValue("15s") Duration metricsRefresh,
      @Valid @NotNull @DefaultValue Alertmanager alertmanager) {

    /**
     * Alertmanager (docs/slo.md, "Alertmanager").
     *
     * @param urls Alertmanagers to push to (each gets every alert); none: no pushes
     * @param interval how often the current alerts are pushed (Prometheus: 1 min)
     * @param resolvedFor how long a resolved alert is still sent, with its end time
     * @param timeout longest one push may take
     * @param retries retries of a failed push (backoff from 0.5 s, doubling), then the next round
     * @param dashboardUrl the dashboards' address, for each alert's link to its SLO page
     */
    public record Alertmanager(
        @NotNull @DefaultValue List<URI> urls,
        @NotNull @DefaultValue("30s") Duration interval,
        @NotNull @DefaultValue("15m") Duration resolvedFor,
        @NotNull @DefaultValue("5s") Duration timeout,
        @Min(0) @Max(10) @DefaultValue("3") int retries,
        String dashboardUrl) {}
  }

  /**
   * Prometheus's access to {@code /actuator/prometheus}: with a password set, HTTP basic
   * authentication as {@code scrapeUser} (Prometheus's {@code basic_auth}); without, only
   * operators' tokens, as every actuator endpoint.
   *
   * @param flinkRestUrl the Flink cluster's REST address, for the checkpoint-age metric; none: not
   *     published
   */
  public record Metrics(
      @NotBlank @DefaultValue("prometheus") String scrapeUser,
      String scrapePassword,
      URI flinkRestUrl) {}

  /**
   * The ClickHouse HTTP interface serving-api reads.
   *
   * @param url e.g. {@code http://127.0.0.1:8123}
   * @param user user name ({@code default} unless set)
   * @param password password (empty unless set)
   * @param database the database the migrations built
   * @param settings server settings sent with every query, by name (e.g. {@code log_queries: 1},
   *     which records each query with its rows read in {@code system.query_log})
   */
  public record ClickHouse(
      @NotBlank
          @Pattern(
              regexp = "https?://\\S+",
              message = "must be an http(s):// URL of ClickHouse's HTTP interface")
          String url,
      @NotBlank @DefaultValue("default") String user,
      @NotNull @DefaultValue("") String password,
      @NotBlank @Pattern(regexp = "[A-Za-z_][A-Za-z0-9_]*", message = "must be a plain identifier")
          String database,
      @NotNull @DefaultValue
          Map<
                  @Pattern(
                      regexp = "[A-Za-z_][A-Za-z0-9_]*",
                      message = "a setting name must be a plain identifier")
                  String,
                  @NotNull String>
              settings) {}

  /**
   * Sign-in: which claims of a verified token say who the caller is (README, "Sign-in"). A name is
   * a top-level claim, or a dotted path into nested objects ({@code realm_access.roles}).
   *
   * @param claims the claim names
   * @param operatorsSeeAllTenants whether an operator may read another tenant's operational data
   *     (the audit trail), for a deployment whose operators run Pulse for every institution; off by
   *     default, so an operator sees their own tenant only
   */
  public record Security(
      @Valid @NotNull @DefaultValue Claims claims,
      @DefaultValue("false") boolean operatorsSeeAllTenants) {

    /**
     * @param tenant the caller's institution (a string); required
     * @param roles the caller's roles: an array of strings, or one space-separated string
     *     (educator, sre, analyst, operator; case-insensitive; other values ignored)
     * @param courses the courses an educator teaches: an array of course ids
     * @param name a display name (optional; the subject otherwise)
     */
    public record Claims(
        @NotBlank @DefaultValue("tenant_id") String tenant,
        @NotBlank @DefaultValue("roles") String roles,
        @NotBlank @DefaultValue("course_ids") String courses,
        @NotBlank @DefaultValue("name") String name) {}
  }

  /**
   * The audit trail (table {@code pulse_api_audit}): each operation is logged at once (logger
   * {@code pulse.audit}) and written to ClickHouse in batches, with the rows its queries read.
   *
   * @param user ClickHouse user that writes the trail (it needs INSERT on {@code pulse_api_audit}
   *     and SELECT on {@code system.query_log}); the API's own user when not set
   * @param password that user's password
   * @param flushInterval how often batches are written
   * @param rowsReadDelay how long an entry waits before its rows read are looked up: ClickHouse
   *     flushes its query log every 7.5 s by default
   * @param capacity most entries held while ClickHouse cannot take them (then the oldest are
   *     dropped from the table, counted in {@code pulse.api.audit.dropped}; the log has them all)
   */
  public record Audit(
      String user,
      String password,
      @NotNull @DefaultValue("2s") Duration flushInterval,
      @NotNull @DefaultValue("10s") Duration rowsReadDelay,
      @Min(100) @Max(10_000_000) @DefaultValue("100000") int capacity) {}

  /**
   * Health.
   *
   * @param probeInterval how often ClickHouse is probed in the background; health answers from the
   *     last probe, so no health request ever queries the store
   */
  public record Health(@NotNull @DefaultValue("10s") Duration probeInterval) {}

  /**
   * Live updates.
   *
   * @param pollInterval how often each subscription asks ClickHouse for new or amended minutes
   */
  public record Live(@NotNull @DefaultValue("5s") Duration pollInterval) {}

  /**
   * Query limits: a query asking for more is refused with a GraphQL error rather than slowing
   * everyone.
   *
   * @param maxPoints most points one series may hold
   * @param maxRangeDays longest time range one series may cover
   * @param maxArgumentLength longest string argument accepted (service, endpoint, method, region)
   * @param maxQueryDepth deepest field nesting a query may have (GraphiQL's introspection needs 13)
   * @param maxQueryComplexity the most a query may cost: one per field selected, aliases included,
   *     plus the {@code @cost} weight the schema gives each field that reads the store (a query
   *     that repeats a series under many aliases would otherwise send as many queries to
   *     ClickHouse)
   * @param requestsPerSecond operations one caller may start per second, on average, over HTTP, SSE
   *     and WebSocket together
   * @param requestBurst operations one caller may start at once after being idle
   * @param concurrentRequests operations of one caller that may run at the same time
   * @param subscriptionsPerCaller live subscriptions one caller may hold open
   * @param subscriptionsPerServer live subscriptions this server holds open for everyone
   * @param maxRequestBytes largest HTTP request body accepted on the GraphQL path (a document and
   *     its variables); a larger one is answered 413 before it is parsed
   */
  public record Limits(
      @Min(1) @Max(100_000) @DefaultValue("1500") int maxPoints,
      @Min(1) @Max(3660) @DefaultValue("400") int maxRangeDays,
      @Min(1) @Max(10_000) @DefaultValue("256") int maxArgumentLength,
      @Min(3) @Max(100) @DefaultValue("15") int maxQueryDepth,
      @Min(10) @Max(100_000) @DefaultValue("300") int maxQueryComplexity,
      @Min(1) @Max(100_000) @DefaultValue("20") int requestsPerSecond,
      @Min(1) @Max(100_000) @DefaultValue("40") int requestBurst,
      @Min(1) @Max(10_000) @DefaultValue("8") int concurrentRequests,
      @Min(1) @Max(100_000) @DefaultValue("20") int subscriptionsPerCaller,
      @Min(1) @Max(1_000_000) @DefaultValue("2000") int subscriptionsPerServer,
      @Min(1024) @Max(16_777_216) @DefaultValue("65536") int maxRequestBytes) {}
}
