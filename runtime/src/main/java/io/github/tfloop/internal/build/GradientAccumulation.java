package io.github.tfloop.internal.build;

import io.github.tfloop.graph.VariableStore;
import io.github.tfloop.graph.VariableStore.Kind;
import io.github.tfloop.graph.VariableStore.Variable;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TNumber;
import org.tensorflow.types.family.TType;

/**
 * Gradient accumulation for one step ({@code LoopOptions.accumulate(n)}): a variable beside each
 * trained variable sums its gradients over {@code n} batches. The loop runs one of two programs per
 * batch, chosen on the host from the batch's number, so no conditional is needed in the graph:
 *
 * <ul>
 *   <li>{@link #accumulate()}: adds this batch's gradients to the sums (the first {@code n - 1}
 *       batches);
 *   <li>the step's update, built from {@link #meanGradients()}: {@code (sum + this batch's
 *       gradients) / n}, clipped, checked and applied by the optimizer as one batch's gradients
 *       are, after which {@link #reset} sets the sums back to zero (the {@code n}-th batch).
 * </ul>
 *
 * The sums are optimizer-kind variables: saved in checkpoints, so a resumed fit goes on with the
 * gradients accumulated before it stopped.
 */
final class GradientAccumulation {

  private final Ops tf;
  private final List<Variable<?>> sums = new ArrayList<>();
  private final List<Operand<? extends TNumber>> means = new ArrayList<>();
  private final Op accumulate;

  /**
   * @param trained the variables the step trains
   * @param gradients this batch's gradient of each, in order
   * @param alsoRun ops every batch runs besides (model-state updates such as batch normalisation's)
   */
  GradientAccumulation(
      Ops tf,
      VariableStore store,
      String stepName,
      int batches,
      List<Variable<?>> trained,
      List<Operand<? extends TNumber>> gradients,
      List<Op> alsoRun) {
    this.tf = tf;
    List<Op> adds = new ArrayList<>(alsoRun);
    for (int i = 0; i < trained.size(); i++) {
      Variable<?> variable = trained.get(i);
      Variable<?> sum = sumOf(tf, store, stepName, variable);
      sums.add(sum);
      adds.add(tf.assignAddVariableOp(sum.handle(), gradients.get(i)));
      means.add(mean(sum, gradients.get(i), batches));
    }
    this.accumulate = tf.withControlDependencies(adds).withName("accumulate").noOp();
  }

  private static <T extends TType> Variable<T> sumOf(
      Ops tf, VariableStore store, String stepName, Variable<T> variable) {
    return store.create(
        stepName + "/" + variable.name() + "/accumulated_gradient",
        stepName,
        Kind.OPTIMIZER,
        variable.type(),
        variable.shape(),
        zeros(tf, variable));
  }

  /** Zeros of the variable's type and (known) shape, computed from nothing else. */
  private static <T extends TType> Operand<T> zeros(Ops tf, Variable<T> variable) {
    return tf.zeros(tf.constant(variable.shape().asArray()), variable.type());
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private Operand<? extends TNumber> mean(
      Variable<?> sum, Operand<? extends TNumber> gradient, int batches) {
    Operand total = tf.math.add((Operand) sum.read(), (Operand) gradient);
    return tf.math.div(total, tf.dtypes.cast(tf.constant((double) batches), total.type()));
  }

  /** The op that adds one batch's gradients to the sums (and runs the model-state updates). */
  Op accumulate() {
    return accumulate;
  }

  /** For each trained variable, the mean of the accumulated gradients and this batch's. */
  List<Operand<? extends TNumber>> meanGradients() {
    return means;
  }

  /** An op that sets every sum back to zero once {@code update} has run (or was skipped). */
  Op reset(Op update) {
    Ops after = tf.withControlDependencies(List.of(update));
    List<Op> resets = new ArrayList<>();
    for (Variable<?> sum : sums) {
      resets.add(after.assignVariableOp(sum.handle(), zeros(after, sum)));
    }
    return tf.withControlDependencies(resets).withName("applied").noOp();
  }
}
