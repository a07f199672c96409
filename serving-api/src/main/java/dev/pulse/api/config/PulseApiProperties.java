package dev.pulse.api.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.time.Duration;
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
 * @param devTokens development identity: bearer token to tenant id ({@code
 *     pulse.dev-tokens.<token>=<tenant>})
 * @param live how subscriptions poll for new minutes
 * @param limits what one query may ask for
 */
@Validated
@ConfigurationProperties(prefix = "pulse")
public record PulseApiProperties(
    @Valid @NotNull ClickHouse clickhouse,
    @NotEmpty(
            message =
                "at least one development token is needed, e.g. pulse.dev-tokens.demo-token=demo-tenant")
        Map<@NotBlank String, @NotBlank String> devTokens,
    @Valid @NotNull @DefaultValue Live live,
    @Valid @NotNull @DefaultValue Limits limits) {

  /**
   * The ClickHouse HTTP interface serving-api reads.
   *
   * @param url e.g. {@code http://127.0.0.1:8123}
   * @param user user name ({@code default} unless set)
   * @param password password (empty unless set)
   * @param database the database the migrations built
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
          String database) {}

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
   * @param maxQueryComplexity most fields one query may select, aliases included: a query that
   *     repeats a series under many aliases would otherwise send as many queries to ClickHouse
   */
  public record Limits(
      @Min(1) @Max(100_000) @DefaultValue("1500") int maxPoints,
      @Min(1) @Max(3660) @DefaultValue("400") int maxRangeDays,
      @Min(1) @Max(10_000) @DefaultValue("256") int maxArgumentLength,
      @Min(3) @Max(100) @DefaultValue("15") int maxQueryDepth,
      @Min(10) @Max(100_000) @DefaultValue("300") int maxQueryComplexity) {}
}
