package io.github.tfloop.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.tfloop.data.DType;
import io.github.tfloop.data.InputSpec;
import io.github.tfloop.internal.build.StepSpec;
import io.github.tfloop.loss.Losses;
import io.github.tfloop.nn.Activation;
import io.github.tfloop.nn.Initializer;
import io.github.tfloop.nn.Layers;
import io.github.tfloop.nn.ModelSummary;
import io.github.tfloop.optim.LearningRate;
import io.github.tfloop.optim.Optimizers;
import io.github.tfloop.train.LoopOptions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;

/** A loop's summary: each layer's output shape and parameters, whose counts are its variables'. */
class ModelSummaryTest {

  private static final InputSpec GRID = InputSpec.feature("grid", DType.FLOAT32, 4, 3);
  private static final InputSpec TARGET = InputSpec.label("target", DType.FLOAT32, 1);

  private static Operand<TFloat32> net(Layers nn, Operand<TFloat32> grid) {
    Operand<TFloat32> x = nn.flatten(grid);
    x = nn.batchNorm(nn.dense(x, 8, Activation.RELU));
    x = nn.dropout(x, 0.25);
    Operand<TFloat32> scale =
        nn.variable("scale", Shape.scalar(), TFloat32.class, Initializer.ones());
    return nn.ops().math.mul(nn.dense(x, 1), scale);
  }

  private static Trainer build() {
    return build(LoopOptions.builder());
  }

  private static Trainer build(LoopOptions.Builder options) {
    return TestLoops.build(
        "Summarised",
        8,
        1L,
        options.intraOpThreads(1).interOpThreads(1).build(),
        loop -> {
          Operand<TFloat32> grid = loop.input(GRID, TFloat32.class);
          Operand<TFloat32> target = loop.input(TARGET, TFloat32.class);
          Operand<TFloat32> output = loop.output("net", net(loop.layers("net"), grid));
          net(loop.layers("net"), grid); // built again: the same variables, listed once
          loop.loss("loss", Losses.meanSquaredError(loop.ops(), output, target));
          loop.step(
              StepSpec.named("train")
                  .minimizing("loss")
                  .optimizer(Optimizers.adam(0.9, 0.999, 1e-7))
                  .learningRate(LearningRate.constant(0.01)));
        });
  }

  @Test
  void listsEachLayerWithItsOutputShapeAndParameters() {
    try (Trainer loop = build()) {
      ModelSummary summary = loop.summary();
      assertEquals(
          List.of(
              "net/flatten", "net/dense", "net/batch_norm", "net/dropout", "net/dense_1", "net"),
          summary.layers().stream().map(ModelSummary.Layer::name).toList());
      assertArrayEquals(new long[] {-1, 12}, summary.layer("net/flatten").outputShape().asArray());
      assertArrayEquals(new long[] {-1, 8}, summary.layer("net/dense").outputShape().asArray());
      assertArrayEquals(new long[] {-1, 1}, summary.layer("net/dense_1").outputShape().asArray());
      assertEquals(12 * 8 + 8, summary.layer("net/dense").trainable());
      assertEquals(8 + 8, summary.layer("net/batch_norm").trainable());
      assertEquals(8 + 8, summary.layer("net/batch_norm").nonTrainable());
      assertEquals(8 + 1, summary.layer("net/dense_1").trainable());
      assertEquals("(other variables)", summary.layer("net").kind());
      assertEquals(1, summary.layer("net").trainable());

      // the counts are the variables' sizes
      long trainable =
          loop.trainableWeights().values().stream().mapToLong(values -> values.length).sum();
      assertEquals(trainable, summary.trainableParameters());
      long state =
          loop.variableValues("net/batch_norm/moving_mean").length
              + loop.variableValues("net/batch_norm/moving_variance").length;
      assertEquals(state, summary.nonTrainableParameters());
      assertEquals(trainable + state, summary.totalParameters());
      // Adam's two moments per weight, its update count and the global step
      assertEquals(2 * trainable + 2, summary.optimizerState());

      assertEquals(
          String.join(
              "\n",
              "Summarised",
              "Layer           Kind               Output shape  Trainable  Non-trainable",
              "net/flatten     flatten            [?, 12]               0              0",
              "net/dense       dense              [?, 8]              104              0",
              "net/batch_norm  batch_norm         [?, 8]               16             16",
              "net/dropout     dropout            [?, 8]                0              0",
              "net/dense_1     dense              [?, 1]                9              0",
              "net             (other variables)  -                     1              0",
              "Total parameters: 146 (trainable 130, non-trainable 16); optimizer state: 262",
              ""),
          summary.toString());
    }
  }

  @Test
  void frozenWeightsCountAsNonTrainable() {
    try (Trainer loop = build(LoopOptions.builder().freeze("net/dense"))) {
      ModelSummary summary = loop.summary();
      assertEquals(0, summary.layer("net/dense").trainable());
      assertEquals(12 * 8 + 8, summary.layer("net/dense").nonTrainable());
      assertEquals(8 + 1, summary.layer("net/dense_1").trainable());
      assertEquals(130 - 104, summary.trainableParameters(), "130 less the frozen layer's 104");
      assertEquals(16 + 104, summary.nonTrainableParameters());
    }
  }
}
