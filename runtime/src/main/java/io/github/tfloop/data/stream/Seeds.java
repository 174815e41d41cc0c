package io.github.tfloop.data.stream;

/**
 * The streams' random numbers: SplitMix64's mixing function applied to a counter, so that a draw
 * depends only on the seed and the draw's number, and a resumed epoch can recompute any of them.
 */
final class Seeds {

  private static final long GOLDEN = 0x9E3779B97F4A7C15L;

  private Seeds() {}

  /** SplitMix64's finaliser: a bijection of 64-bit values that scatters every input bit. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** The seed of one epoch's stream, from the loop's seed and the epoch's number. */
  static long epoch(long seed, int epoch, long purpose) {
    return mix(mix(seed ^ purpose) + epoch * GOLDEN);
  }

  /** Draw {@code n} of {@code seed}, an int in [0, bound). */
  static int draw(long seed, long n, int bound) {
    long bits = mix(seed + (n + 1) * GOLDEN) >>> 33; // 31 random bits
    return (int) ((bits * bound) >>> 31);
  }
}
