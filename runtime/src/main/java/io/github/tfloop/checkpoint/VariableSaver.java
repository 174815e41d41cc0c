package io.github.tfloop.checkpoint;

import io.github.tfloop.graph.VariableStore;
import io.github.tfloop.graph.VariableStore.Variable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
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
 *
 * <p>It also saves and reads copies of the variables' values held outside the graph (a snapshot of
 * the weights) in the same format: {@link #saveValues} and {@link #readValues}.
 */
public final class VariableSaver {

  /** What {@link #inventory()} adds to the description of a frozen variable. */
  public static final String FROZEN = "frozen";

  /** What {@link #inventory()} puts before a variable's learning-rate multiplier. */
  public static final String MULTIPLIED = "learning rate x";

  private final Graph graph;
  private final List<Variable<?>> variables;
  private final String scope;
  private Placeholder<TString> prefix;
  private Op save;
  private Op restore;
  private Placeholder<TString> valuesPrefix;
  private final List<Placeholder<?>> values = new ArrayList<>();
  private Op saveValues;
  private Restore readValues;

  /** A saver of every variable {@code store} checkpoints. */
  public VariableSaver(Graph graph, VariableStore store) {
    this(graph, store.checkpointed(), "checkpoint");
  }

  /**
   * A saver of {@code variables}, its ops added under {@code scope} (unique in the graph).
   *
   * @param variables the variables, in the order {@link #saveValues} and {@link #readValues} take
   *     and give their values
   */
  public VariableSaver(Graph graph, List<Variable<?>> variables, String scope) {
    this.graph = graph;
    this.variables = new ArrayList<>(variables);
    this.scope = scope;
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
   * Writes {@code values}, one tensor for each variable in order (a copy of their values taken
   * earlier), as if they were the variables' values: {@code <prefix>.index} and {@code
   * <prefix>.data-00000-of-00001}, in the format {@link #save} writes.
   */
  public void saveValues(Session session, String path, List<? extends Tensor> values) {
    if (values.size() != variables.size()) {
      throw new IllegalArgumentException(
          variables.size() + " variables, " + values.size() + " values to save");
    }
    buildValues();
    try (TString feed = TString.scalarOf(path)) {
      Session.Runner runner = session.runner().feed(valuesPrefix, feed);
      for (int i = 0; i < values.size(); i++) {
        runner.feed(this.values.get(i), values.get(i));
      }
      runner.addTarget(saveValues).run();
    }
  }

  /**
   * Reads the values saved at {@code prefix} without assigning them: one tensor for each variable,
   * in order. The caller closes the result.
   */
  public Result readValues(Session session, String path) {
    buildValues();
    try (TString feed = TString.scalarOf(path)) {
      Session.Runner runner = session.runner().feed(valuesPrefix, feed);
      readValues.tensors().forEach(runner::fetch);
      return runner.run();
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

  private void buildValues() {
    if (saveValues != null) {
      return;
    }
    Ops tf = Ops.create(graph).withSubScope(scope + "_values");
    String[] names = names();
    List<Operand<?>> inputs = new ArrayList<>();
    List<Class<? extends TType>> types = new ArrayList<>();
    for (Variable<?> variable : variables) {
      Placeholder<?> value = placeholder(tf, variable);
      values.add(value);
      inputs.add(value);
      types.add(variable.type());
    }
    Operand<TString> tensorNames = tf.constant(StdArrays.ndCopyOf(names));
    Operand<TString> slices = tf.zerosLike(tensorNames);
    valuesPrefix =
        tf.withName("prefix").placeholder(TString.class, Placeholder.shape(Shape.scalar()));
    saveValues = tf.withName("save").train.save(valuesPrefix, tensorNames, slices, inputs);
    readValues = tf.withName("read").train.restore(valuesPrefix, tensorNames, slices, types);
  }

  private static <T extends TType> Placeholder<T> placeholder(Ops tf, Variable<T> variable) {
    return tf.placeholder(variable.type(), Placeholder.shape(variable.shape()));
  }

  private String[] names() {
    String[] names = new String[variables.size()];
    for (int i = 0; i < names.length; i++) {
      names[i] = variables.get(i).name();
    }
    return names;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private void build() {
    if (save != null) {
      return;
    }
    Ops tf = Ops.create(graph).withSubScope(scope);
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
