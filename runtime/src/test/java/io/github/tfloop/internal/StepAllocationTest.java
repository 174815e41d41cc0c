package io.github.tfloop.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tfloop.data.Column;
import io.github.tfloop.data.Dataset;
import io.github.tfloop.train.LoopOptions;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * The steady-state training step allocates nothing on the Java heap: measured with the JVM's
 * per-thread allocation counter over 10,000 steps, after a warm-up that lets the JIT compile the
 * path (an interpreted frame may box or allocate where compiled code does not).
 */
class StepAllocationTest {

  private static final int WARM_UP_STEPS = 20_000;
  private static final int MEASURED_STEPS = 10_000;
  /** Allowance for the counter's own granularity; a single boxed value per step would be 160 KB. */
  private static final long BOUND_BYTES = 1_024;

  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  @Test
  void fitStepAllocatesNothing() {
    try (LoopEngine engine = LoopEngineTest.regression(LoopOptions.defaults())) {
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
      long bytes = allocatedBy(fitStep);
      assertTrue(bytes <= BOUND_BYTES, bytes + " bytes allocated over " + MEASURED_STEPS + " steps");
      assertEquals(WARM_UP_STEPS + MEASURED_STEPS, engine.globalStep());
    }
  }

  @Test
  void stepReturningTheLossAllocatesNothing() {
    try (LoopEngine engine = LoopEngineTest.regression(LoopOptions.defaults())) {
      Dataset data = LoopEngineTest.line(engine.batchSize(), 12);
      float[] x = (float[]) data.column("x").values();
      float[] y = (float[]) data.column("y").values();
      float[] lastLoss = new float[1];
      Runnable step =
          () -> {
            // what a generated step(x, y) does
            Batch batch = engine.batchOf(x.length);
            batch.put(LoopEngineTest.X, x);
            batch.put(LoopEngineTest.Y, y);
            lastLoss[0] = engine.trainStep(batch);
          };
      long bytes = allocatedBy(step);
      assertTrue(bytes <= BOUND_BYTES, bytes + " bytes allocated over " + MEASURED_STEPS + " steps");
      // the loss that came back without an allocation is the real one
      assertEquals(engine.evaluate(data).get("loss"), lastLoss[0], 1e-3);
    }
  }

  private static long allocatedBy(Runnable step) {
    for (int i = 0; i < WARM_UP_STEPS; i++) {
      step.run();
    }
    long before = THREADS.getCurrentThreadAllocatedBytes();
    for (int i = 0; i < MEASURED_STEPS; i++) {
      step.run();
    }
    return THREADS.getCurrentThreadAllocatedBytes() - before;
  }
}
