package dev.pulse.clickhouse.facts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.clickhouse.ClickHouse;
import dev.pulse.clickhouse.SqlLiteral;
import dev.pulse.testing.ClickHouseExtension;
import dev.pulse.testing.TestClickHouse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The API request fact tables built by the production migrations on the real 18.16 server: minute
 * rows roll up into exact hour and day aggregates (including sumMapState histograms), before and
 * after merges, and each rollup view's columns match its target table.
 */
@ExtendWith(ClickHouseExtension.class)
class ApiRequestRollupsIT {

  private static ClickHouse db;

  @BeforeAll
  static void migrate(TestClickHouse ch) {
    db = ch.migratedDatabase();
  }

  /**
   * A minute row of tenant t-roll, service courses, endpoint /x, GET, eu-west at the given UTC
   * minute.
   */
  private static String minuteRow(
      String minute,
      long requests,
      long e5xx,
      long e4xx,
      long sumUs,
      long maxUs,
      String buckets,
      String counts,
      String under,
      String batch) {
    return "{\"tenant_id\":\"t-roll\",\"service\":\"courses\",\"endpoint\":\"/x\",\"method\":\"GET\",\"region\":\"eu-west\","
        + "\"minute\":\""
        + minute
        + "\",\"requests\":"
        + requests
        + ",\"errors_5xx\":"
        + e5xx
        + ",\"errors_4xx\":"
        + e4xx
        + ",\"latency_sum_us\":"
        + sumUs
        + ",\"latency_max_us\":"
        + maxUs
        + ",\"latency_buckets\":"
        + buckets
        + ",\"latency_counts\":"
        + counts
        + ",\"threshold_us\":[100000,300000],\"under_threshold\":"
        + under
        + ",\"batch_id\":\""
        + batch
        + "\"}";
  }

  @Test
  void hourAndDayRollupsEqualTheHandSummedMinuteRowsBeforeAndAfterMerges() {
    // Hour 10: two minutes in one insert, then a late delta row for 10:01 in a second insert (one
    // slow request).
    db.insertJsonEachRow(
        "api_request_minutes",
        List.of(
            minuteRow("2024-03-05 10:01:00", 3, 1, 1, 900, 500, "[10,20]", "[2,1]", "[3,3]", "b1"),
            minuteRow(
                "2024-03-05 10:02:00", 2, 0, 1, 400, 250, "[10,30]", "[1,1]", "[2,2]", "b1")));
    db.insertJsonEachRow(
        "api_request_minutes",
        List.of(
            minuteRow(
                "2024-03-05 10:01:00", 1, 0, 0, 700_000, 700_000, "[40]", "[1]", "[0,0]", "b2")));
    // Hour 11 of the same day, third insert.
    db.insertJsonEachRow(
        "api_request_minutes",
        List.of(
            minuteRow("2024-03-05 11:05:00", 4, 2, 0, 2000, 800, "[20]", "[4]", "[4,4]", "b3")));

    // Worked by hand from the rows above:
    // 10h: requests 3+2+1=6, 5xx 1, 4xx 2, sum 900+400+700000=701300, max 700000,
    //      buckets {10:2+1, 20:1, 30:1, 40:1}, under {100000:3+2+0, 300000:3+2+0}
    // 11h: requests 4, 5xx 2, 4xx 0, sum 2000, max 800, buckets {20:4}, under {100000:4, 300000:4}
    // day: requests 10, 5xx 3, 4xx 2, sum 703300, max 700000, buckets {10:3, 20:5, 30:1, 40:1},
    // under {9, 9}
    Map<String, String> hours = new LinkedHashMap<>();
    hours.put(
        "2024-03-05 10:00:00",
        "6\t1\t2\t701300\t700000\t([10,20,30,40],[3,1,1,1])\t([100000,300000],[5,5])");
    hours.put("2024-03-05 11:00:00", "4\t2\t0\t2000\t800\t([20],[4])\t([100000,300000],[4,4])");
    String day =
        "2024-03-05\t10\t3\t2\t703300\t700000\t([10,20,30,40],[3,5,1,1])\t([100000,300000],[9,9])";

    assertThat(hourRollup()).isEqualTo(hours);
    assertThat(dayRollup()).containsExactly(day);

    db.execute("OPTIMIZE TABLE api_request_hours FINAL");
    db.execute("OPTIMIZE TABLE api_request_days FINAL");
    assertThat(hourRollup()).isEqualTo(hours);
    assertThat(dayRollup()).containsExactly(day);
    // The merge really folded the states: one stored row per key and hour, per key and day.
    assertThat(
            db.queryText("SELECT count() FROM api_request_hours WHERE tenant_id = 't-roll'").trim())
        .isEqualTo("2");
    assertThat(
            db.queryText("SELECT count() FROM api_request_days WHERE tenant_id = 't-roll'").trim())
        .isEqualTo("1");
  }

  @Test
  void hourAndDayFollowUtcWhateverTheSessionTimeZone() {
    // 23:30 UTC on the 5th is the 6th in Tokyo; the rollups must still file it under the UTC hour
    // and day.
    db.insertJsonEachRow(
        "api_request_minutes",
        List.of(
            "{\"tenant_id\":\"t-utc\",\"service\":\"s\",\"endpoint\":\"/\",\"method\":\"GET\",\"region\":\"\","
                + "\"minute\":1709681400,\"requests\":1,\"errors_5xx\":0,\"errors_4xx\":0,\"latency_sum_us\":5,"
                + "\"latency_max_us\":5,\"latency_buckets\":[1],\"latency_counts\":[1],\"threshold_us\":[],"
                + "\"under_threshold\":[],\"batch_id\":\"u\"}"));
    assertThat(
            db.queryText(
                "SELECT toUnixTimestamp(hour), toString(day_of) FROM (SELECT hour, toDate(hour, 'UTC') AS day_of "
                    + "FROM api_request_hours WHERE tenant_id = 't-utc') FORMAT TabSeparated"))
        .isEqualTo("1709679600\t2024-03-05\n");
    assertThat(
            db.queryText(
                "SELECT toString(day) FROM api_request_days WHERE tenant_id = 't-utc' FORMAT TabSeparated"))
        .isEqualTo("2024-03-05\n");
  }

  @Test
  void theEndpointDirectoryHoldsEachEndpointAndMethodOnceWithTheLastDayItServed() {
    db.insertJsonEachRow(
        "api_request_minutes",
        List.of(
            endpointRow("t-dir", "/a", "GET", "2024-01-10 23:59:00"),
            endpointRow("t-dir", "/a", "POST", "2024-02-01 00:00:00"),
            endpointRow("t-dir", "/a", "GET", "2024-01-09 12:00:00")));
    // Later days of /a GET in a second insert, an earlier one in a third; another tenant's /a.
    db.insertJsonEachRow(
        "api_request_minutes",
        List.of(
            endpointRow("t-dir", "/a", "GET", "2024-03-02 00:01:00"),
            endpointRow("t-dir", "/b", "GET", "2024-01-10 08:00:00")));
    db.insertJsonEachRow(
        "api_request_minutes",
        List.of(
            endpointRow("t-dir", "/a", "GET", "2024-02-20 10:00:00"),
            endpointRow("t-dir-other", "/a", "PUT", "2024-05-01 10:00:00")));

    String expected = "/a\tGET\t2024-03-02\n/a\tPOST\t2024-02-01\n/b\tGET\t2024-01-10\n";
    assertThat(endpoints("FINAL")).isEqualTo(expected);
    db.execute("OPTIMIZE TABLE api_endpoints FINAL");
    // The merge kept one row per endpoint and method, the latest day's.
    assertThat(endpoints("")).isEqualTo(expected);
  }

  private static String endpointRow(String tenant, String endpoint, String method, String minute) {
    return "{\"tenant_id\":\""
        + tenant
        + "\",\"service\":\"courses\",\"endpoint\":\""
        + endpoint
        + "\",\"method\":\""
        + method
        + "\",\"region\":\"eu-west\",\"minute\":\""
        + minute
        + "\",\"requests\":1,\"batch_id\":\"dir\"}";
  }

  private static String endpoints(String fin) {
    return db.queryText(
        "SELECT endpoint, method, toString(last_day) FROM api_endpoints "
            + fin
            + " WHERE tenant_id = 't-dir' AND service = 'courses' ORDER BY endpoint, method"
            + " FORMAT TabSeparated");
  }

  @Test
  void eachRollupViewSelectsExactlyItsTargetTablesColumns() {
    assertThat(columns("api_request_hours_mv")).isEqualTo(columns("api_request_hours"));
    assertThat(columns("api_request_days_mv")).isEqualTo(columns("api_request_days"));
    assertThat(columns("api_endpoints_mv")).isEqualTo(columns("api_endpoints"));
    // And the rollups carry every key column of the minute table.
    assertThat(columns("api_request_hours"))
        .containsKeys("tenant_id", "service", "endpoint", "method", "region");
  }

  private Map<String, String> hourRollup() {
    Map<String, String> out = new LinkedHashMap<>();
    for (String line :
        db.queryText(
                "SELECT toString(hour, 'UTC'), sumMerge(requests), sumMerge(errors_5xx), sumMerge(errors_4xx), "
                    + "sumMerge(latency_sum_us), maxMerge(latency_max_us), sumMapMerge(latency_hist), sumMapMerge(under_threshold) "
                    + "FROM api_request_hours WHERE tenant_id = 't-roll' GROUP BY hour ORDER BY hour FORMAT TabSeparated")
            .split("\n")) {
      if (!line.isEmpty()) {
        String[] parts = line.split("\t", 2);
        out.put(parts[0], parts[1]);
      }
    }
    return out;
  }

  private List<String> dayRollup() {
    return List.of(
        db.queryText(
                "SELECT toString(day), sumMerge(requests), sumMerge(errors_5xx), sumMerge(errors_4xx), "
                    + "sumMerge(latency_sum_us), maxMerge(latency_max_us), sumMapMerge(latency_hist), sumMapMerge(under_threshold) "
                    + "FROM api_request_days WHERE tenant_id = 't-roll' GROUP BY day ORDER BY day FORMAT TabSeparated")
            .trim()
            .split("\n"));
  }

  /**
   * name -> type, with DateTime's time-zone parameter dropped (a view's toStartOfHour(x, 'UTC') is
   * DateTime('UTC')).
   */
  private Map<String, String> columns(String table) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String line :
        db.queryText(
                "SELECT name, type FROM system.columns WHERE database = currentDatabase() AND table = "
                    + SqlLiteral.string(table)
                    + " ORDER BY name FORMAT TabSeparated")
            .split("\n")) {
      if (!line.isEmpty()) {
        String[] parts = line.split("\t");
        out.put(parts[0], parts[1].replaceAll("DateTime\\(\\\\'[^\\\\]*\\\\'\\)", "DateTime"));
      }
    }
    return out;
  }
}
