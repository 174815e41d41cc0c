package io.github.tfloop.sample;

import io.github.tfloop.annotations.Feature;
import io.github.tfloop.annotations.Label;
import io.github.tfloop.annotations.Loss;
import io.github.tfloop.annotations.Metric;
import io.github.tfloop.annotations.Model;
import io.github.tfloop.annotations.Optimizer;
import io.github.tfloop.annotations.Schedule;
import io.github.tfloop.annotations.Step;
import io.github.tfloop.annotations.TrainingLoop;
import io.github.tfloop.nn.Activation;
import io.github.tfloop.nn.Layers;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Regression on Auto MPG ({@link AutoMpg}): a car's fuel efficiency, scaled to [0, 1], from nine
 * standardised features. The loss is a weighted mean squared error that counts errors on efficient
 * cars (scaled efficiency above 0.5) twice.
 */
@TrainingLoop(
    batchSize = 32,
    seed = 5,
    metrics = {Metric.MAE, Metric.RMSE})
public class FuelEfficiency {

  /** Errors on cars whose scaled efficiency is above this count {@link #HEAVY} times. */
  static final float THRESHOLD = 0.5f;

  /** The weight of errors on efficient cars; others weigh 1. */
  static final float HEAVY = 2f;

  @Model
  Operand<TFloat32> efficiency(
      Layers nn, @Feature(shape = {AutoMpg.FEATURES}) Operand<TFloat32> car) {
    Operand<TFloat32> hidden = nn.dense(car, 64, Activation.RELU);
    hidden = nn.dense(hidden, 32, Activation.RELU);
    return nn.dense(hidden, 1);
  }

  /** {@code mean(w * (prediction - target)²)} with {@code w} 2 above the threshold, else 1. */
  @Loss
  Operand<TFloat32> weightedMse(
      Ops tf, Operand<TFloat32> efficiency, @Label(shape = {1}) Operand<TFloat32> target) {
    Operand<TFloat32> weights =
        tf.select(
            tf.math.greater(target, tf.constant(THRESHOLD)), tf.constant(HEAVY), tf.constant(1f));
    Operand<TFloat32> weighted =
        tf.math.mul(weights, tf.math.squaredDifference(efficiency, target));
    return tf.math.mean(weighted, tf.constant(new int[] {0, 1}));
  }

  @Step(
      optimizer = Optimizer.ADAM,
      learningRate = 3e-3,
      schedule = Schedule.EXPONENTIAL_DECAY,
      scheduleParams = {"decaySteps=500", "decayRate=0.5"})
  void train() {}
}
