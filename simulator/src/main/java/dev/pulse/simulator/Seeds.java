package dev.pulse.simulator;

import java.util.SplittableRandom;
import java.util.UUID;

/**
 * Derivation of independent random streams from the one configured seed, and the random-number
 * helpers every generator uses.
 *
 * <p>Each domain and entity gets its own stream derived from (seed, label, ids), so adding a domain
 * or an entity never shifts the numbers another one draws. Only StrictMath is used, so the same
 * seed gives the same bytes on every JVM and CPU.
 */
final class Seeds {

  private Seeds() {}

  /** The SplitMix64 finalizer: a bijective, well-mixing 64-bit hash. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  /** A seed for the stream named by {@code label} and {@code ids} under {@code seed}. */
  static long derive(long seed, String label, long... ids) {
    long h = mix(seed + 0x9E3779B97F4A7C15L);
    for (int i = 0; i < label.length(); i++) {
      h = mix(h ^ label.charAt(i));
    }
    for (long id : ids) {
      h = mix(h + 0x9E3779B97F4A7C15L ^ id);
    }
    return h;
  }

  static SplittableRandom random(long seed, String label, long... ids) {
    return new SplittableRandom(derive(seed, label, ids));
  }

  /** A version-4-shaped UUID drawn from {@code r} (never from the OS's entropy). */
  static String uuid(SplittableRandom r) {
    long hi = (r.nextLong() & ~0xF000L) | 0x4000L;
    long lo = (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(hi, lo).toString();
  }

  /** 32 lowercase hex digits, as a W3C trace id. */
  static String traceId(SplittableRandom r) {
    return String.format("%016x%016x", r.nextLong(), r.nextLong());
  }

  static boolean chance(SplittableRandom r, double p) {
    return r.nextDouble() < p;
  }

  /** A standard normal deviate (Box-Muller; our own so the algorithm never changes under us). */
  static double gaussian(SplittableRandom r) {
    double u1 = 1.0 - r.nextDouble(); // (0, 1]: log stays finite
    double u2 = r.nextDouble();
    return StrictMath.sqrt(-2.0 * StrictMath.log(u1)) * StrictMath.cos(2.0 * StrictMath.PI * u2);
  }

  /** Log-normal with the given median and log-space standard deviation. */
  static double logNormal(SplittableRandom r, double median, double sigma) {
    return median * StrictMath.exp(sigma * gaussian(r));
  }

  static double exponential(SplittableRandom r, double mean) {
    return -mean * StrictMath.log(1.0 - r.nextDouble());
  }

  /** Uniform in [lo, hi). */
  static long between(SplittableRandom r, long lo, long hi) {
    return lo + r.nextLong(hi - lo);
  }

  /** An index drawn in proportion to {@code weights}. */
  static int pick(SplittableRandom r, double[] weights) {
    double total = 0;
    for (double w : weights) {
      total += w;
    }
    double x = r.nextDouble() * total;
    for (int i = 0; i < weights.length; i++) {
      x -= weights[i];
      if (x < 0) {
        return i;
      }
    }
    return weights.length - 1;
  }
}
