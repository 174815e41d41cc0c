package example;

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
import org.tensorflow.types.TInt32;

/** A static nested loop class with a named loop, hyper-parameters and names that need care. */
public class Outer {

  @TrainingLoop(name = "NamedLoop", batchSize = 8)
  public static class Nested {
    private final int units;

    public Nested(int units) {
      this.units = units;
    }

    @Model
    protected Operand<TFloat32> logits(
        Layers nn, @Feature(name = "engine", shape = {2, 2}) Operand<TFloat32> pixels) {
      return nn.dense(nn.flatten(pixels), units);
    }

    @Loss
    public Operand<TFloat32> loss(
        Ops tf,
        @Label(name = "batch") Operand<TInt32> label,
        Operand<TFloat32> logits,
        @Feature(name = "engine", shape = {2, 2}) Operand<TFloat32> sameInput) {
      return Losses.sparseCategoricalCrossentropy(tf, logits, label);
    }

    @Step
    void train() {}
  }
}
