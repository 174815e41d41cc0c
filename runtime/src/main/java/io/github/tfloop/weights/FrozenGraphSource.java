package io.github.tfloop.weights;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.TensorProto;

/**
 * The weights of a SavedModel that tfloop's {@code exportSavedModel} wrote: it has no variables
 * (tfloop's are resource variables, which TensorFlow Java's exporter does not save), and holds each
 * weight as a constant that took the place of the variable's read, {@code
 * variables/<variable>/read} (see {@code VariableStore.OP_SCOPE}). Entry {@code
 * logits/dense/kernel} is the constant {@code variables/logits/dense/kernel/read}: the names are
 * the variables' names in the loop that exported it.
 */
final class FrozenGraphSource implements WeightSource {

  private static final String SCOPE = "variables/";
  private static final String READ = "/read";

  private final Path directory;
  private final List<WeightEntry> entries;
  private final Map<String, TensorProto> values;

  private FrozenGraphSource(
      Path directory, List<WeightEntry> entries, Map<String, TensorProto> values) {
    this.directory = directory;
    this.entries = Collections.unmodifiableList(entries);
    this.values = values;
  }

  /** Whether {@code directory} is a SavedModel without a checkpoint of variables. */
  static boolean applies(Path directory) {
    return Files.isRegularFile(directory.resolve("saved_model.pb"))
        && !Files.isRegularFile(directory.resolve("variables").resolve("variables.index"));
  }

  /**
   * Reads the constants named {@code <variable>/read} of the SavedModel in {@code directory}.
   *
   * @throws WeightFileException if it cannot be read, or holds no such constant
   */
  static FrozenGraphSource open(Path directory) {
    Path file = directory.resolve("saved_model.pb");
    SavedModel model;
    try {
      model = SavedModel.parseFrom(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new WeightFileException(file, "cannot be read: " + e, e);
    }
    MetaGraphDef meta = null;
    for (MetaGraphDef candidate : model.getMetaGraphsList()) {
      if (meta == null
          || candidate.getMetaInfoDef().getTagsList().contains(SavedModelGraph.SERVE)) {
        meta = candidate;
      }
    }
    List<WeightEntry> entries = new ArrayList<>();
    Map<String, TensorProto> values = new LinkedHashMap<>();
    if (meta != null) {
      for (NodeDef node : meta.getGraphDef().getNodeList()) {
        if (!node.getOp().equals("Const")
            || !node.getName().startsWith(SCOPE)
            || !node.getName().endsWith(READ)) {
          continue;
        }
        TensorProto tensor = node.getAttrOrThrow("value").getTensor();
        WeightType type = WeightType.of(tensor.getDtype());
        if (type == WeightType.OTHER || type == WeightType.STRING) {
          continue;
        }
        String name =
            node.getName().substring(SCOPE.length(), node.getName().length() - READ.length());
        entries.add(new WeightEntry(name, type, TensorShapes.of(tensor.getTensorShape())));
        values.put(name, tensor);
      }
    }
    if (entries.isEmpty()) {
      throw new WeightFileException(
          directory,
          "is a SavedModel without variables (no variables/variables.index) and without weights"
              + " frozen as constants named variables/<variable>/read, as tfloop's exportSavedModel"
              + " writes them: there are no weights to read");
    }
    return new FrozenGraphSource(directory, entries, values);
  }

  @Override
  public String description() {
    return "SavedModel " + directory + " (weights frozen as constants)";
  }

  @Override
  public List<WeightEntry> entries() {
    return entries;
  }

  @Override
  public Tensor read(String name) {
    WeightEntry entry = entry(name);
    if (entry == null) {
      throw new IllegalArgumentException(description() + " has no entry '" + name + "'");
    }
    TensorProto proto = values.get(name);
    long size = entry.size();
    int bytes = entry.type().byteSize();
    ByteBuffer buffer = ByteBuffer.allocate((int) (size * bytes)).order(ByteOrder.LITTLE_ENDIAN);
    if (!proto.getTensorContent().isEmpty()) {
      if (proto.getTensorContent().size() != buffer.capacity()) {
        throw new WeightFileException(
            directory,
            "constant "
                + SCOPE
                + name
                + READ
                + " holds "
                + proto.getTensorContent().size()
                + " bytes, but "
                + entry
                + " needs "
                + buffer.capacity());
      }
      proto.getTensorContent().copyTo(buffer);
    } else {
      fill(buffer, proto, entry, size);
    }
    return Tensor.of(
        entry.type().tensorType(), entry.shape(), DataBuffers.of(buffer.array(), true, false));
  }

  /** Values given as a list (the last one repeated to the end, as TensorFlow reads them). */
  private void fill(ByteBuffer buffer, TensorProto proto, WeightEntry entry, long size) {
    switch (entry.type()) {
      case FLOAT32 -> {
        List<Float> list = proto.getFloatValList();
        for (long i = 0; i < size; i++) {
          buffer.putFloat(list.isEmpty() ? 0 : list.get((int) Math.min(i, list.size() - 1)));
        }
      }
      case FLOAT64 -> {
        List<Double> list = proto.getDoubleValList();
        for (long i = 0; i < size; i++) {
          buffer.putDouble(list.isEmpty() ? 0 : list.get((int) Math.min(i, list.size() - 1)));
        }
      }
      case INT32 -> {
        List<Integer> list = proto.getIntValList();
        for (long i = 0; i < size; i++) {
          buffer.putInt(list.isEmpty() ? 0 : list.get((int) Math.min(i, list.size() - 1)));
        }
      }
      case INT64 -> {
        List<Long> list = proto.getInt64ValList();
        for (long i = 0; i < size; i++) {
          buffer.putLong(list.isEmpty() ? 0 : list.get((int) Math.min(i, list.size() - 1)));
        }
      }
      default ->
          throw new IllegalArgumentException(
              description() + ": constant " + entry + " is not stored as raw bytes; not read");
    }
  }

  @Override
  public void close() {}

  @Override
  public String toString() {
    return description();
  }
}
