package dev.pulse.clickhouse;

/**
 * Strings that have no UTF-8 form: ClickHouse stores bytes, and an unpaired UTF-16 surrogate would
 * be encoded as '?' (a value nobody sent), so writers and argument checks refuse it.
 */
public final class Utf16 {

  private Utf16() {}

  /** The index of the first unpaired surrogate in {@code s}, or -1 when every one is paired. */
  public static int unpairedSurrogateAt(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c)
            && i + 1 < s.length()
            && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++; // a pair: one code point outside the BMP
        } else {
          return i;
        }
      }
    }
    return -1;
  }
}
