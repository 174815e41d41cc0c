package io.github.tfloop.data.stream;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

/**
 * Finds given features in a serialized {@code tf.train.Example} without building its objects: the
 * protocol buffer's bytes are walked once, and each wanted feature's list is copied straight into
 * the target array. {@code Example.parseFrom} builds a map, a {@code Feature} and a list of boxed
 * values per feature and record; this allocates nothing and reads a packed {@code float_list} with
 * one bulk copy.
 *
 * <p>The messages, as {@code example.proto} and {@code feature.proto} define them: {@code Example {
 * Features features = 1; }}, {@code Features { map<string, Feature> feature = 1; }} (a map entry is
 * {@code { string key = 1; Feature value = 2; }}), {@code Feature { oneof kind { BytesList
 * bytes_list = 1; FloatList float_list = 2; Int64List int64_list = 3; } }}, {@code FloatList {
 * repeated float value = 1 [packed = true]; }}, {@code Int64List { repeated int64 value = 1 [packed
 * = true]; }}. Both packed and unpacked lists are read, unknown fields skipped, and, as protocol
 * buffers merge them, the last occurrence of a field wins.
 */
final class ExampleReader {

  /** Kinds of feature, by their field numbers in {@code Feature}; none; or present, no list set. */
  static final int NONE = 0;

  static final int EMPTY = -1;

  static final int BYTES = 1;
  static final int FLOATS = 2;
  static final int INTEGERS = 3;

  private final byte[][] keys;
  private final int[] kind;
  private final int[] start;
  private final int[] end;
  private byte[] bytes;
  private ByteBuffer littleEndian;

  ExampleReader(List<String> keys) {
    this.keys = new byte[keys.size()][];
    for (int i = 0; i < this.keys.length; i++) {
      this.keys[i] = keys.get(i).getBytes(StandardCharsets.UTF_8);
    }
    this.kind = new int[keys.size()];
    this.start = new int[keys.size()];
    this.end = new int[keys.size()];
  }

  /**
   * Reads the Example in {@code bytes[from .. to)}: where each wanted feature's list is.
   *
   * @throws IOException saying what is malformed, if the bytes are not an Example
   */
  void read(byte[] bytes, int from, int to) throws IOException {
    if (this.bytes != bytes) {
      this.bytes = bytes;
      this.littleEndian = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }
    Arrays.fill(kind, NONE);
    int at = from;
    while (at < to) {
      long tag = varint(at, to);
      at = next;
      if (tag == (1 << 3 | 2)) { // Example.features
        int length = length(at, to);
        at = next;
        features(at, at + length);
        at += length;
      } else {
        at = skip(tag, at, to);
      }
    }
  }

  private void features(int at, int to) throws IOException {
    while (at < to) {
      long tag = varint(at, to);
      at = next;
      if (tag == (1 << 3 | 2)) { // Features.feature: a map entry
        int length = length(at, to);
        at = next;
        entry(at, at + length);
        at += length;
      } else {
        at = skip(tag, at, to);
      }
    }
  }

  private void entry(int at, int to) throws IOException {
    int keyStart = -1;
    int keyEnd = -1;
    int valueStart = -1;
    int valueEnd = -1;
    while (at < to) {
      long tag = varint(at, to);
      at = next;
      if (tag == (1 << 3 | 2) || tag == (2 << 3 | 2)) {
        int length = length(at, to);
        at = next;
        if (tag == (1 << 3 | 2)) {
          keyStart = at;
          keyEnd = at + length;
        } else {
          valueStart = at;
          valueEnd = at + length;
        }
        at += length;
      } else {
        at = skip(tag, at, to);
      }
    }
    int wanted = keyStart < 0 ? -1 : wanted(keyStart, keyEnd);
    if (wanted < 0) {
      return;
    }
    kind[wanted] = EMPTY;
    at = valueStart;
    while (valueStart >= 0 && at < valueEnd) { // Feature: its kind, the last one set
      long tag = varint(at, valueEnd);
      at = next;
      int field = (int) (tag >>> 3);
      if ((tag & 7) == 2 && field >= BYTES && field <= INTEGERS) {
        int length = length(at, valueEnd);
        at = next;
        kind[wanted] = field;
        start[wanted] = at;
        end[wanted] = at + length;
        at += length;
      } else {
        at = skip(tag, at, valueEnd);
      }
    }
  }

  private int wanted(int from, int to) {
    int length = to - from;
    for (int i = 0; i < keys.length; i++) {
      if (keys[i].length == length && Arrays.equals(keys[i], 0, length, bytes, from, to)) {
        return i;
      }
    }
    return -1;
  }

  /**
   * The kind of wanted feature {@code i}: {@link #NONE} if the Example does not have it, {@link
   * #EMPTY} if it has it without a list.
   */
  int kind(int i) {
    return kind[i];
  }

  /** The number of values in wanted feature {@code i}, a float or int64 list. */
  int count(int i) throws IOException {
    int count = 0;
    int at = start[i];
    int to = end[i];
    boolean floats = kind[i] == FLOATS;
    while (at < to) {
      long tag = varint(at, to);
      at = next;
      if (tag == (1 << 3 | 2)) { // packed
        int length = length(at, to);
        at = next;
        if (floats) {
          if (length % 4 != 0) {
            throw new IOException("a packed float_list of " + length + " bytes");
          }
          count += length / 4;
        } else {
          for (int stop = at + length; at < stop; count++) {
            varint(at, stop);
            at = next;
          }
          continue;
        }
        at += length;
      } else if (floats && tag == (1 << 3 | 5)) {
        count++;
        at = fixed(at, to, 4);
      } else if (!floats && tag == (1 << 3)) {
        count++;
        varint(at, to);
        at = next;
      } else {
        at = skip(tag, at, to);
      }
    }
    return count;
  }

  /** Copies wanted feature {@code i}'s floats into {@code target} from {@code offset}. */
  void floats(int i, float[] target, int offset) throws IOException {
    int at = start[i];
    int to = end[i];
    while (at < to) {
      long tag = varint(at, to);
      at = next;
      if (tag == (1 << 3 | 2)) {
        int length = length(at, to);
        at = next;
        littleEndian.position(at);
        littleEndian.asFloatBuffer().get(target, offset, length / 4);
        offset += length / 4;
        at += length;
      } else if (tag == (1 << 3 | 5)) {
        target[offset++] = littleEndian.getFloat(at);
        at += 4;
      } else {
        at = skip(tag, at, to);
      }
    }
  }

  /** Copies wanted feature {@code i}'s floats into {@code target} from {@code offset}. */
  void floats(int i, double[] target, int offset) throws IOException {
    int at = start[i];
    int to = end[i];
    while (at < to) {
      long tag = varint(at, to);
      at = next;
      if (tag == (1 << 3 | 2)) {
        int length = length(at, to);
        at = next;
        for (int stop = at + length; at < stop; at += 4) {
          target[offset++] = littleEndian.getFloat(at);
        }
      } else if (tag == (1 << 3 | 5)) {
        target[offset++] = littleEndian.getFloat(at);
        at += 4;
      } else {
        at = skip(tag, at, to);
      }
    }
  }

  /** Wanted feature {@code i}'s integers, one by one, to {@code sink}. */
  void integers(int i, LongSink sink) throws IOException {
    int at = start[i];
    int to = end[i];
    int index = 0;
    while (at < to) {
      long tag = varint(at, to);
      at = next;
      if (tag == (1 << 3 | 2)) {
        int length = length(at, to);
        at = next;
        for (int stop = at + length; at < stop; ) {
          long value = varint(at, stop);
          at = next;
          sink.accept(index++, value);
        }
      } else if (tag == (1 << 3)) {
        long value = varint(at, to);
        at = next;
        sink.accept(index++, value);
      } else {
        at = skip(tag, at, to);
      }
    }
  }

  /** Takes integer values one by one. */
  @FunctionalInterface
  interface LongSink {
    void accept(int index, long value) throws IOException;
  }

  /** The names of the features the Example in {@code bytes[from .. to)} has, for messages. */
  static TreeSet<String> featureNames(byte[] bytes, int from, int to) throws IOException {
    TreeSet<String> names = new TreeSet<>();
    try {
      org.tensorflow.proto.Example example =
          org.tensorflow.proto.Example.parseFrom(
              com.google.protobuf.CodedInputStream.newInstance(bytes, from, to - from));
      names.addAll(example.getFeatures().getFeatureMap().keySet());
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new IOException(e.getMessage(), e);
    }
    return names;
  }

  // ---- wire format

  /** Where the last {@link #varint} or {@link #length} ended. */
  private int next;

  private long varint(int at, int to) throws IOException {
    long value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (at >= to) {
        throw new IOException("a varint runs past the end of its message");
      }
      byte b = bytes[at++];
      value |= (long) (b & 0x7f) << shift;
      if (b >= 0) {
        next = at;
        return value;
      }
    }
    throw new IOException("a varint longer than 10 bytes");
  }

  private int length(int at, int to) throws IOException {
    long length = varint(at, to);
    if (length < 0 || length > to - next) {
      throw new IOException(
          "a field of "
              + length
              + " bytes runs past the end of its message ("
              + (to - next)
              + " bytes left)");
    }
    return (int) length;
  }

  private int fixed(int at, int to, int size) throws IOException {
    if (to - at < size) {
      throw new IOException("a fixed-size field runs past the end of its message");
    }
    return at + size;
  }

  /** Skips the value of a field with {@code tag} starting at {@code at}; returns where it ends. */
  private int skip(long tag, int at, int to) throws IOException {
    switch ((int) (tag & 7)) {
      case 0 -> {
        varint(at, to);
        return next;
      }
      case 1 -> {
        return fixed(at, to, 8);
      }
      case 2 -> {
        int length = length(at, to);
        return next + length;
      }
      case 5 -> {
        return fixed(at, to, 4);
      }
      default ->
          throw new IOException(
              "unsupported wire type " + (tag & 7) + " (field " + (tag >>> 3) + ")");
    }
  }
}
