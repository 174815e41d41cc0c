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
 * A convolutional network in two named parts, for transfer learning: a backbone ({@code
 * logits/backbone}: two blocks of 3×3 convolution, batch normalisation, ReLU and 2×2 max pooling)
 * and a head ({@code logits/head}: 128 ReLU units, dropout and {@value #CLASSES} logits). {@link
 * FashionFineTuning} trains it on five Fashion-MNIST classes, then fine-tunes it on the other five
 * with a new head: freezing the backbone ({@code LoopOptions.freeze("logits/backbone")}), then
 * training it at a tenth of the head's learning rate ({@code learningRateMultiplier}).
 */
@TrainingLoop(batchSize = 32, seed = 42, metrics = Metric.ACCURACY)
public class FashionTransfer {

  /** The classes the head tells apart. */
  public static final int CLASSES = 5;

  /** The backbone's layers: what {@code freeze} and the initial weights name. */
  public static final String BACKBONE = "logits/backbone";

  /** The head's layers, new for each task. */
  public static final String HEAD = "logits/head";

  @Model
  Operand<TFloat32> logits(Layers nn, @Feature(shape = {28, 28}) Operand<TFloat32> image) {
    Layers backbone = nn.scope("backbone");
    Operand<TFloat32> x = backbone.reshape(image, 28, 28, 1);
    x = block(backbone, x, 32); // 14 x 14 x 32
    x = block(backbone, x, 64); // 7 x 7 x 64
    Layers head = nn.scope("head");
    Operand<TFloat32> hidden = head.dense(head.flatten(x), 128, Activation.RELU);
    return head.dense(head.dropout(hidden, 0.3), CLASSES);
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
