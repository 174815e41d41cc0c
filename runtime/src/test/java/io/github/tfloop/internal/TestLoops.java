package io.github.tfloop.internal;

import io.github.tfloop.data.InputSpec;
import io.github.tfloop.internal.build.LoopBuilder;
import io.github.tfloop.internal.session.Batch;
import io.github.tfloop.train.LoopOptions;
import java.util.function.Consumer;

/**
 * Builds a test loop the way generated {@code create} methods do: declare, build, abort on error.
 */
final class TestLoops {

  private TestLoops() {}

  static Trainer build(
      String name, int batchSize, long seed, LoopOptions options, Consumer<LoopBuilder> declare) {
    LoopBuilder loop = LoopBuilder.create(name, batchSize, seed, options);
    try {
      declare.accept(loop);
      return Trainer.start(loop.build());
    } catch (RuntimeException e) {
      loop.abort();
      throw e;
    }
  }

  /**
   * One training step on {@code values}, given as input/array pairs, the way a generated {@code
   * step(...)} runs it; returns the loss.
   */
  static float step(Trainer trainer, int examples, Object... inputsAndValues) {
    Batch batch = trainer.beginStep(examples);
    try {
      for (int i = 0; i < inputsAndValues.length; i += 2) {
        batch.put((InputSpec) inputsAndValues[i], inputsAndValues[i + 1]);
      }
      return trainer.trainStep(batch);
    } finally {
      trainer.endStep();
    }
  }
}
