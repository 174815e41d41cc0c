package io.github.tfloop.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.tfloop.data.DType;
import io.github.tfloop.data.Dataset;
import io.github.tfloop.data.IdxFile;
import io.github.tfloop.data.stream.StreamingDataset;
import io.github.tfloop.internal.engine.LoopEngine;
import io.github.tfloop.internal.fit.BatchSource;
import io.github.tfloop.internal.fit.FitLoop;
import io.github.tfloop.internal.session.Batch;
import io.github.tfloop.train.LoopOptions;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fit on streamed data allocates nothing on the training thread in steady state: the stream's
 * threads read, decode, shuffle and fill the batches' tensors; the training thread takes a ready
 * batch, trains on it and gives it back. Measured as {@link StepAllocationTest} measures the
 * in-memory fit: the JVM's per-thread allocation counter over rounds of 10,000 steps after a
 * warm-up, all within one epoch of a shuffled stream (opening an epoch allocates, once).
 */
class StreamStepAllocationTest {

  private static final int WARM_UP_STEPS = 20_000;
  private static final int MEASURED_STEPS = 10_000;
  private static final int ROUNDS = 5;
  private static final long BOUND_BYTES = 1_024;

  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  @Test
  void aStreamedFitStepAllocatesNothingOnTheTrainingThread(@TempDir Path directory)
      throws IOException {
    int batches = WARM_UP_STEPS + (ROUNDS + 1) * MEASURED_STEPS;
    try (Trainer trainer = LoopEngineTest.regression(LoopOptions.defaults())) {
      LoopEngine engine = trainer.engine();
      int examples = batches * engine.batchSize();
      Dataset data = LoopEngineTest.line(examples, 11);
      Path x = directory.resolve("x.idx");
      Path y = directory.resolve("y.idx");
      IdxFile.write(x, data.column("x").values(), DType.FLOAT32, examples, new int[] {1});
      IdxFile.write(y, data.column("y").values(), DType.FLOAT32, examples, new int[] {1});
      Dataset streamed =
          StreamingDataset.idx(LoopEngineTest.X, x, LoopEngineTest.Y, y)
              .shuffleBuffer(1_000)
              .dataset();
      engine.enter("fit");
      try (BatchSource source = FitLoop.source(engine, streamed, 7, "training data")) {
        source.startEpoch(1);
        source.openEpoch(1, 0);
        Runnable fitStep =
            new Runnable() {
              private int done;

              @Override
              public void run() {
                // what FitLoop does for each batch of a stream
                if (!source.hasNext(done)) {
                  throw new AssertionError("the epoch ended after " + done + " batches");
                }
                Batch batch = source.next(done);
                engine.trainStepWithoutFetch(batch);
                done++;
              }
            };
        int rounds = assertSteadyStateAllocatesNothing(fitStep);
        assertEquals(WARM_UP_STEPS + rounds * MEASURED_STEPS, engine.globalStep());
      } finally {
        engine.exit();
      }
    }
  }

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
