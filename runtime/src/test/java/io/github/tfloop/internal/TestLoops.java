package io.github.tfloop.internal;

import io.github.tfloop.train.LoopOptions;
import java.util.function.Consumer;

/**
 * Builds a test loop the way generated {@code create} methods do: declare, build, abort on error.
 */
final class TestLoops {

  private TestLoops() {}

  static LoopEngine build(
      String name, int batchSize, long seed, LoopOptions options, Consumer<LoopBuilder> declare) {
    LoopBuilder loop = LoopBuilder.create(name, batchSize, seed, options);
    try {
      declare.accept(loop);
      return loop.build();
    } catch (RuntimeException e) {
      loop.abort();
      throw e;
    }
  }
}
