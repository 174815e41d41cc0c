package io.github.tfloop.data.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The shuffle buffer's arithmetic: every example comes out once, and {@link ShuffleBuffer#replay}
 * rebuilds the state of any point, so that going on from there gives what an uninterrupted pass
 * gives.
 */
class ShuffleBufferTest {

  @Test
  void everyExampleComesOutOnceInAShuffledOrder() {
    for (int capacity : new int[] {2, 7, 100, 1000}) {
      List<Long> order = Mirror.pass(42, capacity, 500);
      assertEquals(500, order.size());
      assertEquals(500, new TreeSet<>(order).size(), "each number once, capacity " + capacity);
      assertNotEquals(Mirror.pass(43, capacity, 500), order, "another seed, another order");
      assertEquals(Mirror.pass(42, capacity, 500), order, "the same seed, the same order");
    }
    List<Long> inOrder = Mirror.pass(42, 1, 50);
    for (int i = 0; i < 50; i++) {
      assertEquals(i, inOrder.get(i), "a capacity of 1 passes through");
    }
  }

  @Test
  void replayRebuildsTheBufferAtAnyPoint() {
    SplittableRandom random = new SplittableRandom(7);
    for (int trial = 0; trial < 200; trial++) {
      int capacity = random.nextInt(0, 40);
      int size = random.nextInt(1, 120);
      long seed = random.nextLong();
      List<Long> whole = Mirror.pass(seed, capacity, size);
      int emitted = random.nextInt(0, size + 1);
      boolean sizeKnown = emitted + capacity > size || random.nextBoolean();
      Mirror resumed = new Mirror(seed, capacity);
      long arrived = resumed.buffer.replay(emitted, sizeKnown ? size : -1);
      resumed.refill();
      List<Long> rest = resumed.goOn(arrived, size);
      assertEquals(
          whole.subList(emitted, size),
          rest,
          "capacity " + capacity + ", size " + size + ", resumed after " + emitted);
    }
  }

  /** A buffer and the numbers it holds, the values a pipeline would move, kept beside it. */
  private static final class Mirror {
    final ShuffleBuffer buffer;
    final long[] values;

    Mirror(long seed, int capacity) {
      buffer = new ShuffleBuffer(seed, capacity);
      values = new long[Math.max(0, capacity)];
    }

    static List<Long> pass(long seed, int capacity, long size) {
      return new Mirror(seed, capacity).goOn(0, size);
    }

    /** After a replay: the values are the numbers the buffer says it holds. */
    void refill() {
      for (int slot = 0; slot < buffer.filled(); slot++) {
        values[slot] = buffer.held(slot);
      }
    }

    List<Long> goOn(long from, long size) {
      List<Long> out = new ArrayList<>();
      for (long number = from; number < size; number++) {
        if (buffer.passesThrough()) {
          buffer.pass();
          out.add(number);
        } else if (!buffer.full()) {
          values[buffer.append(number)] = number;
        } else {
          int slot = buffer.exchange(number);
          out.add(values[slot]);
          values[slot] = number;
        }
      }
      while (!buffer.passesThrough() && buffer.filled() > 0) {
        int slot = buffer.drain();
        out.add(values[slot]);
        values[slot] = values[buffer.filled()];
      }
      return out;
    }
  }
}
