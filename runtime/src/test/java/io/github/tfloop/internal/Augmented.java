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

/**
 * A small image classifier with every layer that behaves differently in training: random flips and
 * translations, batch normalisation and dropout, built as generated code builds a loop. Its images
 * are 6×6; the class is how far from the middle the brightest column is (a mirror keeps it).
 */
public final class Augmented {

  public static final InputSpec IMAGE = InputSpec.feature("image", DType.FLOAT32, 6, 6);
  public static final InputSpec LABEL = InputSpec.label("label", DType.INT32);

  private Augmented() {}

  public static Trainer build(LoopOptions options) {
    return TestLoops.build(
        "Augmented",
        16,
        5L,
        options,
        loop -> {
          Operand<TFloat32> image = loop.input(IMAGE, TFloat32.class);
          Operand<TInt32> label = loop.input(LABEL, TInt32.class);
          Layers nn = loop.layers("logits");
          Operand<TFloat32> x = nn.randomFlipHorizontal(nn.reshape(image, 6, 6, 1));
          x = nn.randomTranslation(x, 0.2);
          x = nn.conv2d(x, 4, 3, Activation.LINEAR);
          x = nn.activation(nn.batchNorm(x), Activation.RELU);
          x = nn.dropout(nn.flatten(x), 0.25);
          x = nn.dropout(nn.dense(x, 16, Activation.RELU), 0.25);
          Operand<TFloat32> logits = loop.output("logits", nn.dense(x, 3));
          loop.loss("loss", Losses.sparseCategoricalCrossentropy(loop.ops(), logits, label));
          loop.step(
              StepSpec.named("train")
                  .minimizing("loss")
                  .optimizer(Optimizers.adam(0.9, 0.999, 1e-7))
                  .learningRate(LearningRate.constant(0.01)));
        });
  }

  public static Dataset data(int size, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] images = new float[36 * size];
    int[] labels = new int[size];
    for (int i = 0; i < size; i++) {
      int column = random.nextInt(6);
      labels[i] = column < 3 ? 2 - column : column - 3;
      for (int pixel = 0; pixel < 36; pixel++) {
        images[36 * i + pixel] =
            (float) random.nextDouble(0, 0.5) + (pixel % 6 == column ? 1f : 0f);
      }
    }
    return Dataset.builder().add(IMAGE, images).add(LABEL, labels).build();
  }
}
