package io.github.tfloop.internal;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tfloop.data.Dataset;
import io.github.tfloop.internal.build.StepSpec;
import io.github.tfloop.loss.Losses;
import io.github.tfloop.nn.Layers;
import io.github.tfloop.optim.LearningRate;
import io.github.tfloop.optim.Optimizers;
import io.github.tfloop.train.LoopOptions;
import io.github.tfloop.train.TrainingException;
import org.junit.jupiter.api.Test;
import org.tensorflow.Operand;
import org.tensorflow.exceptions.TFInvalidArgumentException;
import org.tensorflow.types.TFloat32;

/**
 * When TensorFlow fails a batch of {@code evaluate} or {@code predict} (here, a model that needs
 * batches of at least 8), the exception names the examples of that batch.
 */
class BatchBoundaryTest {

  private static Trainer fixedBatch() {
    return TestLoops.build(
        "Fixed",
        8,
        1L,
        LoopOptions.defaults(),
        loop -> {
          Operand<TFloat32> x = loop.input(Regression.X, TFloat32.class);
          Operand<TFloat32> y = loop.input(Regression.Y, TFloat32.class);
          Layers nn = loop.layers("fixed");
          // each example's output plus example 7's: batches of fewer than 8 fail
          Operand<TFloat32> dense = nn.dense(x, 1);
          Operand<TFloat32> eighth =
              loop.ops().gather(dense, loop.ops().constant(new int[] {7}), loop.ops().constant(0));
          Operand<TFloat32> prediction = loop.output("fixed", loop.ops().math.add(dense, eighth));
          loop.loss("loss", Losses.meanSquaredError(loop.ops(), prediction, y));
          loop.step(
              StepSpec.named("train")
                  .minimizing("loss")
                  .optimizer(Optimizers.sgd())
                  .learningRate(LearningRate.constant(0.01)));
        });
  }

  @Test
  void evaluateAndPredictNameTheBatchThatFailed() {
    Dataset data = Regression.data(20, 1);
    try (Trainer loop = fixedBatch()) {
      loop.fit(data, null); // two full batches; the rest dropped
      TrainingException evaluate = assertThrows(TrainingException.class, () -> loop.evaluate(data));
      assertTrue(
          evaluate
              .getMessage()
              .startsWith(
                  "Fixed: evaluating examples 16 to 19 of 20 (a batch of 4) failed:"
                      + " indices[0] = 7 is not in [0, 4)"),
          evaluate.getMessage());
      assertInstanceOf(TFInvalidArgumentException.class, evaluate.getCause());
      TrainingException predict =
          assertThrows(TrainingException.class, () -> loop.predictFloats(data));
      assertTrue(
          predict
              .getMessage()
              .startsWith("Fixed: predicting examples 16 to 19 of 20 (a batch of 4) failed: "),
          predict.getMessage());
      // the loop is still usable
      assertTrue(loop.evaluate(data.take(16)).get("loss") >= 0);
    }
  }
}
