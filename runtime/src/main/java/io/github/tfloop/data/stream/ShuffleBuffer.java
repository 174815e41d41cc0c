package io.github.tfloop.data.stream;

/**
 * The arithmetic of a shuffle buffer, as tf.data's {@code shuffle} has it, over the slots of a
 * buffer of {@code capacity} examples: the first examples fill it; then each arriving example takes
 * the place of one drawn at random, which comes out; at the end of the input the rest come out in
 * random order. Draw {@code n} depends only on the seed and {@code n} ({@link Seeds#draw}), never
 * on the values, so {@link #replay} can rebuild the buffer of any point of an epoch from the
 * examples' numbers alone: which ones it held, in which slots. The caller moves the values.
 *
 * <p>A capacity of 0 or 1 passes the examples through in order.
 */
final class ShuffleBuffer {

  private final long seed;
  private final int capacity;
  private final long[] held;
  private int filled;
  private long draws;

  ShuffleBuffer(long seed, int capacity) {
    this.seed = seed;
    this.capacity = capacity;
    this.held = new long[Math.max(0, capacity)];
  }

  /** Whether the examples pass through in order (a capacity of 0 or 1). */
  boolean passesThrough() {
    return capacity <= 1;
  }

  int capacity() {
    return capacity;
  }

  /** Whether every slot holds an example: the next one to arrive makes one come out. */
  boolean full() {
    return filled == capacity;
  }

  /** Examples held. */
  int filled() {
    return filled;
  }

  /** Examples that came out so far (for a pass-through buffer, those that passed). */
  long draws() {
    return draws;
  }

  /** The number of the example in {@code slot}. */
  long held(int slot) {
    return held[slot];
  }

  /** While filling: puts example {@code number} in the next free slot, and returns that slot. */
  int append(long number) {
    held[filled] = number;
    return filled++;
  }

  /**
   * With the buffer full: the slot whose example comes out now, to be taken by the arriving example
   * {@code number}.
   */
  int exchange(long number) {
    int slot = Seeds.draw(seed, draws++, capacity);
    held[slot] = number;
    return slot;
  }

  /**
   * At the end of the input: the slot whose example comes out now. The caller then moves the
   * example of slot {@link #filled()} (the last, after this call) into it, unless it is that slot.
   */
  int drain() {
    int slot = Seeds.draw(seed, draws++, filled);
    held[slot] = held[--filled];
    return slot;
  }

  /** Counts one example passed through (a pass-through buffer). */
  void pass() {
    draws++;
  }

  /**
   * Replays an epoch from its start up to the point where {@code emitted} examples have come out,
   * over the examples' numbers alone; returns how many examples had arrived by then. {@code size}
   * is the epoch's number of examples, or -1 if it is not known, which is right only when the
   * epoch's input had not ended by that point (at least {@code emitted + capacity} examples).
   *
   * @throws IllegalStateException if {@code emitted} is more than {@code size} examples
   */
  long replay(long emitted, long size) {
    if (size >= 0 && emitted > size) {
      throw new IllegalStateException(
          emitted + " examples were trained in an epoch of only " + size);
    }
    long number = 0;
    while (draws < emitted) {
      if (number == size) {
        while (draws < emitted) {
          drain();
        }
        break;
      }
      if (passesThrough()) {
        pass();
      } else if (!full()) {
        append(number);
      } else {
        exchange(number);
      }
      number++;
    }
    return number;
  }
}
