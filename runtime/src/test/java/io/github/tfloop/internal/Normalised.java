package io.github.tfloop.internal;

import io.github.tfloop.data.Dataset;
import io.github.tfloop.internal.build.StepSpec;
import io.github.tfloop.loss.Losses;
import io.github.tfloop.metrics.Metrics;
import io.github.tfloop.nn.Activation;
import io.github.tfloop.nn.Layers;
import io.github.tfloop.optim.LearningRate;
import io.github.tfloop.optim.Optimizers;
import io.github.tfloop.train.LoopOptions;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * {@link Classifier}'s task with batch normalisation between its layers and an accuracy metric: a
 * loop with model state that training updates, and a metric beside the loss.
 */
final class Normalised {

  static final String MOVING_MEAN = "logits/batch_norm/moving_mean";
  static final String MOVING_VARIANCE = "logits/batch_norm/moving_variance";

  private Normalised() {}

  static Trainer build(LoopOptions options) {
    return TestLoops.build(
        "Normalised",
        16,
        3L,
        options,
        loop -> {
          Operand<TFloat32> point = loop.input(Classifier.POINT, TFloat32.class);
          Operand<TInt32> side = loop.input(Classifier.SIDE, TInt32.class);
          Layers nn = loop.layers("logits");
          Operand<TFloat32> hidden =
              nn.activation(nn.batchNorm(nn.dense(point, 8)), Activation.RELU);
          Operand<TFloat32> logits = loop.output("logits", nn.dense(hidden, 2));
          loop.loss("loss", Losses.sparseCategoricalCrossentropy(loop.ops(), logits, side));
          loop.metric(Metrics.accuracy(), logits, side);
          loop.step(
              StepSpec.named("train")
                  .minimizing("loss")
                  .optimizer(Optimizers.adam(0.9, 0.999, 1e-7))
                  .learningRate(LearningRate.constant(0.01)));
        });
  }

  /** {@code data} with the first coordinate of example {@code example} set to NaN. */
  static Dataset withNaN(Dataset data, int example) {
    float[] points = ((float[]) data.column("point").values()).clone();
    points[2 * example] = Float.NaN;
    int[] sides = (int[]) data.column("side").values();
    return Dataset.builder().add(Classifier.POINT, points).add(Classifier.SIDE, sides).build();
  }

  /** {@code data} without the examples {@code from} to {@code to} (exclusive). */
  static Dataset without(Dataset data, int from, int to) {
    int[] kept = new int[data.size() - (to - from)];
    for (int i = 0, k = 0; i < data.size(); i++) {
      if (i < from || i >= to) {
        kept[k++] = i;
      }
    }
    return data.select(kept);
  }
}
