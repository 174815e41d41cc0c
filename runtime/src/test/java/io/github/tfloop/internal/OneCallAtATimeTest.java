package io.github.tfloop.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tfloop.data.Dataset;
import io.github.tfloop.optim.Clipping;
import io.github.tfloop.optim.LearningRate;
import io.github.tfloop.optim.Optimizers;
import io.github.tfloop.train.FitControl;
import io.github.tfloop.train.History;
import io.github.tfloop.train.LoopOptions;
import io.github.tfloop.train.TrainingListener;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The contract of a loop's public calls, one path at a time (the random stress test is the sample
 * project's {@code ConcurrentCallsTest}): a call from a second thread while one runs is refused
 * naming the call and its thread; {@code close()} from another thread stops a fit after its batch
 * and waits for it; {@code close()} from a listener frees the loop when the fit returns; a call
 * after {@code close()} is refused.
 */
class OneCallAtATimeTest {

  /** 48 examples in batches of 8: 6 batches an epoch. */
  private static final Dataset TRAIN = Regression.data(48, 1);

  private static Trainer loop(TrainingListener listener) {
    LoopOptions.Builder options =
        LoopOptions.builder().epochs(3).intraOpThreads(1).interOpThreads(1);
    if (listener != null) {
      options.listener(listener);
    }
    return ControlLoops.regression(
        options.build(), Optimizers.sgd(), LearningRate.constant(0.05), Clipping.none(), "loss");
  }

  @Test
  void aCallFromAnotherThreadDuringAFitIsRefusedNamingTheFitAndItsThread() throws Exception {
    AtomicReference<Throwable> refused = new AtomicReference<>();
    AtomicReference<Trainer> self = new AtomicReference<>();
    TrainingListener probe =
        new TrainingListener() {
          @Override
          public void onBatchEnd(FitControl control, int epoch, int batch) {
            if (epoch == 1 && batch == 2) {
              Thread other =
                  new Thread(
                      () -> {
                        try {
                          self.get().globalStep();
                        } catch (Throwable e) {
                          refused.set(e);
                        }
                      },
                      "prober");
              other.start();
              try {
                other.join(10_000);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              // the fit's own thread may call back into its loop
              assertTrue(self.get().globalStep() > 0);
            }
          }
        };
    try (Trainer trainer = loop(probe)) {
      self.set(trainer);
      History history = trainer.fit(TRAIN, null);
      assertEquals(3, history.epochs().size(), "the refused call did not disturb the fit");
      assertEquals(18, trainer.globalStep());
      assertNotNull(refused.get(), "the second thread's call was not refused");
      assertEquals(IllegalStateException.class, refused.get().getClass());
      assertEquals(
          trainer.name()
              + "Loop.globalStep called while fit is running on thread '"
              + Thread.currentThread().getName()
              + "': a loop runs one call at a time; use one loop per thread, or wait for the call"
              + " to return",
          refused.get().getMessage());
    }
  }

  @Test
  void closeFromAnotherThreadStopsTheFitAfterItsBatchAndWaitsForIt() throws Exception {
    CountDownLatch inFit = new CountDownLatch(1);
    TrainingListener slow =
        new TrainingListener() {
          @Override
          public void onBatchEnd(FitControl control, int epoch, int batch) {
            inFit.countDown();
            try {
              Thread.sleep(20); // leave time for close() to arrive while a batch runs
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        };
    Trainer trainer = loop(slow);
    AtomicReference<Throwable> fitEnded = new AtomicReference<>();
    Thread fitting =
        new Thread(
            () -> {
              try {
                trainer.fit(TRAIN, null);
              } catch (Throwable e) {
                fitEnded.set(e);
              }
            },
            "fitting");
    fitting.start();
    assertTrue(inFit.await(30, TimeUnit.SECONDS), "the fit did not start");
    trainer.close(); // returns once the fit has stopped and the session is freed
    fitting.join(10_000);
    assertTrue(!fitting.isAlive(), "the fit did not end");
    Throwable error = fitEnded.get();
    assertNotNull(error, "a fit closed under it must not return a History as if it had finished");
    assertEquals(IllegalStateException.class, error.getClass(), String.valueOf(error));
    assertTrue(error.getMessage().contains("Loop was closed during "), error.getMessage());
    IllegalStateException after = assertThrows(IllegalStateException.class, trainer::globalStep);
    assertEquals(
        trainer.name() + "Loop.globalStep called after close(): the loop is closed",
        after.getMessage());
  }

  @Test
  void closeFromAListenerFreesTheLoopWhenTheFitReturns() {
    AtomicReference<Trainer> self = new AtomicReference<>();
    TrainingListener closer =
        new TrainingListener() {
          @Override
          public void onBatchEnd(FitControl control, int epoch, int batch) {
            if (epoch == 1 && batch == 3) {
              self.get().close();
            }
          }
        };
    Trainer trainer = loop(closer);
    self.set(trainer);
    IllegalStateException stopped =
        assertThrows(IllegalStateException.class, () -> trainer.fit(TRAIN, null));
    assertTrue(stopped.getMessage().contains("Loop was closed during "), stopped.getMessage());
    IllegalStateException after =
        assertThrows(IllegalStateException.class, () -> trainer.evaluate(TRAIN));
    assertEquals(
        trainer.name() + "Loop.evaluate called after close(): the loop is closed",
        after.getMessage());
    trainer.close(); // a second close is harmless
  }
}
