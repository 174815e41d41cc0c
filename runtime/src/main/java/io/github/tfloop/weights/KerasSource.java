package io.github.tfloop.weights;

import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import io.jhdf.object.datatype.DataType;
import io.jhdf.object.datatype.FixedPoint;
import io.jhdf.object.datatype.FloatingPoint;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Array;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TBfloat16;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat16;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * Keras weight files, read with the pure-Java HDF5 reader jHDF:
 *
 * <ul>
 *   <li>Keras 3 {@code .weights.h5} ({@code model.save_weights}): a group per saved object, each
 *       layer's variables numbered in creation order under {@code vars}: {@code
 *       layers/dense/vars/0} (the kernel), {@code layers/dense/vars/1} (the bias). Entries are
 *       named by that path.
 *   <li>Keras 3 {@code .keras} archives ({@code model.save}): a zip of {@code config.json}, {@code
 *       metadata.json} and {@code model.weights.h5}, read as above.
 *   <li>Legacy Keras 2 {@code .h5}, a whole model ({@code model_weights/<layer>/...}) or weights
 *       only: each layer group lists its weights in its {@code weight_names} attribute, such as
 *       {@code dense_1/kernel:0}; entries are named by that, without the {@code :0}: {@code
 *       dense_1/kernel}. Optimizer weights are not listed.
 * </ul>
 */
final class KerasSource implements WeightSource {

  private static final byte[] HDF5_SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
  private static final String ARCHIVE_WEIGHTS = "model.weights.h5";

  private final Path path;
  private final String description;
  private final HdfFile file;
  private final String config;
  private final Map<String, Dataset> datasets;
  private final List<WeightEntry> entries;

  private KerasSource(
      Path path, String description, HdfFile file, String config, Map<String, Dataset> datasets) {
    this.path = path;
    this.description = description;
    this.file = file;
    this.config = config;
    this.datasets = datasets;
    List<WeightEntry> listed = new ArrayList<>();
    datasets.forEach((name, dataset) -> listed.add(entryOf(name, dataset)));
    this.entries = Collections.unmodifiableList(listed);
  }

  /** Whether {@code magic} is the signature every HDF5 file starts with. */
  static boolean isHdf5(byte[] magic) {
    for (int i = 0; i < HDF5_SIGNATURE.length; i++) {
      if (magic[i] != HDF5_SIGNATURE[i]) {
        return false;
      }
    }
    return true;
  }

  /** Opens a Keras weight file; see {@link WeightSource#keras(Path)}. */
  static KerasSource open(Path path) {
    if (!Files.isRegularFile(path)) {
      throw new WeightFileException(path, "does not exist or is not a file");
    }
    byte[] magic = new byte[8];
    try (InputStream in = Files.newInputStream(path)) {
      if (in.readNBytes(magic, 0, 8) < 4) {
        throw new WeightFileException(path, "is too short to be a Keras weight file");
      }
    } catch (IOException e) {
      throw new WeightFileException(path, "cannot be read: " + e, e);
    }
    if (magic[0] == 'P' && magic[1] == 'K') {
      return openArchive(path);
    }
    if (!isHdf5(magic)) {
      throw new WeightFileException(
          path,
          "is neither an HDF5 file (.weights.h5, .h5) nor a .keras archive: Keras weight files"
              + " are one of these");
    }
    HdfFile file;
    try {
      file = new HdfFile(path);
    } catch (RuntimeException e) {
      throw new WeightFileException(path, "is not a readable HDF5 file: " + e.getMessage(), e);
    }
    return of(path, "Keras weights file " + path, file, null);
  }

  private static KerasSource openArchive(Path path) {
    byte[] weights;
    String config = null;
    String version = null;
    try (ZipFile zip = new ZipFile(path.toFile())) {
      ZipEntry entry = zip.getEntry(ARCHIVE_WEIGHTS);
      if (entry == null) {
        List<String> names = zip.stream().map(ZipEntry::getName).limit(20).toList();
        throw new WeightFileException(
            path,
            "is a zip archive without "
                + ARCHIVE_WEIGHTS
                + ", so not a Keras 3 .keras file; it holds "
                + names);
      }
      try (InputStream in = zip.getInputStream(entry)) {
        weights = in.readAllBytes();
      }
      config = text(zip, "config.json");
      String metadata = text(zip, "metadata.json");
      if (metadata != null) {
        Matcher matcher =
            Pattern.compile("\"keras_version\"\\s*:\\s*\"([^\"]*)\"").matcher(metadata);
        version = matcher.find() ? matcher.group(1) : null;
      }
    } catch (IOException e) {
      throw new WeightFileException(path, "is not a readable .keras (zip) archive: " + e, e);
    }
    HdfFile file;
    try {
      file = HdfFile.fromBytes(weights);
    } catch (RuntimeException e) {
      throw new WeightFileException(
          path, ARCHIVE_WEIGHTS + " in it is not a readable HDF5 file: " + e.getMessage(), e);
    }
    String description =
        ".keras archive " + path + (version == null ? "" : " (Keras " + version + ")");
    return of(path, description, file, config);
  }

  private static String text(ZipFile zip, String name) throws IOException {
    ZipEntry entry = zip.getEntry(name);
    if (entry == null) {
      return null;
    }
    try (InputStream in = zip.getInputStream(entry)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static KerasSource of(Path path, String description, HdfFile file, String config) {
    try {
      Map<String, Dataset> datasets = new LinkedHashMap<>();
      Node modelWeights = file.getChildren().get("model_weights");
      String layout;
      if (modelWeights instanceof Group group && group.getAttribute("layer_names") != null) {
        legacy(path, group, datasets);
        layout = "legacy Keras model";
      } else if (file.getAttribute("layer_names") != null) {
        legacy(path, file, datasets);
        layout = "legacy Keras weights";
      } else {
        keras3(file, datasets);
        layout = "Keras 3 layout";
      }
      if (datasets.isEmpty()) {
        throw new WeightFileException(
            path,
            "holds no Keras weights: neither Keras 3 groups of 'vars' nor a legacy 'layer_names'"
                + " attribute; its top level holds "
                + file.getChildren().keySet());
      }
      Attribute version = file.getAttribute("keras_version");
      if (version != null && config == null) {
        description += " (" + layout + ", Keras " + string(version.getData()) + ")";
      } else if (config == null) {
        description += " (" + layout + ")";
      }
      return new KerasSource(path, description, file, config, datasets);
    } catch (RuntimeException e) {
      file.close();
      throw e;
    }
  }

  /**
   * Legacy Keras 2 layout: layers in {@code layer_names} order, weights by {@code weight_names}.
   */
  private static void legacy(Path path, Group root, Map<String, Dataset> datasets) {
    for (String layer : strings(root.getAttribute("layer_names").getData())) {
      Node node = root.getChildren().get(layer);
      if (!(node instanceof Group group)) {
        throw new WeightFileException(
            path, "lists layer '" + layer + "' in layer_names, but holds no group of that name");
      }
      Attribute names = group.getAttribute("weight_names");
      if (names == null || names.isEmpty()) {
        continue;
      }
      for (String weight : strings(names.getData())) {
        Node data;
        try {
          data = group.getByPath(weight);
        } catch (RuntimeException e) {
          data = null;
        }
        if (!(data instanceof Dataset dataset)) {
          throw new WeightFileException(
              path,
              "layer '" + layer + "' lists weight '" + weight + "', but holds no dataset there");
        }
        String name = weight.endsWith(":0") ? weight.substring(0, weight.length() - 2) : weight;
        datasets.put(name, dataset);
      }
    }
  }

  /** Keras 3 layout: every dataset in a group named {@code vars}, by path, in natural order. */
  private static void keras3(Group group, Map<String, Dataset> datasets) {
    List<Node> children = new ArrayList<>(group.getChildren().values());
    children.sort(Comparator.comparing(Node::getName, KerasSource::natural));
    for (Node child : children) {
      if (child instanceof Group inner) {
        keras3(inner, datasets);
      } else if (child instanceof Dataset dataset && group.getName().equals("vars")) {
        String name = dataset.getPath();
        datasets.put(name.startsWith("/") ? name.substring(1) : name, dataset);
      }
    }
  }

  /** Orders {@code dense_2} before {@code dense_10}, and {@code vars/2} before {@code vars/10}. */
  static int natural(String a, String b) {
    Matcher ma = Pattern.compile("^(.*?)(\\d+)$").matcher(a);
    Matcher mb = Pattern.compile("^(.*?)(\\d+)$").matcher(b);
    if (ma.matches() && mb.matches() && ma.group(1).equals(mb.group(1))) {
      return new java.math.BigInteger(ma.group(2)).compareTo(new java.math.BigInteger(mb.group(2)));
    }
    String stemA = ma.matches() && ma.group(1).endsWith("_") ? ma.group(1) : a + "_";
    String stemB = mb.matches() && mb.group(1).endsWith("_") ? mb.group(1) : b + "_";
    int byStem = stemA.compareTo(stemB);
    return byStem != 0 ? byStem : a.compareTo(b);
  }

  private static List<String> strings(Object data) {
    List<String> values = new ArrayList<>();
    if (data != null && data.getClass().isArray()) {
      for (int i = 0; i < Array.getLength(data); i++) {
        values.add(string(Array.get(data, i)));
      }
    } else if (data != null) {
      values.add(string(data));
    }
    return values;
  }

  private static String string(Object value) {
    return value instanceof byte[] bytes
        ? new String(bytes, StandardCharsets.UTF_8)
        : String.valueOf(value);
  }

  private static WeightEntry entryOf(String name, Dataset dataset) {
    int[] dims = dataset.isScalar() ? new int[0] : dataset.getDimensions();
    long[] shape = new long[dims.length];
    for (int i = 0; i < dims.length; i++) {
      shape[i] = dims[i];
    }
    return new WeightEntry(name, typeOf(dataset.getDataType()), Shape.of(shape));
  }

  private static WeightType typeOf(DataType type) {
    if (type instanceof FloatingPoint) {
      switch (type.getSize()) {
        case 2:
          return WeightType.FLOAT16;
        case 4:
          return WeightType.FLOAT32;
        case 8:
          return WeightType.FLOAT64;
        default:
          return WeightType.OTHER;
      }
    }
    if (type instanceof FixedPoint fixed) {
      if (fixed.isSigned() && type.getSize() == 4) {
        return WeightType.INT32;
      }
      if (fixed.isSigned() && type.getSize() == 8) {
        return WeightType.INT64;
      }
    }
    if (type instanceof io.jhdf.object.datatype.EnumDataType && type.getSize() == 1) {
      return WeightType.BOOL; // h5py stores numpy booleans as an enum of FALSE, TRUE
    }
    return WeightType.OTHER;
  }

  /** The model's {@code config.json} when this is a {@code .keras} archive, else {@code null}. */
  String config() {
    return config;
  }

  @Override
  public String description() {
    return description;
  }

  @Override
  public List<WeightEntry> entries() {
    return entries;
  }

  @Override
  public Tensor read(String name) {
    Dataset dataset = datasets.get(name);
    if (dataset == null) {
      throw new IllegalArgumentException(description + " has no entry '" + name + "'");
    }
    WeightEntry entry = entryOf(name, dataset);
    Object flat;
    try {
      flat = dataset.isScalar() ? scalarArray(dataset.getData()) : dataset.getDataFlat();
    } catch (RuntimeException e) {
      throw new WeightFileException(
          path, "cannot read dataset " + dataset.getPath() + ": " + e.getMessage(), e);
    }
    Shape shape = entry.shape();
    switch (entry.type()) {
      case FLOAT32:
        return TFloat32.tensorOf(shape, DataBuffers.of((float[]) flat, true, false));
      case FLOAT16:
        return TFloat16.tensorOf(shape, DataBuffers.of((float[]) flat, true, false));
      case BFLOAT16:
        return TBfloat16.tensorOf(shape, DataBuffers.of((float[]) flat, true, false));
      case FLOAT64:
        return TFloat64.tensorOf(shape, DataBuffers.of((double[]) flat, true, false));
      case INT32:
        return TInt32.tensorOf(shape, DataBuffers.of((int[]) flat, true, false));
      case INT64:
        return TInt64.tensorOf(shape, DataBuffers.of((long[]) flat, true, false));
      case BOOL:
        return TBool.tensorOf(shape, DataBuffers.of(booleans(flat), true, false));
      default:
        throw new IllegalArgumentException(
            description
                + ": dataset "
                + dataset.getPath()
                + " has HDF5 type "
                + dataset.getDataType().getClass().getSimpleName()
                + " of "
                + dataset.getDataType().getSize()
                + " bytes, which is not read");
    }
  }

  private static Object scalarArray(Object value) {
    if (value != null && value.getClass().isArray()) {
      return value;
    }
    if (value instanceof Float f) {
      return new float[] {f};
    }
    if (value instanceof Double d) {
      return new double[] {d};
    }
    if (value instanceof Integer i) {
      return new int[] {i};
    }
    if (value instanceof Long l) {
      return new long[] {l};
    }
    Object array = Array.newInstance(value.getClass(), 1);
    Array.set(array, 0, value);
    return array;
  }

  private static boolean[] booleans(Object flat) {
    boolean[] values = new boolean[Array.getLength(flat)];
    for (int i = 0; i < values.length; i++) {
      Object element = Array.get(flat, i);
      values[i] =
          element instanceof Boolean b
              ? b
              : element instanceof Number n ? n.longValue() != 0 : "TRUE".equals(element);
    }
    return values;
  }

  @Override
  public void close() {
    file.close();
  }

  @Override
  public String toString() {
    return description;
  }
}
