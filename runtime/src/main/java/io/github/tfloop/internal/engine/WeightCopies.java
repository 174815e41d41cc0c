package io.github.tfloop.internal.engine;

import io.github.tfloop.checkpoint.VariableSaver;
import io.github.tfloop.graph.VariableStore;
import io.github.tfloop.graph.VariableStore.Variable;
import io.github.tfloop.train.WeightSnapshot;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.family.TType;

/**
 * Copies the trainable and model-state variables out of the session, and back in through
 * placeholders and assign ops added to the graph the first time they are needed; writes a copy to
 * checkpoint files and reads one back ({@link VariableSaver}'s format), so that a listener's copy
 * travels with checkpoints.
 */
final class WeightCopies {

  private final Graph graph;
  private final Session session;
  private final List<Variable<?>> variables;
  private final List<Operand<?>> placeholders = new ArrayList<>();
  private Op assignAll;
  private VariableSaver saver;

  WeightCopies(Graph graph, Session session, VariableStore store) {
    this.graph = graph;
    this.session = session;
    this.variables = store.weights();
  }

  /** Writes {@code snapshot} to {@code <prefix>.index} and {@code <prefix>.data-*}. */
  void save(WeightSnapshot snapshot, Path prefix) {
    List<Tensor> values = new ArrayList<>();
    Result copy = open(snapshot).values;
    for (int i = 0; i < variables.size(); i++) {
      values.add(copy.get(i));
    }
    saver().saveValues(session, prefix.toString(), values);
  }

  /** A snapshot read from the files {@link #save} wrote, as taken at {@code globalStep}. */
  WeightSnapshot load(Path prefix, long globalStep) {
    return new Snapshot(saver().readValues(session, prefix.toString()), globalStep);
  }

  private VariableSaver saver() {
    if (saver == null) {
      saver = new VariableSaver(graph, variables, "weight_snapshots");
    }
    return saver;
  }

  private static Snapshot open(WeightSnapshot snapshot) {
    if (!(snapshot instanceof Snapshot copy) || copy.values == null) {
      throw new IllegalArgumentException("not an open snapshot of this loop: " + snapshot);
    }
    return copy;
  }

  WeightSnapshot snapshot(long globalStep) {
    Session.Runner runner = session.runner();
    for (Variable<?> variable : variables) {
      runner.fetch(variable.read());
    }
    Result values = runner.run();
    return new Snapshot(values, globalStep);
  }

  void restore(WeightSnapshot snapshot) {
    Snapshot copy = open(snapshot);
    if (assignAll == null) {
      buildAssignments();
    }
    Session.Runner runner = session.runner();
    for (int i = 0; i < variables.size(); i++) {
      runner.feed(placeholders.get(i), copy.values.get(i));
    }
    runner.addTarget(assignAll).run().close();
  }

  private void buildAssignments() {
    Ops tf = Ops.create(graph).withSubScope("restore_weights");
    List<Op> assignments = new ArrayList<>();
    for (Variable<?> variable : variables) {
      Placeholder<? extends TType> value = placeholder(tf, variable);
      placeholders.add(value);
      assignments.add(tf.assignVariableOp(variable.handle(), value));
    }
    assignAll = tf.withControlDependencies(assignments).noOp();
  }

  private static <T extends TType> Placeholder<T> placeholder(Ops tf, Variable<T> variable) {
    return tf.placeholder(variable.type(), Placeholder.shape(variable.shape()));
  }

  private static final class Snapshot implements WeightSnapshot {
    private Result values;
    private final long globalStep;

    Snapshot(Result values, long globalStep) {
      this.values = values;
      this.globalStep = globalStep;
    }

    @Override
    public long globalStep() {
      return globalStep;
    }

    @Override
    public void close() {
      if (values != null) {
        values.close();
        values = null;
      }
    }

    @Override
    public String toString() {
      return "WeightSnapshot[step " + globalStep + (values == null ? ", closed]" : "]");
    }
  }
}
