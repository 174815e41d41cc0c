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
 * A multi-layer perceptron for Fashion-MNIST: 784 pixels, two ReLU layers of 256 and 128 units, 10
 * logits; sparse categorical cross-entropy minimised with Adam. tfloop generates {@code
 * FashionMlpLoop} from it.
 */
@TrainingLoop(batchSize = 32, seed = 42, metrics = Metric.ACCURACY)
public class FashionMlp {

  @Model
  Operand<TFloat32> logits(Layers nn, @Feature(shape = {28, 28}) Operand<TFloat32> image) {
    Operand<TFloat32> hidden = nn.dense(nn.flatten(image), 256, Activation.RELU);
    hidden = nn.dense(hidden, 128, Activation.RELU);
    return nn.dense(hidden, 10);
  }

  @Loss
  Operand<TFloat32> loss(Ops tf, Operand<TFloat32> logits, @Label Operand<TInt32> label) {
    return Losses.sparseCategoricalCrossentropy(tf, logits, label);
  }

  @Step(optimizer = Optimizer.ADAM, learningRate = 1e-3)
  void train() {}
}
