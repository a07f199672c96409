package dev.pulse.clickhouse;

import com.clickhouse.client.api.ServerException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads ClickHouse's own error code out of whatever carried a failure. client-v2 0.11 reports
 * 18.16's errors as a {@link ServerException} whose code may be unset (the HTTP status instead),
 * with the real code only in the text: {@code "Code: 60, e.displayText() = DB::Exception: ..."}
 * (18.16), {@code "Code: 252. DB::Exception: ..."} (current servers).
 */
public final class ClickHouseErrors {

  /** ClickHouse's UNKNOWN_TABLE. */
  public static final int UNKNOWN_TABLE = 60;

  /** ClickHouse's TABLE_ALREADY_EXISTS. */
  public static final int TABLE_ALREADY_EXISTS = 57;

  private static final Pattern SERVER_CODE = Pattern.compile("Code: (\\d+)[.,] ");

  private ClickHouseErrors() {}

  /**
   * The server's error code anywhere in {@code failure}'s cause chain, or 0 when the server did not
   * answer with one (a connection failure, a timeout).
   */
  public static int codeOf(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof ClickHouseException ch && ch.code() != 0) {
        return ch.code();
      }
      if (t.getMessage() != null) {
        Matcher m = SERVER_CODE.matcher(t.getMessage());
        if (m.find()) {
          return Integer.parseInt(m.group(1));
        }
      }
      if (t instanceof ServerException se && se.getCode() > 0) {
        return se.getCode();
      }
    }
    return 0;
  }

  /** True when the server itself answered with an error (as opposed to not being reached). */
  public static boolean serverAnswered(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof ServerException) {
        return true;
      }
    }
    return codeOf(failure) != 0;
  }
}
