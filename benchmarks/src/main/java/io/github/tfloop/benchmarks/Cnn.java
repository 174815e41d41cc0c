package io.github.tfloop.benchmarks;

import io.github.tfloop.annotations.Feature;
import io.github.tfloop.annotations.Label;
import io.github.tfloop.annotations.Loss;
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
 * The benchmarked CNN: two 3×3 convolutions (32 and 64 filters, ReLU, same padding), each followed
 * by 2×2 max pooling, then 10 logits; Adam (learning rate 1e-3), batch 64. tfloop generates {@code
 * CnnLoop}.
 */
@TrainingLoop(batchSize = 64, seed = 1)
public class Cnn {

  @Model
  Operand<TFloat32> logits(Layers nn, @Feature(shape = {28, 28}) Operand<TFloat32> image) {
    Operand<TFloat32> x = nn.reshape(image, 28, 28, 1);
    x = nn.maxPool(nn.conv2d(x, 32, 3, Activation.RELU), 2);
    x = nn.maxPool(nn.conv2d(x, 64, 3, Activation.RELU), 2);
    return nn.dense(nn.flatten(x), 10);
  }

  @Loss
  Operand<TFloat32> loss(Ops tf, Operand<TFloat32> logits, @Label Operand<TInt32> label) {
    return Losses.sparseCategoricalCrossentropy(tf, logits, label);
  }

  @Step(optimizer = Optimizer.ADAM, learningRate = 1e-3)
  void train() {}
}
