package io.github.tfloop.benchmarks;

import io.github.tfloop.internal.build.LoopBuilder;
import io.github.tfloop.internal.build.LoopGraph;
import io.github.tfloop.internal.build.StepSpec;
import io.github.tfloop.internal.engine.LoopEngine;
import io.github.tfloop.internal.session.Batch;
import io.github.tfloop.optim.LearningRates;
import io.github.tfloop.optim.Optimizers;
import io.github.tfloop.train.LoopOptions;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * tfloop's graph of {@link Mlp} or {@link Cnn}, built as the generated {@code create} builds it,
 * opened in the loop's own engine (its session and session options), with the runner of one step
 * exposed so that {@link StepProfile} can trace it. Not a contender: the generated loops do not
 * expose their session.
 */
final class TracedLoop implements AutoCloseable {

  private final LoopEngine engine;
  private final LoopGraph graph;
  private final Batch batch;

  TracedLoop(Network network, LoopOptions options) {
    LoopBuilder loop = LoopBuilder.create(network == Network.MLP ? "Mlp" : "Cnn", 32, 1L, options);
    Operand<TFloat32> image = loop.input(MlpLoop.IMAGE, TFloat32.class);
    Operand<TInt32> label = loop.input(MlpLoop.LABEL, TInt32.class);
    Operand<TFloat32> logits =
        loop.output(
            "logits",
            network == Network.MLP
                ? new Mlp().logits(loop.layers("logits"), image)
                : new Cnn().logits(loop.layers("logits"), image));
    loop.loss("loss", new Mlp().loss(loop.ops(), logits, label));
    loop.step(
        StepSpec.named("train")
            .minimizing("loss")
            .optimizer(Optimizers.adam(0.9, 0.999, 1.0E-7))
            .learningRate(LearningRates.constant(0.001)));
    graph = loop.build();
    engine = new LoopEngine(graph, options);
    batch = new Batch(graph.inputs(), graph.batchSize());
  }

  /** Copies one batch into the input tensors. */
  void put(float[] images, int[] labels) {
    batch.put(MlpLoop.IMAGE, images);
    batch.put(MlpLoop.LABEL, labels);
  }

  /** The runner of one training step on the batch, fetching its loss. */
  Session.Runner runner() {
    return engine
        .batchRunner(batch)
        .addTarget(graph.steps().get(0).update())
        .fetch(graph.steps().get(0).loss());
  }

  @Override
  public void close() {
    batch.close();
    engine.close();
  }
}
