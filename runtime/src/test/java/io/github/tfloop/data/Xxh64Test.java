package io.github.tfloop.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * XXH64 against values printed by the reference implementation ({@code xxhsum -H1}, xxHash 0.8.1),
 * and each typed version against the byte version on the same little-endian bytes.
 */
class Xxh64Test {

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  /** The bytes 0, 1, ..., 255 three times, then 0 to 36: 805 bytes. */
  private static byte[] counting(int length) {
    byte[] bytes = new byte[805];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) i;
    }
    return Arrays.copyOf(bytes, length);
  }

  @Test
  void bytesMatchTheReferenceImplementation() {
    assertEquals(0xef46db3751d8e999L, Xxh64.hash(new byte[0]));
    assertEquals(0xd24ec4f1a98c6e5bL, Xxh64.hash(ascii("a")));
    assertEquals(0x44bc2cf5ad770999L, Xxh64.hash(ascii("abc")));
    assertEquals(0xdde0ef85e3aef05cL, Xxh64.hash(counting(36)));
    assertEquals(0x00a396ef1679a859L, Xxh64.hash(counting(39)));
    assertEquals(0x6ac1e58032166597L, Xxh64.hash(counting(100)));
    assertEquals(0x01532e07f9468316L, Xxh64.hash(counting(805)));
  }

  @Test
  void floatsAreHashedAsTheirLittleEndianBytes() {
    // xxhsum -H1 of struct.pack('<9f', 0.5, -1, 3e9, nan, 7, 8, -0.0, 1e-30, 42)
    float[] values = {0.5f, -1, 3e9f, Float.NaN, 7, 8, -0.0f, 1e-30f, 42};
    assertEquals(0x62761bcbd7f6993eL, Xxh64.hash(values));
  }

  @Test
  void everyTypedVersionEqualsTheByteVersion() {
    SplittableRandom random = new SplittableRandom(12);
    for (int n = 0; n <= 41; n++) {
      float[] floats = new float[n];
      int[] ints = new int[n];
      long[] longs = new long[n];
      double[] doubles = new double[n];
      for (int i = 0; i < n; i++) {
        floats[i] = (float) random.nextGaussian();
        ints[i] = random.nextInt();
        longs[i] = random.nextLong();
        doubles[i] = random.nextGaussian();
      }
      ByteBuffer f = little(4 * n);
      f.asFloatBuffer().put(floats);
      assertEquals(Xxh64.hash(f.array()), Xxh64.hash(floats), "floats, n=" + n);
      ByteBuffer i = little(4 * n);
      i.asIntBuffer().put(ints);
      assertEquals(Xxh64.hash(i.array()), Xxh64.hash(ints), "ints, n=" + n);
      ByteBuffer l = little(8 * n);
      l.asLongBuffer().put(longs);
      assertEquals(Xxh64.hash(l.array()), Xxh64.hash(longs), "longs, n=" + n);
      ByteBuffer d = little(8 * n);
      d.asDoubleBuffer().put(doubles);
      assertEquals(Xxh64.hash(d.array()), Xxh64.hash(doubles), "doubles, n=" + n);
    }
  }

  private static ByteBuffer little(int bytes) {
    return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
  }
}
