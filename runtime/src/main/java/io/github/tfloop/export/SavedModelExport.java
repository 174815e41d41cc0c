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
    if (Files.exists(directory)) {
      throw new IllegalArgumentException(
          "cannot export a SavedModel to "
              + directory
              + ": it exists; export to a new directory (SavedModels are versioned: model/1, model/2)");
    }
    GraphDef inference = freeze(graph.toGraphDef(), output.getValue(), frozen);
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
