import io.github.tfloop.annotations.Feature;
import io.github.tfloop.annotations.Label;
import io.github.tfloop.annotations.Loss;
import io.github.tfloop.annotations.Model;
import io.github.tfloop.annotations.Step;
import io.github.tfloop.annotations.TrainingLoop;
import io.github.tfloop.loss.Losses;
import io.github.tfloop.nn.Layers;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** A regression in the default package, as in a quick experiment. */
@TrainingLoop
class Scratch {

  @Model
  Operand<TFloat32> fit(Layers nn, @Feature Operand<TFloat32> x) {
    return nn.dense(nn.reshape(x, 1), 1);
  }

  @Loss
  Operand<TFloat32> squared(Ops tf, Operand<TFloat32> fit, @Label(shape = 1) Operand<TFloat32> y) {
    return Losses.meanSquaredError(tf, fit, y);
  }

  @Step
  void train() {}
}
