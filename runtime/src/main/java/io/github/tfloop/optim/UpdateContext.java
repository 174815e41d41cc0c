package io.github.tfloop.optim;

import io.github.tfloop.graph.VariableStore;
import io.github.tfloop.graph.VariableStore.Kind;
import io.github.tfloop.graph.VariableStore.Variable;
import io.github.tfloop.nn.Initializer;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TNumber;
import org.tensorflow.types.family.TType;

/** What an {@link Optimizer} builds its updates with, for one training step. */
public final class UpdateContext {

  private final Ops tf;
  private final VariableStore store;
  private final String stepName;
  private final Operand<TFloat32> learningRate;
  private final Operand<TFloat32> iteration;
  private final Operand<TInt64> iterationCount;

  /**
   * @param learningRate this update's learning rate
   * @param iterationCount updates made before this one
   */
  public UpdateContext(
      Ops tf,
      VariableStore store,
      String stepName,
      Operand<TFloat32> learningRate,
      Operand<TInt64> iterationCount) {
    this.tf = tf;
    this.store = store;
    this.stepName = stepName;
    this.learningRate = learningRate;
    this.iterationCount = iterationCount;
    this.iteration = tf.dtypes.cast(tf.math.add(iterationCount, tf.constant(1L)), TFloat32.class);
  }

  public Ops ops() {
    return tf;
  }

  /** The learning rate of this update, in the variable's type. */
  public <T extends TNumber> Operand<T> learningRate(Class<T> type) {
    return cast(learningRate, type);
  }

  /** The 1-based number of this update (Adam's {@code t}), in the variable's type. */
  public <T extends TNumber> Operand<T> iteration(Class<T> type) {
    return cast(iteration, type);
  }

  /** Updates made before this one, as TensorFlow's {@code global_step} arguments take it. */
  public Operand<TInt64> iterationCount() {
    return iterationCount;
  }

  /** A scalar constant of the variable's type. */
  public <T extends TNumber> Operand<T> constant(double value, Class<T> type) {
    return tf.dtypes.cast(tf.constant(value), type);
  }

  /**
   * A slot variable shaped like {@code variable}, such as Adam's first moment, named {@code
   * <step>/<variable>/<slot>} and saved in checkpoints with the optimizer's state.
   */
  public <T extends TNumber> Operand<? extends TType> slot(
      Variable<T> variable, String slot, Initializer initializer) {
    String name = stepName + "/" + variable.name() + "/" + slot;
    Operand<T> initialValue =
        initializer.initialValue(tf, variable.shape(), variable.type(), new long[] {0, 0});
    return store
        .create(name, stepName, Kind.OPTIMIZER, variable.type(), variable.shape(), initialValue)
        .handle();
  }

  @SuppressWarnings("unchecked")
  private <T extends TNumber> Operand<T> cast(Operand<TFloat32> value, Class<T> type) {
    return type == TFloat32.class ? (Operand<T>) value : tf.dtypes.cast(value, type);
  }
}
