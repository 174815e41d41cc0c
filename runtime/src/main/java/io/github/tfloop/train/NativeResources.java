package io.github.tfloop.train;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts the TensorFlow sessions tfloop's loops hold open in this JVM: a loop opens one when it is
 * created and closes it in {@code close()}. A count that does not return to zero is a leak.
 */
public final class NativeResources {

  private static final AtomicInteger OPEN_SESSIONS = new AtomicInteger();

  private NativeResources() {}

  /** Sessions opened by loops and not yet closed. */
  public static int openSessions() {
    return OPEN_SESSIONS.get();
  }

  /** For the loop engine. */
  public static void sessionOpened() {
    OPEN_SESSIONS.incrementAndGet();
  }

  /** For the loop engine. */
  public static void sessionClosed() {
    OPEN_SESSIONS.decrementAndGet();
  }
}
