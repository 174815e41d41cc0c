package io.github.tfloop.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.tfloop.data.Column;
import io.github.tfloop.data.Dataset;
import io.github.tfloop.internal.engine.LoopEngine;
import io.github.tfloop.internal.session.Batch;
import io.github.tfloop.train.LoopOptions;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The steady-state training step allocates nothing on the Java heap: measured with the JVM's
 * per-thread allocation counter over rounds of 10,000 steps, after a warm-up that lets the JIT
 * compile the path (interpreted or C1-compiled frames allocate where C2's escape analysis removes
 * the objects). The JIT reaches that state at different times on different JDKs (JDK 25 takes a
 * round longer than JDK 17 for the batch-gathering code), so the test takes the first round within
 * the bound, out of {@link #ROUNDS}.
 */
class StepAllocationTest {

  private static final int WARM_UP_STEPS = 20_000;
  private static final int MEASURED_STEPS = 10_000;
  private static final int ROUNDS = 5;

  /** Allowance for the counter's own granularity; a single boxed value per step would be 160 KB. */
  private static final long BOUND_BYTES = 1_024;

  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  @Test
  void fitStepAllocatesNothing() {
    try (Trainer trainer = LoopEngineTest.regression(LoopOptions.defaults())) {
      LoopEngine engine = trainer.engine();
      engine.enter("fit");
      Dataset data = LoopEngineTest.line(1_024, 11);
      Column[] columns = engine.columns(data, "training data", true);
      int[] order = new int[data.size()];
      for (int i = 0; i < order.length; i++) {
        order[i] = (order.length - 1 - i);
      }
      Batch batch = engine.batchOf(engine.batchSize());
      int batchesPerEpoch = data.size() / engine.batchSize();
      Runnable fitStep =
          new Runnable() {
            private int next;

            @Override
            public void run() {
              // what FitLoop does for each batch: gather the examples, train without a fetch
              batch.load(columns, order, next * engine.batchSize());
              engine.trainStepWithoutFetch(batch);
              next = (next + 1) % batchesPerEpoch;
            }
          };
      int rounds = assertSteadyStateAllocatesNothing(fitStep);
      assertEquals(WARM_UP_STEPS + rounds * MEASURED_STEPS, engine.globalStep());
      engine.exit();
    }
  }

  @Test
  void stepReturningTheLossAllocatesNothing() {
    try (Trainer engine = LoopEngineTest.regression(LoopOptions.defaults())) {
      Dataset data = LoopEngineTest.line(engine.batchSize(), 12);
      float[] x = (float[]) data.column("x").values();
      float[] y = (float[]) data.column("y").values();
      float[] lastLoss = new float[1];
      Runnable step =
          () -> {
            // what a generated step(x, y) does
            Batch batch = engine.beginStep(x.length);
            try {
              batch.put(LoopEngineTest.X, x);
              batch.put(LoopEngineTest.Y, y);
              lastLoss[0] = engine.trainStep(batch);
            } finally {
              engine.endStep();
            }
          };
      assertSteadyStateAllocatesNothing(step);
      // the loss that came back without an allocation is the real one
      assertEquals(engine.evaluate(data).get("loss"), lastLoss[0], 1e-3);
    }
  }

  /** Warms {@code step} up, then runs rounds until one allocates within the bound; returns them. */
  private static int assertSteadyStateAllocatesNothing(Runnable step) {
    for (int i = 0; i < WARM_UP_STEPS; i++) {
      step.run();
    }
    List<Long> rounds = new ArrayList<>();
    while (rounds.size() < ROUNDS) {
      long before = THREADS.getCurrentThreadAllocatedBytes();
      for (int i = 0; i < MEASURED_STEPS; i++) {
        step.run();
      }
      rounds.add(THREADS.getCurrentThreadAllocatedBytes() - before);
      if (rounds.get(rounds.size() - 1) <= BOUND_BYTES) {
        return rounds.size();
      }
    }
    return fail("bytes allocated by each round of " + MEASURED_STEPS + " steps: " + rounds);
  }
}
