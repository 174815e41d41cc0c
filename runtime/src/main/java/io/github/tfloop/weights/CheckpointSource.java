package io.github.tfloop.weights;

import com.google.protobuf.InvalidProtocolBufferException;
import io.github.tfloop.checkpoint.CheckpointStore;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.BundleEntryProto;
import org.tensorflow.proto.BundleHeaderProto;
import org.tensorflow.proto.TrackableObjectGraphOuterClass.TrackableObjectGraph;
import org.tensorflow.types.TString;

/**
 * A TensorFlow checkpoint ("tensor bundle"), as {@code tf.train.Checkpoint}, {@code
 * tf.compat.v1.train.Saver}, Keras {@code save_weights} in TensorFlow format and SavedModels write
 * it: {@code <prefix>.index}, a table of {@code BundleEntryProto}s keyed by tensor name, and the
 * tensors' bytes in {@code <prefix>.data-NNNNN-of-MMMMM}. Every tensor read is checked against the
 * CRC-32C its entry records.
 *
 * <p>An object-based checkpoint ({@code tf.train.Checkpoint}, TensorFlow 2 SavedModels) also holds
 * its object graph under {@code _CHECKPOINTABLE_OBJECT_GRAPH}: that entry is not listed, and each
 * variable's recorded name becomes its entry's {@link WeightEntry#fullName()}.
 */
final class CheckpointSource implements WeightSource {

  /** The key under which object-based checkpoints store their object graph. */
  static final String OBJECT_GRAPH_KEY = "_CHECKPOINTABLE_OBJECT_GRAPH";

  private static final Pattern CHECKPOINT_STATE =
      Pattern.compile("^model_checkpoint_path:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"", Pattern.MULTILINE);

  private final Path prefix;
  private final int shards;
  private final List<WeightEntry> entries;
  private final Map<String, BundleEntryProto> protos;
  private final Map<Integer, FileChannel> channels = new HashMap<>();

  private CheckpointSource(
      Path prefix, int shards, List<WeightEntry> entries, Map<String, BundleEntryProto> protos) {
    this.prefix = prefix;
    this.shards = shards;
    this.entries = Collections.unmodifiableList(entries);
    this.protos = protos;
  }

  /** Opens the checkpoint at {@code path}; see {@link WeightSource#checkpoint(Path)}. */
  static CheckpointSource open(Path path) {
    Path prefix = prefixOf(path);
    Path index = Path.of(prefix + ".index");
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(index);
    } catch (IOException e) {
      throw new WeightFileException(index, "cannot be read: " + e, e);
    }
    BundleHeaderProto header = null;
    Map<String, BundleEntryProto> protos = new LinkedHashMap<>();
    for (TableReader.Entry entry : TableReader.read(index, bytes)) {
      byte[] key = entry.key();
      try {
        if (key.length == 0) {
          header = BundleHeaderProto.parseFrom(entry.value());
        } else if (key[0] != 0) { // keys of a partitioned variable's slices start with a 0 byte
          protos.put(
              new String(key, StandardCharsets.UTF_8), BundleEntryProto.parseFrom(entry.value()));
        }
      } catch (InvalidProtocolBufferException e) {
        throw new WeightFileException(
            index,
            "entry '" + new String(key, StandardCharsets.UTF_8) + "' is not a bundle entry: " + e,
            e);
      }
    }
    if (header == null) {
      throw new WeightFileException(
          index, "is a table without a bundle header: not a TensorFlow checkpoint index");
    }
    if (header.getEndianness() != BundleHeaderProto.Endianness.LITTLE) {
      throw new WeightFileException(
          index, "was written on a big-endian machine; only little-endian checkpoints are read");
    }
    CheckpointSource source =
        new CheckpointSource(prefix, Math.max(1, header.getNumShards()), new ArrayList<>(), protos);
    return source.withEntries();
  }

  private CheckpointSource withEntries() {
    Map<String, String> fullNames = new HashMap<>();
    if (protos.containsKey(OBJECT_GRAPH_KEY)) {
      fullNames = fullNames();
    }
    List<WeightEntry> listed = new ArrayList<>();
    for (Map.Entry<String, BundleEntryProto> entry : protos.entrySet()) {
      String name = entry.getKey();
      if (name.equals(OBJECT_GRAPH_KEY)) {
        continue;
      }
      BundleEntryProto proto = entry.getValue();
      listed.add(
          new WeightEntry(
              name,
              WeightType.of(proto.getDtype()),
              TensorShapes.of(proto.getShape()),
              fullNames.getOrDefault(name, name)));
    }
    return new CheckpointSource(prefix, shards, listed, protos);
  }

  /** Each variable's checkpoint key, mapped to the name the object graph records for it. */
  private Map<String, String> fullNames() {
    Map<String, String> names = new HashMap<>();
    byte[][] strings = readStrings(OBJECT_GRAPH_KEY, protos.get(OBJECT_GRAPH_KEY));
    if (strings.length != 1) {
      return names;
    }
    try {
      TrackableObjectGraph graph = TrackableObjectGraph.parseFrom(strings[0]);
      for (var node : graph.getNodesList()) {
        for (var attribute : node.getAttributesList()) {
          if (!attribute.getFullName().isEmpty()) {
            names.put(attribute.getCheckpointKey(), attribute.getFullName());
          }
        }
      }
    } catch (InvalidProtocolBufferException e) {
      // An unreadable object graph only costs the full names; the keys still work.
    }
    return names;
  }

  /**
   * Each variable's checkpoint key, mapped to the index of its node in the checkpoint's object
   * graph (which is also its node's index in a TensorFlow 2 SavedModel's object graph); empty for a
   * name-based checkpoint.
   */
  Map<String, Integer> objectNodeIds() {
    Map<String, Integer> ids = new HashMap<>();
    if (!protos.containsKey(OBJECT_GRAPH_KEY)) {
      return ids;
    }
    byte[][] strings = readStrings(OBJECT_GRAPH_KEY, protos.get(OBJECT_GRAPH_KEY));
    if (strings.length != 1) {
      return ids;
    }
    try {
      TrackableObjectGraph graph = TrackableObjectGraph.parseFrom(strings[0]);
      for (int i = 0; i < graph.getNodesCount(); i++) {
        for (var attribute : graph.getNodes(i).getAttributesList()) {
          ids.put(attribute.getCheckpointKey(), i);
        }
      }
    } catch (InvalidProtocolBufferException e) {
      // An unreadable object graph only costs the trainable flags; the keys still work.
    }
    return ids;
  }

  /** The checkpoint's prefix: {@code <prefix>.index} is its index. */
  Path prefix() {
    return prefix;
  }

  /**
   * The checkpoint prefix {@code path} stands for.
   *
   * @throws WeightFileException if {@code path} leads to no checkpoint
   */
  static Path prefixOf(Path path) {
    String text = path.toString();
    if (Files.isDirectory(path)) {
      Path savedModel = path.resolve("variables").resolve("variables");
      if (Files.isRegularFile(Path.of(savedModel + ".index"))) {
        return savedModel;
      }
      Path state = path.resolve("checkpoint");
      if (Files.isRegularFile(state)) {
        return newest(path, state);
      }
      Path variables = path.resolve("variables");
      if (Files.isRegularFile(Path.of(variables + ".index"))) {
        return variables;
      }
      Path newest = newestOfStore(path);
      if (newest != null) {
        return newest;
      }
      throw new WeightFileException(
          path,
          "is a directory without a checkpoint: expected variables/variables.index (a"
              + " SavedModel), a 'checkpoint' file naming the newest checkpoint,"
              + " variables.index, or tfloop's ckpt-N directories; it holds "
              + listing(path));
    }
    if (text.endsWith(".index")) {
      return Path.of(text.substring(0, text.length() - ".index".length()));
    }
    Matcher data = Pattern.compile("(.*)\\.data-\\d{5}-of-\\d{5}$").matcher(text);
    if (data.matches()) {
      return Path.of(data.group(1));
    }
    if (Files.isRegularFile(Path.of(text + ".index"))) {
      return path;
    }
    throw new WeightFileException(
        path,
        "no checkpoint there: neither "
            + path.getFileName()
            + ".index nor a SavedModel or checkpoint directory exists");
  }

  /**
   * The variables of the newest checkpoint of a directory tfloop's fits wrote checkpoints to
   * ({@code ckpt-N} directories) that verifies against its manifest, as {@code resume} picks it;
   * null if there are no such directories.
   *
   * @throws WeightFileException if there are, but none verifies
   */
  private static Path newestOfStore(Path dir) {
    List<Path> checkpoints = new ArrayList<>();
    Pattern name = Pattern.compile("ckpt-(\\d+)");
    try (Stream<Path> children = Files.list(dir)) {
      children
          .filter(child -> name.matcher(child.getFileName().toString()).matches())
          .filter(Files::isDirectory)
          .forEach(checkpoints::add);
    } catch (IOException e) {
      throw new WeightFileException(dir, "cannot be listed: " + e, e);
    }
    if (checkpoints.isEmpty()) {
      return null;
    }
    checkpoints.sort(
        java.util.Comparator.comparingLong(
            path -> Long.parseLong(path.getFileName().toString().substring("ckpt-".length()))));
    List<String> problems = new ArrayList<>();
    for (int i = checkpoints.size() - 1; i >= 0; i--) {
      try {
        return CheckpointStore.verify(checkpoints.get(i)).file("variables");
      } catch (IOException | RuntimeException e) {
        problems.add(checkpoints.get(i).getFileName() + ": " + e.getMessage());
      }
    }
    throw new WeightFileException(dir, "holds no checkpoint that verifies: " + problems);
  }

  /** The newest checkpoint a {@code checkpoint} state file names, relative to {@code dir}. */
  private static Path newest(Path dir, Path state) {
    String text;
    try {
      text = Files.readString(state, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new WeightFileException(state, "cannot be read: " + e, e);
    }
    Matcher matcher = CHECKPOINT_STATE.matcher(text);
    if (!matcher.find()) {
      throw new WeightFileException(
          state, "names no checkpoint: it has no line model_checkpoint_path: \"...\"");
    }
    Path named = Path.of(matcher.group(1).replace("\\\"", "\"").replace("\\\\", "\\"));
    Path prefix = named.isAbsolute() ? named : dir.resolve(named);
    if (!Files.isRegularFile(Path.of(prefix + ".index"))) {
      throw new WeightFileException(
          state, "names the checkpoint " + named + ", but " + prefix + ".index does not exist");
    }
    return prefix;
  }

  private static String listing(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      List<String> names = files.map(p -> p.getFileName().toString()).sorted().limit(20).toList();
      return names.isEmpty() ? "nothing" : names.toString();
    } catch (IOException e) {
      return "(unlistable: " + e.getMessage() + ")";
    }
  }

  @Override
  public String description() {
    return "TensorFlow checkpoint " + prefix;
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
    BundleEntryProto proto = protos.get(name);
    if (proto.getSlicesCount() > 0) {
      throw new IllegalArgumentException(
          description()
              + ": entry '"
              + name
              + "' is a partitioned variable saved in "
              + proto.getSlicesCount()
              + " slices; partitioned variables are not read");
    }
    switch (entry.type()) {
      case OTHER:
        throw new IllegalArgumentException(
            description()
                + ": entry '"
                + name
                + "' has dtype "
                + proto.getDtype()
                + ", which TensorFlow Java has no tensor type for");
      case STRING:
        return stringTensor(entry, readStrings(name, proto));
      default:
        byte[] bytes = readChecked(name, proto);
        long expected = entry.size() * entry.type().byteSize();
        if (bytes.length != expected) {
          throw new WeightFileException(
              dataFile(proto.getShardId()),
              "entry '"
                  + name
                  + "' holds "
                  + bytes.length
                  + " bytes, but "
                  + entry.type()
                  + " "
                  + WeightTarget.describe(entry.shape())
                  + " needs "
                  + expected);
        }
        return Tensor.of(
            entry.type().tensorType(), entry.shape(), DataBuffers.of(bytes, true, false));
    }
  }

  private static Tensor stringTensor(WeightEntry entry, byte[][] strings) {
    var array = NdArrays.ofObjects(byte[].class, entry.shape());
    long[] index = {0};
    array.scalars().forEach(scalar -> scalar.setObject(strings[(int) index[0]++]));
    return TString.tensorOfBytes(array);
  }

  /**
   * The elements of a string tensor. TensorFlow writes a varint64 length per element, a masked
   * CRC-32C of the lengths (each taken as a little-endian uint32), then the bytes of each element;
   * the entry's CRC-32C covers the lengths as uint32s, that checksum, and the bytes.
   */
  private byte[][] readStrings(String name, BundleEntryProto proto) {
    Path file = dataFile(proto.getShardId());
    byte[] bytes = readRaw(name, proto, file);
    long count = TensorShapes.of(proto.getShape()).size();
    ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    CRC32C crc = new CRC32C();
    try {
      long[] lengths = new long[(int) count];
      ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < count; i++) {
        long value = 0;
        for (int shift = 0; ; shift += 7) {
          byte b = buffer.get();
          value |= (long) (b & 0x7f) << shift;
          if (b >= 0) {
            break;
          }
        }
        lengths[i] = value;
        length.clear();
        if (value <= 0xffffffffL) {
          length.putInt((int) value);
        } else {
          length.putLong(value);
        }
        crc.update(length.array(), 0, length.position());
      }
      int lengthsChecksum = buffer.getInt();
      if (Crc32c.unmask(lengthsChecksum) != (int) crc.getValue()) {
        throw mismatch(file, name, proto, Crc32c.unmask(lengthsChecksum), (int) crc.getValue());
      }
      crc.update(bytes, buffer.position() - 4, 4);
      byte[][] strings = new byte[(int) count][];
      for (int i = 0; i < count; i++) {
        strings[i] = new byte[(int) lengths[i]];
        buffer.get(strings[i]);
        crc.update(strings[i]);
      }
      int stored = Crc32c.unmask(proto.getCrc32C());
      if (stored != (int) crc.getValue()) {
        throw mismatch(file, name, proto, stored, (int) crc.getValue());
      }
      return strings;
    } catch (BufferUnderflowException | NegativeArraySizeException e) {
      throw new WeightFileException(file, "string entry '" + name + "' is cut short", e);
    }
  }

  /** The stored bytes of an entry, checked against its CRC-32C. */
  private byte[] readChecked(String name, BundleEntryProto proto) {
    Path file = dataFile(proto.getShardId());
    byte[] bytes = readRaw(name, proto, file);
    int computed = Crc32c.of(bytes, 0, bytes.length);
    int stored = Crc32c.unmask(proto.getCrc32C());
    if (computed != stored) {
      throw mismatch(file, name, proto, stored, computed);
    }
    return bytes;
  }

  private static WeightFileException mismatch(
      Path file, String name, BundleEntryProto proto, int stored, int computed) {
    return new WeightFileException(
        file,
        String.format(
            "checksum mismatch for entry '%s' (%d bytes at offset %d): stored crc32c %08x,"
                + " computed %08x; the file is corrupt or was changed after it was written",
            name, proto.getSize(), proto.getOffset(), stored, computed));
  }

  /** The stored bytes of an entry, as they are. */
  private byte[] readRaw(String name, BundleEntryProto proto, Path file) {
    if (proto.getSize() > Integer.MAX_VALUE - 8) {
      throw new WeightFileException(
          file, "entry '" + name + "' is " + proto.getSize() + " bytes, over 2 GB: not read");
    }
    byte[] bytes = new byte[(int) proto.getSize()];
    try {
      FileChannel channel = channel(proto.getShardId(), file);
      ByteBuffer buffer = ByteBuffer.wrap(bytes);
      long position = proto.getOffset();
      while (buffer.hasRemaining()) {
        int read = channel.read(buffer, position);
        if (read < 0) {
          throw new WeightFileException(
              file,
              "ends before entry '"
                  + name
                  + "' does ("
                  + proto.getSize()
                  + " bytes at offset "
                  + proto.getOffset()
                  + "); the checkpoint is incomplete");
        }
        position += read;
      }
    } catch (IOException e) {
      throw new WeightFileException(file, "cannot read entry '" + name + "': " + e, e);
    }
    return bytes;
  }

  private FileChannel channel(int shard, Path file) throws IOException {
    FileChannel channel = channels.get(shard);
    if (channel == null) {
      if (!Files.isRegularFile(file)) {
        throw new WeightFileException(
            file,
            "is missing: the index "
                + prefix.getFileName()
                + ".index names "
                + shards
                + " data file(s)");
      }
      channel = FileChannel.open(file, StandardOpenOption.READ);
      channels.put(shard, channel);
    }
    return channel;
  }

  private Path dataFile(int shard) {
    return Path.of(String.format("%s.data-%05d-of-%05d", prefix, shard, shards));
  }

  @Override
  public void close() {
    for (FileChannel channel : channels.values()) {
      try {
        channel.close();
      } catch (IOException e) {
        // Closing a read-only channel loses nothing.
      }
    }
    channels.clear();
  }

  @Override
  public String toString() {
    return description();
  }
}
