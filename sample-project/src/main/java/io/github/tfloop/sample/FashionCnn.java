package io.github.tfloop.sample;

import io.github.tfloop.annotations.Feature;
import io.github.tfloop.annotations.Label;
import io.github.tfloop.annotations.Loss;
import io.github.tfloop.annotations.Metric;
import io.github.tfloop.annotations.Model;
import io.github.tfloop.annotations.Optimizer;
import io.github.tfloop.annotations.Step;
import io.github.tfloop.annotations.TrainingLoop;
import io.github.tfloop.loss.Losses;
import io.github.tfloop.nn.Activation;
import io.github.tfloop.nn.Layers;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * A convolutional network for Fashion-MNIST: two blocks of 3×3 convolution, batch normalisation,
 * ReLU and 2×2 max pooling (32 then 64 filters), then a 128-unit layer with dropout and 10 logits.
 * Training flips images left to right at random (clothes are roughly symmetric).
 */
@TrainingLoop(batchSize = 64, seed = 42, metrics = Metric.ACCURACY)
public class FashionCnn {

  @Model
  Operand<TFloat32> logits(Layers nn, @Feature(shape = {28, 28}) Operand<TFloat32> image) {
    Operand<TFloat32> x = nn.randomFlipHorizontal(nn.reshape(image, 28, 28, 1));
    x = block(nn, x, 32);
    x = block(nn, x, 64);
    x = nn.dropout(nn.flatten(x), 0.3);
    x = nn.dropout(nn.dense(x, 128, Activation.RELU), 0.3);
    return nn.dense(x, 10);
  }

  /** Convolution, batch normalisation, ReLU, 2×2 max pooling. */
  private static Operand<TFloat32> block(Layers nn, Operand<TFloat32> x, int filters) {
    Operand<TFloat32> convolved = nn.conv2d(x, filters, 3, Activation.LINEAR);
    return nn.maxPool(nn.activation(nn.batchNorm(convolved), Activation.RELU), 2);
  }

  @Loss
  Operand<TFloat32> loss(Ops tf, Operand<TFloat32> logits, @Label Operand<TInt32> label) {
    return Losses.sparseCategoricalCrossentropy(tf, logits, label);
  }

  @Step(optimizer = Optimizer.ADAM, learningRate = 1e-3)
  void train() {}
}
