package io.github.tfloop.weights;

import io.airlift.compress.MalformedInputException;
import io.airlift.compress.snappy.SnappyDecompressor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads every key and value of a TensorFlow table file (LevelDB's sorted-table format), which is
 * what a checkpoint's {@code .index} file is: data blocks of prefix-compressed entries followed by
 * restart points, an index block pointing at them, and a 48-byte footer ending in a magic number.
 * Each block's masked CRC-32C is checked; blocks may be Snappy-compressed (TensorFlow 2 writes them
 * so; TensorFlow 1 did not).
 */
final class TableReader {

  /** {@code kTableMagicNumber} of TensorFlow's {@code table_format.h}. */
  static final long MAGIC = 0xdb4775248b80fb57L;

  private static final int FOOTER_LENGTH = 48;
  private static final int TRAILER_LENGTH = 5;
  private static final int UNCOMPRESSED = 0;
  private static final int SNAPPY = 1;

  /** One key and its value, in the order the table holds them (sorted by key). */
  record Entry(byte[] key, byte[] value) {}

  private final Path file;
  private final byte[] bytes;

  private TableReader(Path file, byte[] bytes) {
    this.file = file;
    this.bytes = bytes;
  }

  /** Every entry of the table held in {@code bytes}, read from {@code file}. */
  static List<Entry> read(Path file, byte[] bytes) {
    return new TableReader(file, bytes).entries();
  }

  private List<Entry> entries() {
    if (bytes.length < FOOTER_LENGTH) {
      throw corrupt("is " + bytes.length + " bytes long, too short for a checkpoint index");
    }
    if (littleEndianLong(bytes, bytes.length - 8) != MAGIC) {
      throw corrupt(
          "is not a TensorFlow checkpoint index: it does not end in the table magic number");
    }
    Cursor footer = new Cursor(bytes, bytes.length - FOOTER_LENGTH, bytes.length - 8, "footer");
    footer.varint(); // the metaindex block: TensorFlow writes it empty
    footer.varint();
    long indexOffset = footer.varint();
    long indexSize = footer.varint();
    List<Entry> entries = new ArrayList<>();
    for (Entry pointer : block(indexOffset, indexSize, "index block")) {
      Cursor handle = new Cursor(pointer.value(), 0, pointer.value().length, "index entry");
      long offset = handle.varint();
      long size = handle.varint();
      entries.addAll(block(offset, size, "data block at byte " + offset));
    }
    return entries;
  }

  /** The entries of the block of {@code size} bytes at {@code offset}, its checksum checked. */
  private List<Entry> block(long offset, long size, String what) {
    if (offset < 0 || size < 0 || offset + size + TRAILER_LENGTH > bytes.length) {
      throw corrupt(
          "its " + what + " (" + size + " bytes at " + offset + ") lies outside the file");
    }
    int start = (int) offset;
    int end = (int) (offset + size);
    int compression = bytes[end];
    int stored = Crc32c.unmask(littleEndianInt(bytes, end + 1));
    int computed = Crc32c.of(bytes, start, (int) size + 1); // the block and its type byte
    if (stored != computed) {
      throw corrupt(
          String.format(
              "checksum mismatch in its %s: stored crc32c %08x, computed %08x; the file is"
                  + " corrupt",
              what, stored, computed));
    }
    byte[] data = bytes;
    if (compression == SNAPPY) {
      data = uncompress(start, (int) size, what);
      start = 0;
      end = data.length;
    } else if (compression != UNCOMPRESSED) {
      throw corrupt(
          "its " + what + " is compressed with an unknown method (type " + compression + ")");
    }
    if (end - start < 4) {
      throw corrupt("its " + what + " is too short to be a block");
    }
    int restarts = littleEndianInt(data, end - 4);
    long entriesEnd = end - 4 - 4L * restarts;
    if (restarts < 0 || entriesEnd < start) {
      throw corrupt("its " + what + " has a bad restart count " + restarts);
    }
    List<Entry> entries = new ArrayList<>();
    Cursor cursor = new Cursor(data, start, (int) entriesEnd, what);
    byte[] previous = new byte[0];
    while (cursor.remaining() > 0) {
      int shared = cursor.length();
      int unshared = cursor.length();
      int valueLength = cursor.length();
      if (shared > previous.length) {
        throw corrupt("its " + what + " shares more key bytes than the previous key has");
      }
      byte[] key = Arrays.copyOf(previous, shared + unshared);
      System.arraycopy(cursor.take(unshared), 0, key, shared, unshared);
      entries.add(new Entry(key, cursor.take(valueLength)));
      previous = key;
    }
    return entries;
  }

  private byte[] uncompress(int start, int size, String what) {
    try {
      int length = SnappyDecompressor.getUncompressedLength(bytes, start);
      if (length < 0 || length > (1 << 30)) {
        throw corrupt("its " + what + " claims " + length + " uncompressed bytes");
      }
      byte[] output = new byte[length];
      int written =
          new SnappyDecompressor().decompress(bytes, start, size, output, 0, output.length);
      return written == length ? output : Arrays.copyOf(output, written);
    } catch (MalformedInputException | IndexOutOfBoundsException e) {
      throw new WeightFileException(
          file, "its " + what + " is not valid Snappy data: " + e.getMessage(), e);
    }
  }

  private WeightFileException corrupt(String message) {
    return new WeightFileException(file, message);
  }

  private static int littleEndianInt(byte[] data, int at) {
    return (data[at] & 0xff)
        | (data[at + 1] & 0xff) << 8
        | (data[at + 2] & 0xff) << 16
        | (data[at + 3] & 0xff) << 24;
  }

  private static long littleEndianLong(byte[] data, int at) {
    return (littleEndianInt(data, at) & 0xffffffffL) | ((long) littleEndianInt(data, at + 4)) << 32;
  }

  /** Reads varints and byte runs from a range of a byte array. */
  private final class Cursor {
    private final byte[] data;
    private int position;
    private final int end;
    private final String what;

    Cursor(byte[] data, int start, int end, String what) {
      this.data = data;
      this.position = start;
      this.end = end;
      this.what = what;
    }

    int remaining() {
      return end - position;
    }

    long varint() {
      long value = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        if (position >= end) {
          throw corrupt("its " + what + " ends inside a number");
        }
        byte b = data[position++];
        value |= (long) (b & 0x7f) << shift;
        if (b >= 0) {
          return value;
        }
      }
      throw corrupt("its " + what + " holds a number longer than 64 bits");
    }

    /** A varint that must be a length within this range. */
    int length() {
      long value = varint();
      if (value < 0 || value > remaining()) {
        throw corrupt("its " + what + " holds a length (" + value + ") past its end");
      }
      return (int) value;
    }

    byte[] take(int length) {
      if (length < 0 || length > remaining()) {
        throw corrupt("its " + what + " ends inside an entry");
      }
      byte[] run = Arrays.copyOfRange(data, position, position + length);
      position += length;
      return run;
    }
  }
}
