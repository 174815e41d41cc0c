package io.github.tfloop.checkpoint;

import io.github.tfloop.graph.VariableStore;
import io.github.tfloop.graph.VariableStore.Variable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.StdArrays;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.train.Restore;
import org.tensorflow.types.TString;
import org.tensorflow.types.family.TType;

/**
 * Saves and restores every variable of a loop with TensorFlow's {@code SaveV2} and {@code
 * RestoreV2} ops, which, unlike {@code Session.save}, handle resource variables. Each variable is
 * stored under its {@link Variable#name()}. The ops are added to the graph on first use.
 */
public final class VariableSaver {

  /** What {@link #inventory()} adds to the description of a frozen variable. */
  public static final String FROZEN = "frozen";

  /** What {@link #inventory()} puts before a variable's learning-rate multiplier. */
  public static final String MULTIPLIED = "learning rate x";

  private final Graph graph;
  private final List<Variable<?>> variables;
  private Placeholder<TString> prefix;
  private Op save;
  private Op restore;

  public VariableSaver(Graph graph, VariableStore store) {
    this.graph = graph;
    this.variables = new ArrayList<>(store.checkpointed());
  }

  /** Writes {@code <prefix>.index} and {@code <prefix>.data-00000-of-00001}. */
  public void save(Session session, String path) {
    build();
    try (TString feed = TString.scalarOf(path)) {
      session.runner().feed(prefix, feed).addTarget(save).run();
    }
  }

  /** Sets every variable to its value in the checkpoint at {@code prefix}. */
  public void restore(Session session, String path) {
    build();
    try (TString feed = TString.scalarOf(path)) {
      session.runner().feed(prefix, feed).addTarget(restore).run();
    }
  }

  /**
   * Each variable's name, with its type and shape, as a checkpoint records them, and how it is
   * trained when that is not the default: {@code TFloat32 [784, 128] frozen}, {@code TFloat32 [10]
   * learning rate x0.1}.
   */
  public Map<String, String> inventory() {
    Map<String, String> inventory = new LinkedHashMap<>();
    for (Variable<?> variable : variables) {
      String description = variable.type().getSimpleName() + " " + variable.shape();
      if (variable.frozen()) {
        description += " " + FROZEN;
      } else if (variable.learningRateMultiplier() != 1.0) {
        description += " " + MULTIPLIED + variable.learningRateMultiplier();
      }
      inventory.put(variable.name(), description);
    }
    return inventory;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private void build() {
    if (save != null) {
      return;
    }
    Ops tf = Ops.create(graph).withSubScope("checkpoint");
    String[] names = new String[variables.size()];
    List<Operand<?>> values = new ArrayList<>();
    List<Class<? extends TType>> types = new ArrayList<>();
    for (int i = 0; i < names.length; i++) {
      Variable<?> variable = variables.get(i);
      names[i] = variable.name();
      values.add(variable.read());
      types.add(variable.type());
    }
    Operand<TString> tensorNames = tf.constant(StdArrays.ndCopyOf(names));
    Operand<TString> slices = tf.zerosLike(tensorNames);
    prefix = tf.withName("prefix").placeholder(TString.class, Placeholder.shape(Shape.scalar()));
    save = tf.withName("save").train.save(prefix, tensorNames, slices, values);
    Restore restored =
        tf.withName("restore_values").train.restore(prefix, tensorNames, slices, types);
    List<Op> assignments = new ArrayList<>();
    for (int i = 0; i < names.length; i++) {
      assignments.add(
          tf.assignVariableOp(variables.get(i).handle(), (Operand) restored.tensors().get(i)));
    }
    restore = tf.withControlDependencies(assignments).withName("restore").noOp();
  }
}
