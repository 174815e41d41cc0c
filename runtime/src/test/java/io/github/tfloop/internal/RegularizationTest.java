package io.github.tfloop.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.tfloop.data.Dataset;
import io.github.tfloop.internal.build.LoopBuilder;
import io.github.tfloop.internal.build.StepSpec;
import io.github.tfloop.loss.Losses;
import io.github.tfloop.nn.Activation;
import io.github.tfloop.nn.Layers;
import io.github.tfloop.nn.Regularizer;
import io.github.tfloop.optim.LearningRate;
import io.github.tfloop.optim.Optimizers;
import io.github.tfloop.train.History;
import io.github.tfloop.train.LoopOptions;
import org.junit.jupiter.api.Test;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * A kernel regulariser reaches the loss the step minimises: an L2-penalised line converges to the
 * closed-form ridge solution, and the reported loss stays the data term.
 */
class RegularizationTest {

  private static final double LAMBDA = 1.0 / 3;

  private static Trainer line(Regularizer regularizer) {
    LoopBuilder loop =
        LoopBuilder.create(
            "Ridge",
            256,
            1L, // full batches: gradient descent
            LoopOptions.builder().epochs(300).shuffle(false).build());
    Operand<TFloat32> x = loop.input(LoopEngineTest.X, TFloat32.class);
    Operand<TFloat32> y = loop.input(LoopEngineTest.Y, TFloat32.class);
    Layers nn = loop.layers("line").kernelRegularizer(regularizer);
    Operand<TFloat32> prediction = loop.output("line", nn.dense(x, 1, Activation.LINEAR));
    loop.loss("loss", Losses.meanSquaredError(loop.ops(), prediction, y));
    loop.step(
        StepSpec.named("train")
            .minimizing("loss")
            .optimizer(Optimizers.sgd())
            .learningRate(LearningRate.constant(0.2)));
    return Trainer.start(loop.build());
  }

  @Test
  void anL2PenaltyGivesTheRidgeSolution() {
    Dataset data = LoopEngineTest.line(256, 8);
    float[] x = (float[]) data.column("x").values();
    float[] y = (float[]) data.column("y").values();
    double meanX = 0;
    double meanY = 0;
    for (int i = 0; i < x.length; i++) {
      meanX += x[i] / x.length;
      meanY += y[i] / x.length;
    }
    double covariance = 0;
    double variance = 0;
    for (int i = 0; i < x.length; i++) {
      covariance += (x[i] - meanX) * (y[i] - meanY) / x.length;
      variance += (x[i] - meanX) * (x[i] - meanX) / x.length;
    }
    // minimise mean((w x + b - y)^2) + lambda w^2: w = cov(x, y) / (var(x) + lambda)
    double ridge = covariance / (variance + LAMBDA);

    try (Trainer plain = line(null);
        Trainer penalised = line(Regularizer.l2(LAMBDA))) {
      plain.fit(data, null);
      History history = penalised.fit(data, null);
      assertEquals(3.0, plain.variableValues("line/dense/kernel")[0], 1e-3, "no penalty: w = 3");
      double w = penalised.variableValues("line/dense/kernel")[0];
      assertEquals(ridge, w, 1e-3, "the ridge solution");
      // the history reports the data term, without the penalty
      double b = penalised.variableValues("line/dense/bias")[0];
      double dataLoss = 0;
      for (int i = 0; i < x.length; i++) {
        double error = w * x[i] + b - y[i];
        dataLoss += error * error / x.length;
      }
      assertEquals(dataLoss, history.last().get("loss"), dataLoss * 0.05);
    }
  }
}
