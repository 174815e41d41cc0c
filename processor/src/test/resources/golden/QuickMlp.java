package example;

import io.github.tfloop.annotations.Feature;
import io.github.tfloop.annotations.LossFunction;
import io.github.tfloop.annotations.Metric;
import io.github.tfloop.annotations.Model;
import io.github.tfloop.annotations.Schedule;
import io.github.tfloop.annotations.StandardLoss;
import io.github.tfloop.annotations.Step;
import io.github.tfloop.annotations.TrainingLoop;
import io.github.tfloop.nn.Activation;
import io.github.tfloop.nn.Layers;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/** A classifier with a built-in loss, a schedule with warm-up and several metrics. */
@TrainingLoop(batchSize = 64, metrics = {Metric.ACCURACY, Metric.PRECISION, Metric.AUC})
@StandardLoss(value = LossFunction.BINARY_CROSSENTROPY, labelShape = 1)
public class QuickMlp {

  @Model
  Operand<TFloat32> logit(Layers nn, @Feature(shape = {16}) Operand<TFloat32> features) {
    return nn.dense(nn.dropout(nn.dense(features, 32, Activation.RELU), 0.2), 1);
  }

  @Step(learningRate = 1e-2, schedule = Schedule.COSINE_DECAY,
      scheduleParams = {"decaySteps=5000", "warmupSteps=100"})
  void train() {}
}
