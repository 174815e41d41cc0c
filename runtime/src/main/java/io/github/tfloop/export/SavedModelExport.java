package io.github.tfloop.export;

import com.google.protobuf.CodedOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.Tensor;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.ByteDataBuffer;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.TensorProto;
import org.tensorflow.proto.TensorShapeProto;

/**
 * Writes a SavedModel of a model's inference graph, with its weights frozen into constants.
 *
 * <p>Why frozen: TensorFlow Java's {@code SavedModelBundle.exporter} saves only reference ({@code
 * VariableV2}) variables, and tfloop's are resource variables. So the export takes the training
 * graph's definition, keeps only what the prediction needs from the feature placeholders (no
 * optimizer, no metrics, no labels), and replaces each variable read by a constant holding the
 * variable's current value. The result needs no variable restore, and its {@code serving_default}
 * signature maps each feature's name to the model output.
 *
 * <p>What only training needs is left out: the loop's {@code training} flag is fixed to false and
 * each select it decides is replaced by the branch prediction takes, so dropout masks,
 * augmentation, batch statistics and the global step that seeds their randomness are not in the
 * export. A graph that would still read a variable or a placeholder it cannot have is refused,
 * naming it.
 *
 * <p>The same weights give the same bytes: map fields are written in key order. A frozen graph is
 * one protocol buffer, limited to 2 GB of weights.
 */
public final class SavedModelExport {

  /** The serving signature's key, the one TensorFlow Serving calls by default. */
  public static final String SERVING = "serving_default";

  /** The tag of the exported graph. */
  public static final String TAG = "serve";

  private SavedModelExport() {}

  /**
   * Exports the subgraph computing {@code outputName} from {@code inputNames}, freezing {@code
   * frozen} (names of ops whose output is a variable's value) to the tensors given.
   *
   * @param graph the training graph
   * @param inputs signature input name to placeholder op name
   * @param output signature output name to the output tensor's op name
   * @param frozen read-op name to its value now
   * @param directory the SavedModel's directory; must not exist yet
   * @throws IllegalArgumentException if {@code directory} exists
   * @throws IllegalStateException if the output depends on a variable that is not frozen, or on a
   *     placeholder that is not an input: the model could not be served
   * @throws UncheckedIOException if it cannot be written; nothing is left at {@code directory}
   */
  public static void export(
      Graph graph,
      Map<String, String> inputs,
      Map.Entry<String, String> output,
      Map<String, Tensor> frozen,
      Path directory) {
    export(graph, inputs, output, frozen, Map.of(), directory, false);
  }

  /**
   * Exports the subgraph computing {@code outputName} from {@code inputNames}, freezing {@code
   * frozen} (names of ops whose output is a variable's value) to the tensors given, and fixing each
   * of {@code flags} (boolean scalar ops, such as the loop's {@code training} flag) to its value.
   *
   * <p>Fixing a flag prunes what only the other value needs: each {@code Select} whose condition is
   * then known (through {@code Identity}, {@code LogicalNot}, {@code LogicalAnd} and {@code
   * LogicalOr}) becomes an {@code Identity} of the branch it chooses, so the training-only branch
   * (dropout's random mask, augmentation, batch statistics, and the global step that seeds them) is
   * not in the exported graph at all.
   *
   * @param graph the training graph
   * @param inputs signature input name to placeholder op name
   * @param output signature output name to the output tensor's op name
   * @param frozen read-op name to its value now
   * @param flags boolean scalar op name to the value it has when the model is served
   * @param directory the SavedModel's directory; must not exist yet
   * @param float32 whether every bfloat16 and float16 computation of the exported graph (a
   *     mixed-precision loop's) computes in float32 instead, so that a loop trained in mixed
   *     precision is served in float32
   * @throws IllegalArgumentException if {@code directory} exists, or an input is not a placeholder
   *     the output depends on
   * @throws IllegalStateException if the output depends on a variable that is not frozen, or on a
   *     placeholder that is not an input: the model could not be served; or if {@code float32} and
   *     the graph holds a bfloat16 or float16 constant, which this export does not convert
   * @throws UncheckedIOException if it cannot be written; nothing is left at {@code directory}
   */
  public static void export(
      Graph graph,
      Map<String, String> inputs,
      Map.Entry<String, String> output,
      Map<String, Tensor> frozen,
      Map<String, Boolean> flags,
      Path directory,
      boolean float32) {
    if (Files.exists(directory)) {
      throw new IllegalArgumentException(
          "cannot export a SavedModel to "
              + directory
              + ": it exists; export to a new directory (SavedModels are versioned: model/1, model/2)");
    }
    GraphDef inference =
        freeze(
            graph.toGraphDef(),
            output.getValue(),
            frozen,
            flags,
            name -> sameBranchShapes(graph, name),
            Set.copyOf(inputs.values()));
    if (float32) {
      inference = toFloat32(inference);
    }
    Path temporary = null;
    try (Graph exported = new Graph()) {
      exported.importGraphDef(inference);
      try (Session session = new Session(exported)) {
        Signature.Builder signature = Signature.builder().key(SERVING);
        inputs.forEach(
            (name, op) -> {
              if (exported.operation(op) == null) {
                throw new IllegalArgumentException(
                    "cannot export input '"
                        + name
                        + "': the output '"
                        + output.getValue()
                        + "' does not depend on its placeholder '"
                        + op
                        + "'");
              }
              signature.input(name, exported.operationOrThrow(op).output(0));
            });
        signature.output(output.getKey(), exported.operationOrThrow(output.getValue()).output(0));
        Path parent = directory.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        // a name of its own: an export that died half-way never leaves files in another's way
        temporary = Files.createTempDirectory(parent, ".tmp-" + directory.getFileName() + "-");
        SavedModelBundle.exporter(temporary.toString())
            .withTags(TAG)
            .withSession(session)
            .withSignature(signature.build())
            .export();
      }
      writeDeterministically(temporary.resolve("saved_model.pb"));
      Files.move(temporary, directory, StandardCopyOption.ATOMIC_MOVE);
      temporary = null;
    } catch (AtomicMoveNotSupportedException e) {
      throw new UncheckedIOException("cannot rename " + temporary + " to " + directory, e);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot export a SavedModel to "
              + directory
              + ": "
              + e.getClass().getSimpleName()
              + " "
              + e.getMessage(),
          e);
    } catch (TensorFlowException e) { // writing failed (TFInvalidArgumentException is not one)
      throw new UncheckedIOException(
          "cannot export a SavedModel to " + directory + ": " + e.getMessage(), new IOException(e));
    } finally {
      if (temporary != null) {
        deleteQuietly(temporary);
      }
    }
  }

  /**
   * Writes the SavedModel in {@code file} again with its map fields (a node's attributes, the
   * signatures) in key order: protocol buffers otherwise write maps in an order that differs from
   * run to run, and the same weights must give the same bytes.
   */
  private static void writeDeterministically(Path file) throws IOException {
    SavedModel model = SavedModel.parseFrom(Files.readAllBytes(file));
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    out.useDeterministicSerialization();
    model.writeTo(out);
    out.flush();
    Files.write(file, bytes.toByteArray());
  }

  /** Deletes a temporary directory this export made; what cannot be deleted stays. */
  private static void deleteQuietly(Path directory) {
    try (java.util.stream.Stream<Path> files = Files.walk(directory)) {
      files
          .sorted(java.util.Comparator.reverseOrder())
          .forEach(
              file -> {
                try {
                  Files.deleteIfExists(file);
                } catch (IOException ignored) {
                  // already failing: the first exception is the one to report
                }
              });
    } catch (IOException | UncheckedIOException ignored) {
      // already failing: the first exception is the one to report
    }
  }

  /**
   * Whether the two branches of the select op {@code name} have the same static shape, fully known:
   * then the select's output is exactly the branch it chooses, with no broadcast.
   */
  private static boolean sameBranchShapes(Graph graph, String name) {
    GraphOperation op = graph.operation(name);
    if (op == null || op.numInputs() != 3) {
      return false;
    }
    Shape whenTrue = op.input(1).shape();
    Shape whenFalse = op.input(2).shape();
    Shape result = op.output(0).shape();
    return !whenTrue.isUnknown()
        && java.util.Arrays.equals(whenTrue.asArray(), whenFalse.asArray())
        && java.util.Arrays.equals(whenTrue.asArray(), result.asArray())
        && knownExceptBatch(whenTrue);
  }

  /**
   * Whether every dimension but the first is known: two branches of that same shape can differ at
   * run time only in the batch size, which a select (and every layer) keeps equal.
   */
  private static boolean knownExceptBatch(Shape shape) {
    for (int i = 1; i < shape.numDimensions(); i++) {
      if (shape.get(i) < 0) {
        return false;
      }
    }
    return true;
  }

  /** The nodes {@code output} depends on, with each frozen op replaced by a constant. */
  static GraphDef freeze(GraphDef graph, String output, Map<String, Tensor> frozen) {
    return freeze(graph, output, frozen, Map.of(), name -> false, null);
  }

  /**
   * The nodes {@code output} depends on once each frozen op is a constant and each flag a boolean
   * constant, with every select whose condition the flags decide replaced by the branch chosen.
   *
   * @param exactSelect whether a {@code SelectV2} op may be replaced by a branch (its branches have
   *     the same shape; a {@code Select} always may)
   * @param inputs the placeholders that are fed, or {@code null} not to check
   */
  static GraphDef freeze(
      GraphDef graph,
      String output,
      Map<String, Tensor> frozen,
      Map<String, Boolean> flags,
      java.util.function.Predicate<String> exactSelect,
      Set<String> inputs) {
    Map<String, NodeDef> nodes = new LinkedHashMap<>();
    for (NodeDef node : graph.getNodeList()) {
      nodes.put(node.getName(), node);
    }
    Conditions conditions = new Conditions(nodes, flags);
    Map<String, NodeDef> kept = new HashMap<>();
    Map<String, String> reachedFrom = new HashMap<>();
    Deque<String> toVisit = new ArrayDeque<>(List.of(output));
    while (!toVisit.isEmpty()) {
      String name = toVisit.pop();
      if (kept.containsKey(name)) {
        continue;
      }
      NodeDef node = nodes.get(name);
      if (node == null) {
        throw new IllegalStateException("the graph has no node '" + name + "'");
      }
      NodeDef replacement;
      if (frozen.containsKey(name)) {
        replacement = constant(name, frozen.get(name));
      } else if (flags.containsKey(name)) {
        replacement = booleanConstant(name, flags.get(name));
      } else {
        replacement = chosenBranch(node, conditions, exactSelect);
        if (replacement == null) {
          replacement = node.toBuilder().clearDevice().build();
        }
      }
      kept.put(name, replacement);
      for (String input : replacement.getInputList()) {
        String source = nodeName(input);
        reachedFrom.putIfAbsent(source, name);
        toVisit.push(source);
      }
    }
    GraphDef.Builder inference = GraphDef.newBuilder().setVersions(graph.getVersions());
    for (NodeDef node : graph.getNodeList()) {
      NodeDef replacement = kept.get(node.getName());
      if (replacement != null) {
        requireServable(replacement, inputs, output, reachedFrom);
        inference.addNode(replacement);
      }
    }
    return inference.build();
  }

  /** Ops that hold state a frozen graph does not have (what reads them reaches them). */
  private static final Set<String> STATE = Set.of("VarHandleOp", "VariableV2", "Variable");

  /**
   * Refuses a node the served model could not run: a variable left unfrozen (it would be missing),
   * or a placeholder that is not an input (nothing would feed it).
   */
  private static void requireServable(
      NodeDef node, Set<String> inputs, String output, Map<String, String> reachedFrom) {
    String problem = null;
    if (STATE.contains(node.getOp())) {
      problem =
          "reads the variable '"
              + node.getName()
              + "', which is not a weight or model state, so the export does not freeze it and a"
              + " served model would fail on it (only what trains may read such a variable: select"
              + " on Layers.training())";
    } else if (inputs != null
        && node.getOp().equals("Placeholder")
        && !inputs.contains(node.getName())) {
      problem =
          "needs the placeholder '"
              + node.getName()
              + "', which is not one of the model's features ("
              + inputs
              + "); a served model could not feed it";
    }
    if (problem != null) {
      throw new IllegalStateException(
          "cannot export the model output '"
              + output
              + "': it "
              + problem
              + " (path from the output: "
              + path(node.getName(), output, reachedFrom)
              + ")");
    }
  }

  /** {@code output <- ... <- name}, as the export's walk reached {@code name}. */
  private static String path(String name, String output, Map<String, String> reachedFrom) {
    List<String> path = new ArrayList<>();
    String current = name;
    while (current != null && path.size() < 50) {
      path.add(0, current);
      if (current.equals(output)) {
        break;
      }
      current = reachedFrom.get(current);
    }
    return String.join(" <- ", path);
  }

  /**
   * {@code node} as an {@code Identity} of the branch it picks, when it is a select whose condition
   * the flags decide; otherwise {@code null}.
   */
  private static NodeDef chosenBranch(
      NodeDef node, Conditions conditions, java.util.function.Predicate<String> exactSelect) {
    boolean select = node.getOp().equals("Select");
    if (!select && !node.getOp().equals("SelectV2")) {
      return null;
    }
    Boolean condition = conditions.value(node.getInput(0));
    if (condition == null || !(select || exactSelect.test(node.getName()))) {
      return null;
    }
    NodeDef.Builder identity =
        NodeDef.newBuilder()
            .setName(node.getName())
            .setOp("Identity")
            .addInput(node.getInput(condition ? 1 : 2))
            .putAttr("T", node.getAttrOrThrow("T"));
    for (String input : node.getInputList()) {
      if (input.startsWith("^")) {
        identity.addInput(input);
      }
    }
    return identity.build();
  }

  /** The value of boolean scalars that follow from the flags alone. */
  private static final class Conditions {
    private final Map<String, NodeDef> nodes;
    private final Map<String, Boolean> flags;
    private final Map<String, Optional<Boolean>> known = new HashMap<>();

    Conditions(Map<String, NodeDef> nodes, Map<String, Boolean> flags) {
      this.nodes = nodes;
      this.flags = flags;
    }

    /** The value of the tensor {@code input} ({@code name} or {@code name:0}), or null. */
    Boolean value(String input) {
      if (input.startsWith("^") || !(input.indexOf(':') < 0 || input.endsWith(":0"))) {
        return null;
      }
      String name = nodeName(input);
      Optional<Boolean> value = known.get(name);
      if (value == null) {
        known.put(name, Optional.empty()); // a cycle (a while loop) decides nothing
        value = Optional.ofNullable(compute(name));
        known.put(name, value);
      }
      return value.orElse(null);
    }

    private Boolean compute(String name) {
      if (flags.containsKey(name)) {
        return flags.get(name);
      }
      NodeDef node = nodes.get(name);
      if (node == null) {
        return null;
      }
      List<String> inputs = new ArrayList<>();
      for (String input : node.getInputList()) {
        if (!input.startsWith("^")) {
          inputs.add(input);
        }
      }
      switch (node.getOp()) {
        case "Identity":
        case "StopGradient":
          return inputs.size() == 1 ? value(inputs.get(0)) : null;
        case "LogicalNot":
          {
            Boolean operand = inputs.size() == 1 ? value(inputs.get(0)) : null;
            return operand == null ? null : !operand;
          }
        case "LogicalAnd":
        case "LogicalOr":
          {
            if (inputs.size() != 2) {
              return null;
            }
            boolean and = node.getOp().equals("LogicalAnd");
            Boolean left = value(inputs.get(0));
            Boolean right = value(inputs.get(1));
            // false decides an and, true an or, whatever the other side is
            if (Boolean.valueOf(!and).equals(left) || Boolean.valueOf(!and).equals(right)) {
              return !and;
            }
            return left != null && right != null ? and : null;
          }
        default:
          return null;
      }
    }
  }

  private static NodeDef booleanConstant(String name, boolean value) {
    TensorProto tensor =
        TensorProto.newBuilder()
            .setDtype(DataType.DT_BOOL)
            .setTensorShape(TensorShapeProto.getDefaultInstance())
            .addBoolVal(value)
            .build();
    return NodeDef.newBuilder()
        .setName(name)
        .setOp("Const")
        .putAttr("dtype", AttrValue.newBuilder().setType(DataType.DT_BOOL).build())
        .putAttr("value", AttrValue.newBuilder().setTensor(tensor).build())
        .build();
  }

  /**
   * {@code graph} with every bfloat16 and float16 type attribute made float32, and the casts that
   * leaves from float32 to float32 made identities.
   */
  static GraphDef toFloat32(GraphDef graph) {
    GraphDef.Builder converted = graph.toBuilder().clearNode();
    for (NodeDef node : graph.getNodeList()) {
      NodeDef.Builder builder = node.toBuilder();
      for (Map.Entry<String, AttrValue> attr : node.getAttrMap().entrySet()) {
        AttrValue value = attr.getValue();
        if (value.hasTensor() && isLowPrecision(value.getTensor().getDtype())) {
          throw new IllegalStateException(
              "cannot export node '"
                  + node.getName()
                  + "' in float32: it holds a "
                  + value.getTensor().getDtype()
                  + " constant");
        }
        if (value.getValueCase() == AttrValue.ValueCase.TYPE && isLowPrecision(value.getType())) {
          builder.putAttr(attr.getKey(), value.toBuilder().setType(DataType.DT_FLOAT).build());
        } else if (value.hasList() && value.getList().getTypeCount() > 0) {
          AttrValue.ListValue.Builder list = value.getList().toBuilder().clearType();
          for (DataType type : value.getList().getTypeList()) {
            list.addType(isLowPrecision(type) ? DataType.DT_FLOAT : type);
          }
          builder.putAttr(attr.getKey(), value.toBuilder().setList(list).build());
        }
      }
      if (node.getOp().equals("Cast")
          && builder.getAttrOrThrow("SrcT").getType() == builder.getAttrOrThrow("DstT").getType()) {
        AttrValue type = builder.getAttrOrThrow("SrcT");
        builder.setOp("Identity").clearAttr().putAttr("T", type);
      }
      converted.addNode(builder);
    }
    return converted.build();
  }

  private static boolean isLowPrecision(DataType type) {
    return type == DataType.DT_BFLOAT16 || type == DataType.DT_HALF;
  }

  private static NodeDef constant(String name, Tensor value) {
    ByteDataBuffer data = value.asRawTensor().data();
    byte[] bytes = new byte[(int) data.size()];
    data.read(bytes);
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    for (long dimension : value.shape().asArray()) {
      shape.addDim(TensorShapeProto.Dim.newBuilder().setSize(dimension));
    }
    TensorProto tensor =
        TensorProto.newBuilder()
            .setDtype(value.dataType())
            .setTensorShape(shape)
            .setTensorContent(com.google.protobuf.ByteString.copyFrom(bytes))
            .build();
    return NodeDef.newBuilder()
        .setName(name)
        .setOp("Const")
        .putAttr("dtype", AttrValue.newBuilder().setType(value.dataType()).build())
        .putAttr("value", AttrValue.newBuilder().setTensor(tensor).build())
        .build();
  }

  /** {@code name} of an input written {@code name}, {@code name:1} or {@code ^name}. */
  private static String nodeName(String input) {
    String name = input.startsWith("^") ? input.substring(1) : input;
    int colon = name.lastIndexOf(':');
    return colon < 0 ? name : name.substring(0, colon);
  }
}
