package dev.pulse.flink.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Reading a rollup view's query as 18.16 prints it, and narrowing it to one batch's rows. */
class RollupLedgerTest {

  /** {@code system.tables.create_table_query} of a view, as ClickHouse 18.16.1 prints it. */
  private static final String CREATE =
      "CREATE MATERIALIZED VIEW pulse.api_request_hours_mv TO pulse.api_request_hours ( tenant_id"
          + " String,  hour DateTime,  requests AggregateFunction(sum, UInt64)) AS SELECT"
          + " tenant_id, toStartOfHour(minute, 'UTC') AS hour, sumState(requests) AS requests"
          + " FROM pulse.api_request_minutes  GROUP BY tenant_id, hour";

  @Test
  void theViewsTargetAndQueryAreReadFromItsCreateQuery() {
    RollupLedger.Rollup r = RollupLedger.parse("api_request_hours_mv", CREATE);
    assertThat(r.target()).isEqualTo("pulse.api_request_hours");
    assertThat(r.select())
        .startsWith("SELECT tenant_id, toStartOfHour(minute, 'UTC') AS hour")
        .endsWith("GROUP BY tenant_id, hour");
  }

  @Test
  void theSourceIsReplacedByTheBatchsRowsOnly() {
    String select = RollupLedger.parse("v", CREATE).select();
    assertThat(
            RollupLedger.replaceSource(
                select, "pulse", "api_request_minutes", "(SELECT * FROM x WHERE b = 1)"))
        .isEqualTo(
            "SELECT tenant_id, toStartOfHour(minute, 'UTC') AS hour, sumState(requests) AS requests"
                + " FROM (SELECT * FROM x WHERE b = 1)  GROUP BY tenant_id, hour");
    assertThat(
            RollupLedger.replaceSource(
                "SELECT a FROM `pulse`.`api_request_minutes`",
                "pulse",
                "api_request_minutes",
                "(r)"))
        .isEqualTo("SELECT a FROM (r)");
  }

  @Test
  void aQueryThatReadsTheSourceTwiceOrNotAtAllIsRefused() {
    assertThatThrownBy(
            () ->
                RollupLedger.replaceSource(
                    "SELECT a FROM pulse.m WHERE a IN (SELECT a FROM pulse.m)",
                    "pulse",
                    "m",
                    "(r)"))
        .hasMessageContaining("more than once");
    assertThatThrownBy(
            () -> RollupLedger.replaceSource("SELECT a FROM pulse.mm", "pulse", "m", "(r)"))
        .hasMessageContaining("does not read");
    assertThatThrownBy(() -> RollupLedger.parse("v", "CREATE VIEW pulse.v AS SELECT 1"))
        .hasMessageContaining("not a materialized view writing to a table");
  }
}
