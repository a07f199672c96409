package dev.pulse.api.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import graphql.GraphQLContext;
import graphql.execution.CoercedVariables;
import graphql.language.IntValue;
import graphql.language.StringValue;
import graphql.schema.Coercing;
import graphql.schema.CoercingParseLiteralException;
import graphql.schema.CoercingParseValueException;
import graphql.schema.CoercingSerializeException;
import java.math.BigInteger;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** The DateTime and Long scalars as clients see them: the wire form stays what it was. */
class ScalarsTest {

  private static final GraphQLContext CONTEXT = GraphQLContext.getDefault();
  private static final Locale LOCALE = Locale.ROOT;

  @SuppressWarnings("unchecked")
  private static final Coercing<Instant, String> DATE_TIME =
      (Coercing<Instant, String>) GraphQlConfig.DATE_TIME.getCoercing();

  @SuppressWarnings("unchecked")
  private static final Coercing<Long, Long> LONG =
      (Coercing<Long, Long>) GraphQlConfig.LONG.getCoercing();

  private static Instant parse(String s) {
    return DATE_TIME.parseValue(s, CONTEXT, LOCALE);
  }

  @Test
  void dateTimeIsServedInUtcWithZAndNoFractionForWholeSeconds() {
    assertThat(DATE_TIME.serialize(Instant.parse("2026-03-02T09:00:00Z"), CONTEXT, LOCALE))
        .isEqualTo("2026-03-02T09:00:00Z");
    // As Instant.toString(): a fraction only when there is one (served times are whole seconds).
    assertThat(DATE_TIME.serialize(Instant.parse("2026-03-02T09:00:00.250Z"), CONTEXT, LOCALE))
        .isEqualTo("2026-03-02T09:00:00.250Z");
    assertThatThrownBy(() -> DATE_TIME.serialize("2026-03-02T09:00:00Z", CONTEXT, LOCALE))
        .isInstanceOf(CoercingSerializeException.class);
    assertThatThrownBy(() -> DATE_TIME.serialize(OffsetDateTime.now(), CONTEXT, LOCALE))
        .isInstanceOf(CoercingSerializeException.class);
  }

  @Test
  void dateTimeInputWithAnyOffsetBecomesTheSameInstant() {
    Instant nine = Instant.parse("2026-03-02T09:00:00Z");
    assertThat(parse("2026-03-02T09:00:00Z")).isEqualTo(nine);
    assertThat(parse("2026-03-02T11:00:00+02:00")).isEqualTo(nine);
    assertThat(parse("2026-03-02T04:00:00-05:00")).isEqualTo(nine);
    assertThat(parse("2026-03-02T09:00Z")).isEqualTo(nine);
    assertThat(parse("2026-03-02t09:00:00z")).isEqualTo(nine);
    assertThat(parse("2026-03-02T09:00:00.5Z")).isEqualTo(nine.plusMillis(500));
    assertThat(
            DATE_TIME.parseLiteral(
                StringValue.of("2026-03-02T10:00:00+01:00"),
                CoercedVariables.emptyVariables(),
                CONTEXT,
                LOCALE))
        .isEqualTo(nine);
  }

  @Test
  void malformedDateTimesAreRefusedWithAMessageSayingWhatIsExpected() {
    for (String bad :
        new String[] {
          "2026-03-02 09:00",
          "2026-03-02T09:00:00",
          "2026-03-02",
          "yesterday",
          "",
          "2026-02-30T09:00:00Z",
          "2026-03-02T09:00:00-00:00"
        }) {
      assertThatThrownBy(() -> parse(bad))
          .as(bad)
          .isInstanceOf(CoercingParseValueException.class)
          .hasMessageContaining("ISO-8601")
          .hasMessageContaining("'" + bad + "'");
      assertThatThrownBy(
              () ->
                  DATE_TIME.parseLiteral(
                      StringValue.of(bad), CoercedVariables.emptyVariables(), CONTEXT, LOCALE))
          .as(bad)
          .isInstanceOf(CoercingParseLiteralException.class)
          .hasMessageContaining("ISO-8601");
    }
    assertThatThrownBy(() -> parse("x".repeat(10_000)))
        .hasMessageEndingWith("'" + "x".repeat(64) + "...'");
    assertThatThrownBy(() -> DATE_TIME.parseValue(1_700_000_000, CONTEXT, LOCALE))
        .isInstanceOf(CoercingParseValueException.class)
        .hasMessageContaining("ISO-8601 string");
    assertThatThrownBy(
            () ->
                DATE_TIME.parseLiteral(
                    IntValue.of(1), CoercedVariables.emptyVariables(), CONTEXT, LOCALE))
        .isInstanceOf(CoercingParseLiteralException.class);
  }

  @Test
  void longIsServedAsAJsonNumberBeyondThirtyTwoBits() {
    assertThat(LONG.serialize(5_000_000_000L, CONTEXT, LOCALE)).isEqualTo(5_000_000_000L);
    assertThat(LONG.serialize(0L, CONTEXT, LOCALE)).isEqualTo(0L);
    assertThat(
            LONG.parseLiteral(IntValue.of(7), CoercedVariables.emptyVariables(), CONTEXT, LOCALE))
        .isEqualTo(7L);
    assertThatThrownBy(
            () ->
                LONG.parseLiteral(
                    new IntValue(BigInteger.TWO.pow(64)),
                    CoercedVariables.emptyVariables(),
                    CONTEXT,
                    LOCALE))
        .isInstanceOf(CoercingParseLiteralException.class);
  }
}
