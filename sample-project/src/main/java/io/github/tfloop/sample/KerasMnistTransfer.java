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
import io.github.tfloop.weights.InitialWeights;
import io.github.tfloop.weights.WeightMapping;
import java.nio.file.Path;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The hidden layer of a Keras 2 MLP trained on MNIST digits (784 → 128 ReLU, Keras layer {@code
 * dense_6}) as a backbone, under a new head of {@value FashionTransfer#CLASSES} logits: {@link
 * FashionFineTuning} fine-tunes it on Fashion-MNIST with {@link #pretrained(Path)}.
 */
@TrainingLoop(batchSize = 32, seed = 42, metrics = Metric.ACCURACY)
public class KerasMnistTransfer {

  @Model
  Operand<TFloat32> logits(Layers nn, @Feature(shape = {28, 28}) Operand<TFloat32> image) {
    Operand<TFloat32> features =
        nn.scope("backbone").dense(nn.flatten(image), 128, Activation.RELU);
    return nn.scope("head").dense(features, FashionTransfer.CLASSES);
  }

  @Loss
  Operand<TFloat32> loss(Ops tf, Operand<TFloat32> logits, @Label Operand<TInt32> label) {
    return Losses.sparseCategoricalCrossentropy(tf, logits, label);
  }

  @Step(optimizer = Optimizer.ADAM, learningRate = 1e-3)
  void train() {}

  /**
   * The Keras file's first layer as the backbone; its digit classifier ({@code dense_7}) left out,
   * the new head starting from its initialisers.
   */
  public static InitialWeights pretrained(Path kerasFile) {
    return InitialWeights.from(
        kerasFile,
        WeightMapping.builder()
            .renamePrefix("dense_6/", FashionTransfer.BACKBONE + "/dense/")
            .skip(name -> name.startsWith("dense_7/"))
            .keepInitial(name -> name.startsWith(FashionTransfer.HEAD + "/"))
            .build());
  }
}
