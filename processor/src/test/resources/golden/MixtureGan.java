package example;

import io.github.tfloop.annotations.Feature;
import io.github.tfloop.annotations.Loss;
import io.github.tfloop.annotations.Model;
import io.github.tfloop.annotations.Optimizer;
import io.github.tfloop.annotations.Schedule;
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

/** A GAN: a generator called on noise, a critic applied to real and generated samples. */
@TrainingLoop(batchSize = 128, seed = 7)
public class MixtureGan {

  @Model
  Operand<TFloat32> generator(Layers nn, @Feature(shape = {8}) Operand<TFloat32> noise) {
    return nn.dense(nn.dense(noise, 32, Activation.LEAKY_RELU), 1);
  }

  @Model
  Operand<TFloat32> critic(Layers nn, Operand<TFloat32> sample) {
    return nn.dense(nn.dense(sample, 32, Activation.LEAKY_RELU), 1);
  }

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

  @Loss
  Operand<TFloat32> generatorLoss(
      Ops tf, Network<TFloat32> critic, Operand<TFloat32> generator) {
    Operand<TFloat32> onFake = critic.apply(generator);
    return Losses.binaryCrossentropy(tf, onFake, tf.onesLike(onFake), true, Reduction.MEAN);
  }

  @Step(loss = "criticLoss", variables = "critic", optimizer = Optimizer.ADAM,
      params = {"beta1=0.5"}, learningRate = 2e-3, clipGlobalNorm = 10)
  void trainCritic() {}

  @Step(loss = "generatorLoss", variables = "generator", optimizer = Optimizer.RMSPROP,
      learningRate = 1e-3, schedule = Schedule.EXPONENTIAL_DECAY,
      scheduleParams = {"decaySteps=1000", "decayRate=0.5"}, every = 2)
  void trainGenerator() {}
}
