package io.github.tfloop.data.stream;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A bounded queue of ints between one producer thread and one consumer thread that allocates
 * nothing, waiting or not: the hand-over of batches to a training thread, which must not allocate.
 * A waiting side parks; the other side unparks it (each side re-checks after announcing that it
 * waits, so no wake-up is lost; the park also times out, to see {@link #abort}).
 */
final class IntRing {

  private static final long PARK_NANOS = 1_000_000;

  private final int[] slots;
  private final AtomicLong head = new AtomicLong(); // next to take
  private final AtomicLong tail = new AtomicLong(); // next to put
  private volatile Thread waitingTaker;
  private volatile Thread waitingPutter;
  private volatile boolean aborted;

  IntRing(int capacity) {
    this.slots = new int[capacity];
  }

  /**
   * Appends {@code value}, waiting for room.
   *
   * @return false if the ring was aborted instead
   */
  boolean put(int value) {
    long position = tail.get();
    while (position - head.get() >= slots.length) {
      if (aborted) {
        return false;
      }
      waitingPutter = Thread.currentThread();
      if (position - head.get() >= slots.length && !aborted) {
        LockSupport.parkNanos(this, PARK_NANOS);
      }
      waitingPutter = null;
    }
    slots[(int) (position % slots.length)] = value;
    tail.set(position + 1);
    Thread taker = waitingTaker;
    if (taker != null) {
      LockSupport.unpark(taker);
    }
    return true;
  }

  /**
   * Takes the oldest value, waiting for one.
   *
   * @return the value, or {@code aborted} if the ring was aborted while empty
   */
  int take(int abortedValue) {
    long position = head.get();
    while (position == tail.get()) {
      if (aborted) {
        return abortedValue;
      }
      waitingTaker = Thread.currentThread();
      if (position == tail.get() && !aborted) {
        LockSupport.parkNanos(this, PARK_NANOS);
      }
      waitingTaker = null;
    }
    int value = slots[(int) (position % slots.length)];
    head.set(position + 1);
    Thread putter = waitingPutter;
    if (putter != null) {
      LockSupport.unpark(putter);
    }
    return value;
  }

  /** Whether nothing is waiting to be taken (a {@link #take} now would wait). */
  boolean isEmpty() {
    return head.get() == tail.get();
  }

  /**
   * Makes every wait end: a waiting {@link #take} returns its aborted value, a {@link #put} false.
   */
  void abort() {
    aborted = true;
    Thread taker = waitingTaker;
    if (taker != null) {
      LockSupport.unpark(taker);
    }
    Thread putter = waitingPutter;
    if (putter != null) {
      LockSupport.unpark(putter);
    }
  }
}
