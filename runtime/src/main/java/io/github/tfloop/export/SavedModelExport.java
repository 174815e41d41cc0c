package io.github.tfloop.export;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.Graph;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.buffer.ByteDataBuffer;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
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
 * <p>A frozen graph is one protocol buffer, limited to 2 GB of weights.
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
   * @throws UncheckedIOException if it cannot be written; nothing is left at {@code directory}
   */
  public static void export(
      Graph graph,
      Map<String, String> inputs,
      Map.Entry<String, String> output,
      Map<String, Tensor> frozen,
      Path directory) {
    export(graph, inputs, output, frozen, directory, false);
  }

  /**
   * Exports as {@link #export(Graph, Map, Map.Entry, Map, Path)} does; with {@code float32}, every
   * bfloat16 and float16 computation of the exported graph (a mixed-precision loop's) computes in
   * float32 instead: the serving graph of a loop trained in mixed precision is float32.
   *
   * @throws IllegalStateException if {@code float32} and the graph holds a bfloat16 or float16
   *     constant, which this export does not convert
   */
  public static void export(
      Graph graph,
      Map<String, String> inputs,
      Map.Entry<String, String> output,
      Map<String, Tensor> frozen,
      Path directory,
      boolean float32) {
    if (Files.exists(directory)) {
      throw new IllegalArgumentException(
          "cannot export a SavedModel to "
              + directory
              + ": it exists; export to a new directory (SavedModels are versioned: model/1, model/2)");
    }
    GraphDef inference = freeze(graph.toGraphDef(), output.getValue(), frozen);
    if (float32) {
      inference = toFloat32(inference);
    }
    Path temporary = directory.resolveSibling(".tmp-" + directory.getFileName());
    try (Graph exported = new Graph()) {
      exported.importGraphDef(inference);
      try (Session session = new Session(exported)) {
        Signature.Builder signature = Signature.builder().key(SERVING);
        inputs.forEach(
            (name, op) -> signature.input(name, exported.operationOrThrow(op).output(0)));
        signature.output(output.getKey(), exported.operationOrThrow(output.getValue()).output(0));
        Files.createDirectories(temporary.getParent());
        SavedModelBundle.exporter(temporary.toString())
            .withTags(TAG)
            .withSession(session)
            .withSignature(signature.build())
            .export();
      }
      Files.move(temporary, directory, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      throw new UncheckedIOException("cannot rename " + temporary + " to " + directory, e);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot export a SavedModel to " + directory + ": " + e.getMessage(), e);
    }
  }

  /** The nodes {@code output} depends on, with each frozen op replaced by a constant. */
  static GraphDef freeze(GraphDef graph, String output, Map<String, Tensor> frozen) {
    Map<String, NodeDef> nodes = new LinkedHashMap<>();
    for (NodeDef node : graph.getNodeList()) {
      nodes.put(node.getName(), node);
    }
    Set<String> needed = new HashSet<>();
    Deque<String> toVisit = new ArrayDeque<>(List.of(output));
    while (!toVisit.isEmpty()) {
      String name = toVisit.pop();
      if (!needed.add(name) || frozen.containsKey(name)) {
        continue;
      }
      NodeDef node = nodes.get(name);
      if (node == null) {
        throw new IllegalStateException("the graph has no node '" + name + "'");
      }
      for (String input : node.getInputList()) {
        toVisit.push(nodeName(input));
      }
    }
    GraphDef.Builder inference = GraphDef.newBuilder().setVersions(graph.getVersions());
    for (NodeDef node : graph.getNodeList()) {
      if (!needed.contains(node.getName())) {
        continue;
      }
      Tensor value = frozen.get(node.getName());
      inference.addNode(
          value == null ? node.toBuilder().clearDevice().build() : constant(node.getName(), value));
    }
    return inference.build();
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
