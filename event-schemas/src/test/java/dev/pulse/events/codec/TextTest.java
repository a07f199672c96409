package dev.pulse.events.codec;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TextTest {

  private static final String EMOJI = "\uD83D\uDE00"; // U+1F600: a high and a low surrogate

  @Test
  void shorteningNeverSplitsASurrogatePair() {
    // The emoji takes units 63 and 64: a cut after 64 units would keep only its high half.
    String s = "a".repeat(63) + EMOJI + "b";
    assertThat(Text.shorten(s, 64)).isEqualTo("a".repeat(63) + "...");
    // At 62-63 it fits whole within 64 units.
    String fits = "a".repeat(62) + EMOJI + "bb";
    assertThat(Text.shorten(fits, 64)).isEqualTo("a".repeat(62) + EMOJI + "...");
  }

  @Test
  void shortStringsAreReturnedAsTheyAre() {
    String s = "a".repeat(63) + EMOJI;
    assertThat(Text.shorten(s, 65)).isSameAs(s);
  }

  @Test
  void loneSurrogatesBecomeTheReplacementCharacterAndPairsStay() {
    assertThat(Text.wellFormed("x\uD83Dy")).isEqualTo("x\uFFFDy");
    assertThat(Text.wellFormed("\uDE00" + EMOJI + "\uD83D")).isEqualTo("\uFFFD" + EMOJI + "\uFFFD");
    String clean = "plain " + EMOJI;
    assertThat(Text.wellFormed(clean)).isSameAs(clean);
  }
}
