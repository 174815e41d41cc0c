package io.github.tfloop.optim;

import io.github.tfloop.graph.VariableStore;
import io.github.tfloop.graph.VariableStore.Kind;
import io.github.tfloop.graph.VariableStore.Variable;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt64;

/**
 * Applies an {@link Optimizer} to one float64 variable, gradient after gradient, the way a step
 * does (update, then count the iteration), and returns the variable after each update.
 */
final class OptimizerHarness {

  private OptimizerHarness() {}

  static double[][] run(
      Optimizer optimizer, LearningRate learningRate, double[] initial, double[][] gradients) {
    try (Graph graph = new Graph();
        Session session = new Session(graph)) {
      Ops tf = Ops.create(graph);
      VariableStore store = new VariableStore(tf);
      Variable<TFloat64> w =
          store.create(
              "w",
              "model",
              Kind.TRAINABLE,
              TFloat64.class,
              Shape.of(initial.length),
              tf.constant(initial));
      Variable<TInt64> iterations =
          store.create(
              "iterations", "step", Kind.OPTIMIZER, TInt64.class, Shape.scalar(), tf.constant(0L));
      Placeholder<TFloat64> gradient =
          tf.placeholder(TFloat64.class, Placeholder.shape(Shape.of(initial.length)));
      UpdateContext context =
          new UpdateContext(
              tf, store, "step", learningRate.value(tf, iterations.read()), iterations.read());
      Op apply = optimizer.apply(context, w, gradient);
      Op update =
          tf.withControlDependencies(List.of(apply))
              .assignAddVariableOp(iterations.handle(), tf.constant(1L));
      List<Op> initializers = new ArrayList<>();
      store.all().forEach(variable -> initializers.add(variable.initializer()));
      session.run(tf.withControlDependencies(initializers).noOp());

      double[][] values = new double[gradients.length][];
      for (int i = 0; i < gradients.length; i++) {
        try (TFloat64 g = TFloat64.vectorOf(gradients[i])) {
          session.runner().feed(gradient, g).addTarget(update).run().close();
        }
        values[i] = read(session, w.read(), initial.length);
      }
      return values;
    }
  }

  private static double[] read(Session session, Operand<TFloat64> value, int length) {
    try (Result result = session.runner().fetch(value).run()) {
      TFloat64 tensor = (TFloat64) result.get(0);
      double[] values = new double[length];
      for (int i = 0; i < length; i++) {
        values[i] = tensor.getDouble(i);
      }
      return values;
    }
  }
}
