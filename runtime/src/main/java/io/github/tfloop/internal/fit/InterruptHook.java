package io.github.tfloop.internal.fit;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Turns a JVM shutdown (SIGTERM, SIGINT/Ctrl-C, {@code System.exit}) during a fit into a final
 * checkpoint. The shutdown hook raises a flag and waits; the training thread sees the flag after
 * its current batch ({@link #requested()}, one volatile read), writes the checkpoint, stops and
 * closes the hook, which lets the JVM go on exiting.
 */
final class InterruptHook implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger("io.github.tfloop.checkpoint");

  private final Thread hook;
  private final CountDownLatch finished = new CountDownLatch(1);
  private final Duration timeout;
  private volatile boolean requested;

  InterruptHook(String loopName, Duration timeout) {
    this.timeout = timeout;
    this.hook = new Thread(this::onShutdown, loopName + "-checkpoint-on-exit");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  private void onShutdown() {
    requested = true;
    try {
      if (!finished.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.log(
            Level.WARNING, "the JVM is exiting; no final checkpoint after waiting {0}", timeout);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Whether the JVM is shutting down and waits for a final checkpoint. */
  boolean requested() {
    return requested;
  }

  /** The final checkpoint is written, or the fit ended: the shutdown may go on. */
  @Override
  public void close() {
    finished.countDown();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running or has run: nothing to remove
    }
  }
}
