package example;

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
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt64;

/** Two models, each with its own loss, step, optimizer and variables; double precision. */
@TrainingLoop(batchSize = 16, seed = 7, metrics = Metric.ACCURACY)
public class TwoHeads {

  @Model
  Operand<TFloat64> classifier(Layers nn, @Feature(shape = {3}) Operand<TFloat64> x) {
    return nn.dense(nn.dense(x, 8, Activation.RELU), 4);
  }

  @Model
  Operand<TFloat64> regressor(Layers nn, Ops tf, @Feature(shape = {3}) Operand<TFloat64> x) {
    return nn.dense(tf.math.tanh(x), 1);
  }

  @Loss
  Operand<TFloat64> classification(
      Ops tf, Operand<TFloat64> classifier, @Label Operand<TInt64> kind) {
    return Losses.sparseCategoricalCrossentropy(tf, classifier, kind);
  }

  @Loss
  Operand<TFloat64> regression(
      Ops tf, Operand<TFloat64> regressor, @Label(shape = {1}) Operand<TFloat64> target) {
    return Losses.meanSquaredError(tf, regressor, target);
  }

  @Step(loss = "classification", variables = "classifier", optimizer = Optimizer.SGD,
      learningRate = 0.05)
  void trainClassifier() {}

  @Step(loss = "regression", variables = "regressor")
  void trainRegressor() {}
}
