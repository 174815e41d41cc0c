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
 * The benchmarked MLP, 784-256-10 with Adam (learning rate 1e-3); tfloop generates {@code MlpLoop}.
 * The benchmarks set other batch sizes with {@code LoopOptions.batchSize}.
 */
@TrainingLoop(batchSize = 32, seed = 1)
public class Mlp {

  @Model
  Operand<TFloat32> logits(Layers nn, @Feature(shape = {28, 28}) Operand<TFloat32> image) {
    return nn.dense(nn.dense(nn.flatten(image), 256, Activation.RELU), 10);
  }

  @Loss
  Operand<TFloat32> loss(Ops tf, Operand<TFloat32> logits, @Label Operand<TInt32> label) {
    return Losses.sparseCategoricalCrossentropy(tf, logits, label);
  }

  @Step(optimizer = Optimizer.ADAM, learningRate = 1e-3)
  void train() {}
}
