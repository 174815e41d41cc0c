package io.github.tfloop.data.stream;

import io.github.tfloop.data.InputSpec;
import java.util.Arrays;
import java.util.List;

/**
 * Up to {@link #capacity} consecutive records of an epoch on their way through a {@link Pipeline}:
 * their bytes as read, then their values as decoded. Chunks are reused from epoch to epoch.
 */
final class Chunk {

  final int capacity;

  /** Records in the chunk. */
  int count;

  /** The records' bytes, one after the other; record {@code k} is {@code bytes[start[k] ..]}. */
  byte[] bytes = new byte[1 << 16];

  int used;
  final int[] start;
  final int[] length;

  /** Each record's number in the epoch (its place in the order read, among kept records). */
  final long[] number;

  /** Each record's part, record index within its file, and byte offset in it, for messages. */
  final int[] part;

  final long[] record;
  final long[] offset;

  /** A small value that comes with a record but not from its bytes: an image's class. */
  final int[] extra;

  /** Decoded values: one array per input, {@link #capacity} examples each. */
  final Object[] values;

  /** Set by {@link #END}: this is not a chunk but the end of the epoch's records. */
  private final boolean end;

  private boolean decoded;
  private RuntimeException failure;

  /** The marker that follows an epoch's last chunk. */
  static final Chunk END = new Chunk();

  private Chunk() {
    this.capacity = 0;
    this.start = this.length = this.part = this.extra = new int[0];
    this.number = this.record = this.offset = new long[0];
    this.values = new Object[0];
    this.end = true;
  }

  Chunk(int capacity, List<InputSpec> inputs) {
    this.capacity = capacity;
    this.start = new int[capacity];
    this.length = new int[capacity];
    this.number = new long[capacity];
    this.part = new int[capacity];
    this.record = new long[capacity];
    this.offset = new long[capacity];
    this.extra = new int[capacity];
    this.values = new Object[inputs.size()];
    for (int i = 0; i < values.length; i++) {
      int length = capacity * inputs.get(i).exampleLength();
      values[i] =
          switch (inputs.get(i).dtype()) {
            case FLOAT32 -> new float[length];
            case FLOAT64 -> new double[length];
            case INT32 -> new int[length];
            case INT64 -> new long[length];
          };
    }
    this.end = false;
  }

  boolean isEnd() {
    return end;
  }

  /** Empties the chunk for reuse. */
  synchronized void clear() {
    count = 0;
    used = 0;
    decoded = false;
    failure = null;
  }

  boolean isFull() {
    return count == capacity;
  }

  /**
   * Starts record {@code count}: its number in the epoch and where it comes from. Its bytes follow
   * with {@link #reserve} and {@link #finishRecord}.
   */
  void beginRecord(long number, int part, long record, long offset) {
    this.number[count] = number;
    this.part[count] = part;
    this.record[count] = record;
    this.offset[count] = offset;
    this.extra[count] = 0;
    this.start[count] = used;
  }

  /** Makes room for {@code more} bytes at {@link #used}, and returns the array to write them to. */
  byte[] reserve(int more) {
    if (bytes.length - used < more) {
      long wanted = Math.max((long) bytes.length * 2, (long) used + more);
      if (wanted > Integer.MAX_VALUE - 8) {
        throw new IllegalStateException("a chunk of records cannot exceed 2 GB");
      }
      bytes = Arrays.copyOf(bytes, (int) wanted);
    }
    return bytes;
  }

  /** Ends the record begun last, {@link #used} being the end of its bytes. */
  void finishRecord() {
    length[count] = used - start[count];
    count++;
  }

  /** Called by the thread that decoded the chunk (or failed to, with {@code failure}). */
  synchronized void decoded(RuntimeException failure) {
    this.failure = failure;
    this.decoded = true;
    notifyAll();
  }

  /**
   * Waits until the chunk is decoded.
   *
   * @throws RuntimeException what decoding it threw
   */
  synchronized void awaitDecoded() throws InterruptedException {
    while (!decoded) {
      wait();
    }
    if (failure != null) {
      throw failure;
    }
  }
}
