package io.github.tfloop.internal;

import io.github.tfloop.internal.build.StepSpec;
import io.github.tfloop.loss.Losses;
import io.github.tfloop.nn.Activation;
import io.github.tfloop.nn.Layers;
import io.github.tfloop.optim.Clipping;
import io.github.tfloop.optim.LearningRate;
import io.github.tfloop.optim.Optimizer;
import io.github.tfloop.train.LoopOptions;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * {@link Regression}'s network with the optimizer, learning rate, clipping and loss name given:
 * what the tests of the training controls vary.
 */
final class ControlLoops {

  private ControlLoops() {}

  static Trainer regression(
      LoopOptions options,
      Optimizer optimizer,
      LearningRate learningRate,
      Clipping clipping,
      String lossName) {
    return TestLoops.build(
        "Curve",
        8,
        11L,
        options,
        loop -> {
          Operand<TFloat32> x = loop.input(Regression.X, TFloat32.class);
          Operand<TFloat32> y = loop.input(Regression.Y, TFloat32.class);
          Layers nn = loop.layers("curve");
          Operand<TFloat32> prediction =
              loop.output("curve", nn.dense(nn.dense(x, 16, Activation.RELU), 1));
          loop.loss(lossName, Losses.meanSquaredError(loop.ops(), prediction, y));
          loop.step(
              StepSpec.named("train")
                  .minimizing(lossName)
                  .optimizer(optimizer)
                  .learningRate(learningRate)
                  .clipping(clipping));
        });
  }
}
