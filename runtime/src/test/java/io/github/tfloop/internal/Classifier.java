package io.github.tfloop.internal;

import io.github.tfloop.data.DType;
import io.github.tfloop.data.Dataset;
import io.github.tfloop.data.InputSpec;
import io.github.tfloop.internal.build.StepSpec;
import io.github.tfloop.loss.Losses;
import io.github.tfloop.nn.Activation;
import io.github.tfloop.nn.Layers;
import io.github.tfloop.optim.LearningRate;
import io.github.tfloop.optim.Optimizers;
import io.github.tfloop.train.LoopOptions;
import java.util.SplittableRandom;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** A two-class classifier built as generated code builds one, with class-index labels. */
public final class Classifier {

  public static final InputSpec POINT = InputSpec.feature("point", DType.FLOAT32, 2);
  public static final InputSpec SIDE = InputSpec.label("side", DType.INT32);

  private Classifier() {}

  /** Which side of the line x0 = x1 a point lies on, by a two-layer network. */
  public static Trainer build(LoopOptions options) {
    return TestLoops.build(
        "Side",
        16,
        3L,
        options,
        loop -> {
          Operand<TFloat32> point = loop.input(POINT, TFloat32.class);
          Operand<TInt32> side = loop.input(SIDE, TInt32.class);
          Layers nn = loop.layers("logits");
          Operand<TFloat32> logits =
              loop.output("logits", nn.dense(nn.dense(point, 8, Activation.RELU), 2));
          loop.loss("loss", Losses.sparseCategoricalCrossentropy(loop.ops(), logits, side));
          loop.step(
              StepSpec.named("train")
                  .minimizing("loss")
                  .optimizer(Optimizers.adam(0.9, 0.999, 1e-7))
                  .learningRate(LearningRate.constant(0.01)));
        });
  }

  public static Dataset data(int size, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] points = new float[2 * size];
    int[] sides = new int[size];
    for (int i = 0; i < size; i++) {
      points[2 * i] = (float) random.nextDouble(-1, 1);
      points[2 * i + 1] = (float) random.nextDouble(-1, 1);
      sides[i] = points[2 * i] > points[2 * i + 1] ? 1 : 0;
    }
    return Dataset.builder().add(POINT, points).add(SIDE, sides).build();
  }
}
