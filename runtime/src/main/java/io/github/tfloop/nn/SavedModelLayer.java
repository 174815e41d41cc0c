package io.github.tfloop.nn;

import io.github.tfloop.graph.VariableStore;
import io.github.tfloop.graph.VariableStore.Kind;
import io.github.tfloop.graph.VariableStore.Variable;
import io.github.tfloop.weights.SavedModelGraph;
import io.github.tfloop.weights.WeightType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.StdArrays;
import org.tensorflow.op.Ops;
import org.tensorflow.op.train.Restore;
import org.tensorflow.types.TString;
import org.tensorflow.types.family.TType;

/**
 * A signature of a SavedModel written by TensorFlow, Keras or tfloop, used as a layer of a
 * {@code @Model}: its graph is imported into the loop's graph with its inputs bound to the operands
 * given, and its variables become the model's, restored from the SavedModel when the loop is
 * created, and trained by the loop's steps like any other (unless frozen). Keras' {@code
 * hub.KerasLayer}, or a loaded model called as a layer, does the same.
 *
 * <pre>{@code
 * @Model
 * Operand<TFloat32> logits(Layers nn, @Feature(shape = {784}) Operand<TFloat32> pixels) {
 *   Operand<TFloat32> features = nn.savedModel(Path.of("encoder"))  // signature serving_default
 *       .trainable(false)                                           // frozen: Keras trainable=False
 *       .apply(pixels);
 *   return nn.dense(features, 10);
 * }
 * }</pre>
 *
 * <p>What is imported: the ops the signature's outputs need from its inputs. Function calls are
 * inlined (a TensorFlow 2 SavedModel's signature is a call of a function), so every op gets its own
 * gradient. Each variable the outputs read becomes a loop variable named {@code
 * <model>/<layer>/<its name>} (such as {@code logits/saved_model/dense/kernel}): trainable if the
 * SavedModel marks it so and this layer is trainable, else frozen model state; checkpoints, resume,
 * weight snapshots and {@code exportSavedModel} cover it like any weight. Its initial value is read
 * from the SavedModel's own checkpoint when the loop initialises its variables.
 *
 * <p>The signature runs as exported, usually in inference mode: batch normalisation inside it uses
 * its moving statistics, dropout is off. A SavedModel that tfloop exported holds its weights as
 * constants (it has no variables), so as a layer it is always frozen; to fine-tune a model tfloop
 * exported, build its layers again and start from its weights with {@code
 * LoopOptions.initialWeights(InitialWeights.from(directory))}.
 *
 * <p>A trainable layer whose variables no gradient reaches fails when the loop is created, naming
 * every op TensorFlow has no gradient for (a {@code While} loop, for example): freeze it with
 * {@link #trainable(boolean) trainable(false)}. Applying the same layer object twice imports its
 * graph twice over the same variables (shared weights).
 */
public final class SavedModelLayer {

  /** The signature a SavedModel serves by default, and the one {@code nn.savedModel(dir)} uses. */
  public static final String SERVING_DEFAULT = "serving_default";

  private final Ops tf;
  private final VariableStore store;
  private final String group;
  private final String name;
  private final Path directory;
  private final String signature;
  private boolean trainable;
  private SavedModelGraph saved;
  private Map<String, Variable<?>> variables;
  private int calls;

  SavedModelLayer(
      Ops tf, VariableStore store, String group, String name, Path directory, String signature) {
    this.tf = tf;
    this.store = store;
    this.group = group;
    this.name = name;
    this.directory = Objects.requireNonNull(directory, "directory");
    this.signature = Objects.requireNonNull(signature, "signature");
  }

  /**
   * Whether the layer's variables are trained: by default, as the {@link Layers} that made it
   * ({@link Layers#trainable(boolean)}); with {@code false}, they are frozen, as Keras' {@code
   * trainable = False}. Variables the SavedModel marks non-trainable are never trained.
   *
   * @throws IllegalStateException if the layer has been applied already
   */
  public SavedModelLayer trainable(boolean trainable) {
    if (variables != null) {
      throw new IllegalStateException(
          "layer " + name + " is applied already: set trainable before apply");
    }
    this.trainable = trainable;
    return this;
  }

  /** The layer's name, such as {@code logits/saved_model}: its variables' prefix. */
  public String name() {
    return name;
  }

  /**
   * The signature as read from the SavedModel: its inputs, outputs and variables.
   *
   * @throws io.github.tfloop.weights.WeightFileException if the SavedModel cannot be read
   * @throws IllegalArgumentException if it has no such signature
   */
  public SavedModelGraph graph() {
    if (saved == null) {
      saved = SavedModelGraph.load(directory, signature);
    }
    return saved;
  }

  /**
   * The output of a signature with one input and one output of the same element type, for {@code
   * input}.
   *
   * @throws IllegalArgumentException if the signature has several inputs or outputs, or types or
   *     shapes that do not fit {@code input}, naming them; or if a trainable layer cannot be
   *     trained, naming the ops without a gradient
   */
  @SuppressWarnings("unchecked")
  public <T extends TType> Operand<T> apply(Operand<T> input) {
    SavedModelGraph graph = graph();
    if (graph.inputs().size() != 1 || graph.outputs().size() != 1) {
      throw new IllegalArgumentException(
          describe()
              + " has inputs "
              + graph.inputs()
              + " and outputs "
              + graph.outputs()
              + "; apply(Operand) takes one input and gives one output: use apply(Map)");
    }
    SavedModelGraph.SignatureTensor in = graph.inputs().get(0);
    SavedModelGraph.SignatureTensor out = graph.outputs().get(0);
    if (in.type() != out.type()) {
      throw new IllegalArgumentException(
          describe()
              + " maps "
              + in
              + " to "
              + out
              + ", another type; apply(Operand) returns the input's type: use apply(Map)");
    }
    return (Operand<T>) apply(Map.of(in.key(), input)).get(out.key());
  }

  /**
   * Every output of the signature, by its key, for the inputs given by key.
   *
   * @throws IllegalArgumentException if an input is missing, unknown, or of a type or shape that
   *     does not fit, naming it; or if a trainable layer cannot be trained, naming the ops without
   *     a gradient
   */
  public Map<String, Operand<?>> apply(Map<String, ? extends Operand<?>> inputs) {
    SavedModelGraph graph = graph();
    Map<String, Operand<?>> mapping = new LinkedHashMap<>();
    Set<String> unknown = new TreeSet<>(inputs.keySet());
    for (SavedModelGraph.SignatureTensor input : graph.inputs()) {
      Operand<?> operand = inputs.get(input.key());
      if (operand == null) {
        throw new IllegalArgumentException(
            describe() + " needs its input " + input + "; given " + inputs.keySet());
      }
      unknown.remove(input.key());
      requireFits(input, operand);
      mapping.put(input.tensor(), operand);
    }
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(
          describe() + " has no inputs " + unknown + "; its inputs are " + graph.inputs());
    }
    if (variables == null) {
      variables = createVariables(graph);
      List<String> trained = new ArrayList<>();
      for (SavedModelGraph.Variable variable : graph.variables()) {
        Variable<?> created = variables.get(variable.node());
        if (created.kind() == Kind.TRAINABLE && !created.frozen()) {
          trained.add(variable.node());
        }
      }
      List<String> culprits = graph.opsWithoutGradient(trained);
      if (!culprits.isEmpty()) {
        throw new IllegalArgumentException(
            "layer "
                + name
                + " ("
                + describe()
                + ") cannot be trained: no usable gradient reaches its variables through "
                + String.join("; ", culprits)
                + ". Use it frozen: nn.savedModel(...).trainable(false)");
      }
    }
    for (SavedModelGraph.Variable variable : graph.variables()) {
      Variable<?> loopVariable = variables.get(variable.node());
      for (String tensor : variable.valueTensors()) {
        mapping.put(tensor, loopVariable.read());
      }
      for (String tensor : variable.handleTensors()) {
        mapping.put(tensor, loopVariable.handle());
      }
    }
    Graph env = (Graph) tf.scope().env();
    String prefix = importPrefix(env, graph);
    Map<String, Output<?>> outputs =
        graph.importInto(env, prefix, tf.scope().getDeviceString(), mapping);
    return new LinkedHashMap<>(outputs);
  }

  /**
   * The loop variables of the SavedModel's variables, by node: created on the first build of the
   * model, found again on later ones; initialised from the SavedModel's checkpoint by one {@code
   * RestoreV2}.
   */
  private Map<String, Variable<?>> createVariables(SavedModelGraph graph) {
    Map<String, Variable<?>> created = new LinkedHashMap<>();
    List<SavedModelGraph.Variable> toCreate = new ArrayList<>();
    for (SavedModelGraph.Variable variable : graph.variables()) {
      Variable<?> existing = store.find(name + "/" + variable.name());
      if (existing != null) {
        created.put(variable.node(), existing);
      } else {
        toCreate.add(variable);
      }
    }
    if (toCreate.isEmpty()) {
      return created;
    }
    Ops scope = tf.withSubScope(name.substring(name.lastIndexOf('/') + 1));
    String[] keys = new String[toCreate.size()];
    List<Class<? extends TType>> types = new ArrayList<>();
    for (int i = 0; i < keys.length; i++) {
      keys[i] = toCreate.get(i).checkpointKey();
      types.add(toCreate.get(i).type().tensorType());
    }
    String[] slices = new String[keys.length];
    Arrays.fill(slices, "");
    Operand<TString> prefix = scope.constant(graph.checkpoint().toAbsolutePath().toString());
    Restore restored =
        scope
            .withName("restore")
            .train
            .restore(
                prefix,
                scope.constant(StdArrays.ndCopyOf(keys)),
                scope.constant(StdArrays.ndCopyOf(slices)),
                types);
    for (int i = 0; i < keys.length; i++) {
      SavedModelGraph.Variable variable = toCreate.get(i);
      boolean learns = variable.trainable() && variable.type() != WeightType.OTHER;
      created.put(
          variable.node(),
          create(
              name + "/" + variable.name(),
              learns ? Kind.TRAINABLE : Kind.MODEL_STATE,
              variable.type().tensorType(),
              variable.shape(),
              restored.tensors().get(i),
              !learns || !trainable));
    }
    return created;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private Variable<?> create(
      String variableName,
      Kind kind,
      Class<? extends TType> type,
      Shape shape,
      Operand<?> initialValue,
      boolean frozen) {
    return store.create(
        variableName, group, kind, (Class) type, shape, (Operand) initialValue, frozen);
  }

  /**
   * {@code <layer>/graph}, or {@code <layer>/graph_N} if that is taken (the layer applied again).
   */
  private String importPrefix(Graph graph, SavedModelGraph saved) {
    String probe =
        saved.graphDef().getNodeCount() == 0 ? null : saved.graphDef().getNode(0).getName();
    String prefix = name + "/graph" + (calls == 0 ? "" : "_" + calls);
    calls++;
    while (probe != null && graph.operation(prefix + "/" + probe) != null) {
      prefix = name + "/graph_" + calls++;
    }
    return prefix;
  }

  private void requireFits(SavedModelGraph.SignatureTensor input, Operand<?> operand) {
    WeightType type = WeightType.of(operand.type());
    if (type != input.type()) {
      throw new IllegalArgumentException(
          describe() + ": input " + input + " is given a " + type + " operand " + operand.shape());
    }
    Shape expected = input.shape();
    Shape given = operand.shape();
    if (expected.isUnknown() || given.isUnknown()) {
      return;
    }
    boolean fits = expected.numDimensions() == given.numDimensions();
    for (int i = 0; fits && i < expected.numDimensions(); i++) {
      fits = expected.get(i) < 0 || given.get(i) < 0 || expected.get(i) == given.get(i);
    }
    if (!fits) {
      throw new IllegalArgumentException(
          describe() + ": input " + input + " is given an operand of shape " + given);
    }
  }

  private String describe() {
    return "SavedModel " + directory + ", signature " + signature;
  }

  @Override
  public String toString() {
    return "SavedModelLayer[" + name + ", " + describe() + "]";
  }
}
