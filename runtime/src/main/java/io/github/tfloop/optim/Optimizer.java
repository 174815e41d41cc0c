package io.github.tfloop.optim;

import io.github.tfloop.graph.VariableStore.Variable;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.types.family.TNumber;

/**
 * An optimization algorithm: how one variable is updated from its gradient. Implementations create
 * their slots (moments, accumulators) through {@link UpdateContext#slot} and return the op that
 * applies the update; the step that owns them runs every variable's update together and then counts
 * the iteration.
 */
public interface Optimizer {

  /** A short name, such as {@code adam}, used in slot names and logs. */
  String name();

  /** Builds the update of {@code variable} by {@code gradient}. */
  <T extends TNumber> Op apply(UpdateContext context, Variable<T> variable, Operand<T> gradient);
}
