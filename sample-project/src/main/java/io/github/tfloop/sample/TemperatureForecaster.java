package io.github.tfloop.sample;

import static io.github.tfloop.sample.SeattleWeather.FEATURES;
import static io.github.tfloop.sample.SeattleWeather.HORIZON;
import static io.github.tfloop.sample.SeattleWeather.WINDOW;

import io.github.tfloop.annotations.Feature;
import io.github.tfloop.annotations.Label;
import io.github.tfloop.annotations.Loss;
import io.github.tfloop.annotations.Metric;
import io.github.tfloop.annotations.Model;
import io.github.tfloop.annotations.Step;
import io.github.tfloop.annotations.TrainingLoop;
import io.github.tfloop.loss.Losses;
import io.github.tfloop.loss.Reduction;
import io.github.tfloop.nn.Layers;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * A week's maximum temperatures in Seattle from the last two weeks of weather ({@link
 * SeattleWeather}): a GRU reads the {@link SeattleWeather#WINDOW} days, and a dense layer turns its
 * last state into {@link SeattleWeather#HORIZON} corrections to the naive forecast, today's maximum
 * repeated. It is trained on the mean absolute error of the scaled temperatures, the figure it is
 * judged on.
 */
@TrainingLoop(batchSize = 32, seed = 14, metrics = Metric.MAE)
public class TemperatureForecaster {

  /** The GRU's units. */
  static final int UNITS = 32;

  /** Where a day's maximum temperature sits among its {@link SeattleWeather#FEATURES} values. */
  static final int MAX_TEMP_FEATURE = 1;

  @Model
  Operand<TFloat32> forecast(
      Ops tf, Layers nn, @Feature(shape = {WINDOW, FEATURES}) Operand<TFloat32> days) {
    // Today's maximum, [batch, 1]: scaled as the targets are, so it is the naive forecast.
    Operand<TFloat32> today =
        tf.reshape(
            tf.slice(
                days,
                tf.constant(new int[] {0, WINDOW - 1, MAX_TEMP_FEATURE}),
                tf.constant(new int[] {-1, 1, 1})),
            tf.constant(new int[] {-1, 1}));
    Operand<TFloat32> correction = nn.dense(nn.gru(days, UNITS), HORIZON);
    return tf.math.add(today, correction);
  }

  @Loss
  Operand<TFloat32> loss(
      Ops tf, Operand<TFloat32> forecast, @Label(shape = {HORIZON}) Operand<TFloat32> maxTemp) {
    return Losses.meanAbsoluteError(tf, forecast, maxTemp, Reduction.MEAN);
  }

  @Step(learningRate = 1e-3)
  void train() {}
}
