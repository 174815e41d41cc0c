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

/**
 * A small network fitting {@code y = sin(3 x0) + x1^2}, built the way generated code builds a loop:
 * big enough that Adam's slots, shuffling and several batches per epoch all matter, small enough to
 * train in well under a second.
 */
public final class Regression {

  public static final InputSpec X = InputSpec.feature("x", DType.FLOAT32, 2);
  public static final InputSpec Y = InputSpec.label("y", DType.FLOAT32, 1);

  private Regression() {}

  public static Trainer adam(LoopOptions options, double learningRate) {
    return build(options, learningRate, true);
  }

  public static Trainer sgd(LoopOptions options, double learningRate) {
    return build(options, learningRate, false);
  }

  private static Trainer build(LoopOptions options, double learningRate, boolean adam) {
    return TestLoops.build(
        "Curve",
        8,
        11L,
        options,
        loop -> {
          Operand<TFloat32> x = loop.input(X, TFloat32.class);
          Operand<TFloat32> y = loop.input(Y, TFloat32.class);
          Layers nn = loop.layers("curve");
          Operand<TFloat32> prediction =
              loop.output("curve", nn.dense(nn.dense(x, 16, Activation.RELU), 1));
          loop.loss("loss", Losses.meanSquaredError(loop.ops(), prediction, y));
          loop.step(
              StepSpec.named("train")
                  .minimizing("loss")
                  .optimizer(adam ? Optimizers.adam(0.9, 0.999, 1e-7) : Optimizers.sgd())
                  .learningRate(LearningRate.constant(learningRate)));
        });
  }

  public static Dataset data(int size, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] x = new float[2 * size];
    float[] y = new float[size];
    for (int i = 0; i < size; i++) {
      x[2 * i] = (float) random.nextDouble(-1, 1);
      x[2 * i + 1] = (float) random.nextDouble(-1, 1);
      y[i] = (float) (Math.sin(3 * x[2 * i]) + x[2 * i + 1] * x[2 * i + 1]);
    }
    return Dataset.builder().add(X, x).add(Y, y).build();
  }

  /** Every trainable weight, concatenated in variable order. */
  public static float[] weights(Trainer engine) {
    return engine.trainableWeights().values().stream().reduce(new float[0], Regression::concat);
  }

  private static float[] concat(float[] a, float[] b) {
    float[] both = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    return both;
  }
}
