package io.github.tfloop.sample;

import io.github.tfloop.annotations.Feature;
import io.github.tfloop.annotations.Loss;
import io.github.tfloop.annotations.Model;
import io.github.tfloop.annotations.Optimizer;
import io.github.tfloop.annotations.Step;
import io.github.tfloop.annotations.TrainingLoop;
import io.github.tfloop.loss.Losses;
import io.github.tfloop.loss.Reduction;
import io.github.tfloop.nn.Activation;
import io.github.tfloop.nn.Layers;
import io.github.tfloop.nn.Network;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * A generative adversarial network that learns a one-dimensional mixture of two Gaussians ({@link
 * GaussianMixture}): a generator maps 8-dimensional noise to a sample; a critic, a function model
 * applied to real and to generated samples alike, tells them apart. Two steps, each with its own
 * loss, optimizer and variables, run on every batch in declaration order.
 */
@TrainingLoop(batchSize = 128, seed = 11)
public class MixtureGan {

  @Model
  Operand<TFloat32> generator(Layers nn, @Feature(shape = {8}) Operand<TFloat32> noise) {
    Operand<TFloat32> hidden = nn.dense(noise, 64, Activation.LEAKY_RELU);
    hidden = nn.dense(hidden, 64, Activation.LEAKY_RELU);
    return nn.dense(hidden, 1);
  }

  @Model
  Operand<TFloat32> critic(Layers nn, Operand<TFloat32> sample) {
    Operand<TFloat32> hidden = nn.dense(sample, 64, Activation.LEAKY_RELU);
    hidden = nn.dense(hidden, 64, Activation.LEAKY_RELU);
    return nn.dense(hidden, 1);
  }

  /** The critic's cross-entropy: real samples are 1, generated ones 0. */
  @Loss
  Operand<TFloat32> criticLoss(
      Ops tf,
      Network<TFloat32> critic,
      Operand<TFloat32> generator,
      @Feature(shape = {1}) Operand<TFloat32> real) {
    Operand<TFloat32> onReal = critic.apply(real);
    Operand<TFloat32> onFake = critic.apply(generator);
    return tf.math.add(
        Losses.binaryCrossentropy(tf, onReal, tf.onesLike(onReal), true, Reduction.MEAN),
        Losses.binaryCrossentropy(tf, onFake, tf.zerosLike(onFake), true, Reduction.MEAN));
  }

  /** The generator's non-saturating loss: its samples should be taken for real. */
  @Loss
  Operand<TFloat32> generatorLoss(Ops tf, Network<TFloat32> critic, Operand<TFloat32> generator) {
    Operand<TFloat32> onFake = critic.apply(generator);
    return Losses.binaryCrossentropy(tf, onFake, tf.onesLike(onFake), true, Reduction.MEAN);
  }

  @Step(
      loss = "criticLoss",
      variables = "critic",
      optimizer = Optimizer.ADAM,
      params = "beta1=0.5",
      learningRate = 1e-3)
  void trainCritic() {}

  @Step(
      loss = "generatorLoss",
      variables = "generator",
      optimizer = Optimizer.ADAM,
      params = "beta1=0.5",
      learningRate = 1e-3)
  void trainGenerator() {}
}
