package io.github.tfloop.weights;

import java.util.zip.CRC32C;

/** CRC-32C as TensorFlow's tables and checkpoints store it: masked (LevelDB's convention). */
final class Crc32c {

  private static final int MASK_DELTA = 0xa282ead8;

  private Crc32c() {}

  /** The CRC-32C of {@code length} bytes of {@code data} from {@code offset}. */
  static int of(byte[] data, int offset, int length) {
    CRC32C crc = new CRC32C();
    crc.update(data, offset, length);
    return (int) crc.getValue();
  }

  /** The stored form of {@code crc}: rotated right by 15 bits, plus a constant. */
  static int mask(int crc) {
    return ((crc >>> 15) | (crc << 17)) + MASK_DELTA;
  }

  /** The CRC a masked one stands for. */
  static int unmask(int masked) {
    int rotated = masked - MASK_DELTA;
    return (rotated >>> 17) | (rotated << 15);
  }
}
