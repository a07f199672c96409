package dev.pulse.events.codec;

/**
 * Text that is always valid Unicode, for messages and stored strings: shortened only between code
 * points, and with any unpaired UTF-16 surrogate replaced. A string cut through a surrogate pair
 * has no UTF-8 form, and one such dead-letter message used to make the ClickHouse writer fail the
 * job on every restore.
 */
public final class Text {

  /** U+FFFD, what a lone surrogate becomes. */
  public static final char REPLACEMENT = '\uFFFD';

  private Text() {}

  /**
   * {@code s} if it has at most {@code maxChars} UTF-16 units, else its longest prefix of whole
   * code points within that many units followed by "...".
   */
  public static String shorten(String s, int maxChars) {
    if (s.length() <= maxChars) {
      return s;
    }
    int end = maxChars;
    if (end > 0 && Character.isHighSurrogate(s.charAt(end - 1))) {
      end--; // the pair's second half is past the limit: leave the whole character out
    }
    return s.substring(0, end) + "...";
  }

  /** {@code s} with every unpaired surrogate replaced by {@link #REPLACEMENT}; s itself if none. */
  public static String wellFormed(String s) {
    StringBuilder out = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!Character.isSurrogate(c)) {
        continue;
      }
      if (Character.isHighSurrogate(c)
          && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
        continue;
      }
      if (out == null) {
        out = new StringBuilder(s);
      }
      out.setCharAt(i, REPLACEMENT);
    }
    return out == null ? s : out.toString();
  }
}
