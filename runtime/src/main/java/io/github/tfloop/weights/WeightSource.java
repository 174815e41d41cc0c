package io.github.tfloop.weights;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.tensorflow.Tensor;
import org.tensorflow.types.TFloat32;

/**
 * Named weight tensors stored in a file: a TensorFlow checkpoint, a SavedModel's variables, or a
 * Keras weight file. List them with {@link #entries()}, read one with {@link #read(String)}, or map
 * them onto a loop's variables with a {@link WeightMapping}.
 *
 * <pre>{@code
 * try (WeightSource source = WeightSource.open(Path.of("model.weights.h5"))) {
 *   source.entries().forEach(System.out::println); // layers/dense/vars/0 float32 [784, 128]
 * }
 * }</pre>
 *
 * <p>A source keeps its files open until closed. Not thread-safe.
 */
public interface WeightSource extends AutoCloseable {

  /**
   * Opens whatever {@code path} is, by its content: a SavedModel directory (it has {@code
   * variables/variables.index}; or, written by tfloop's {@code exportSavedModel}, weights frozen as
   * constants), a checkpoint directory (it has a {@code checkpoint} file naming the newest
   * checkpoint), a directory of checkpoints tfloop wrote ({@code ckpt-N} directories: the newest
   * that verifies), a checkpoint prefix or its {@code .index} file, an HDF5 file written by Keras
   * ({@code .weights.h5}, {@code .h5}) or a {@code .keras} archive.
   *
   * @throws WeightFileException if there is nothing there, or nothing this package reads
   */
  static WeightSource open(Path path) {
    if (Files.isDirectory(path)) {
      if (FrozenGraphSource.applies(path)) {
        return FrozenGraphSource.open(path);
      }
      return CheckpointSource.open(path);
    }
    if (Files.isRegularFile(path)) {
      byte[] magic = new byte[8];
      int read;
      try (InputStream in = Files.newInputStream(path)) {
        read = in.readNBytes(magic, 0, magic.length);
      } catch (IOException e) {
        throw new WeightFileException(path, "cannot be read: " + e.getMessage(), e);
      }
      if (read >= 4 && magic[0] == 'P' && magic[1] == 'K' && magic[2] == 3 && magic[3] == 4) {
        return KerasSource.open(path);
      }
      if (read == 8 && KerasSource.isHdf5(magic)) {
        return KerasSource.open(path);
      }
    }
    return CheckpointSource.open(path);
  }

  /**
   * Opens a TensorFlow checkpoint: its prefix ({@code dir/ckpt-3} for {@code dir/ckpt-3.index} and
   * {@code dir/ckpt-3.data-00000-of-00001}), its {@code .index} file, a directory with a {@code
   * checkpoint} file (the newest checkpoint it names), or a SavedModel directory (its {@code
   * variables/variables}).
   *
   * @throws WeightFileException if no checkpoint is there, or its index is corrupt
   */
  static WeightSource checkpoint(Path path) {
    return CheckpointSource.open(path);
  }

  /**
   * Opens a Keras weight file: {@code .weights.h5} (Keras 3), a legacy Keras 2 {@code .h5} (whole
   * model or weights only) or a {@code .keras} archive.
   *
   * @throws WeightFileException if it is none of these
   */
  static WeightSource keras(Path path) {
    return KerasSource.open(path);
  }

  /** What this is, for messages: the format and the path. */
  String description();

  /** Every tensor the source holds, in the source's order. */
  List<WeightEntry> entries();

  /** The entry named {@code name}, or {@code null}. */
  default WeightEntry entry(String name) {
    for (WeightEntry entry : entries()) {
      if (entry.name().equals(name)) {
        return entry;
      }
    }
    return null;
  }

  /**
   * A new tensor holding the value of entry {@code name}; the caller closes it.
   *
   * @throws IllegalArgumentException if there is no such entry, or its type cannot be read
   * @throws WeightFileException if the stored bytes are corrupt (checksum mismatch) or cut short
   */
  Tensor read(String name);

  /**
   * The value of the {@link WeightType#FLOAT32} entry {@code name}, flat, in row-major order.
   *
   * @throws IllegalArgumentException if there is no such entry, or it is not float32
   */
  default float[] readFloats(String name) {
    WeightEntry entry = entry(name);
    if (entry == null || entry.type() != WeightType.FLOAT32) {
      throw new IllegalArgumentException(
          description()
              + ": "
              + (entry == null ? "has no entry '" + name + "'" : entry + " is not float32"));
    }
    try (TFloat32 tensor = (TFloat32) read(name)) {
      float[] values = new float[(int) entry.size()];
      tensor.asRawTensor().data().asFloats().read(values);
      return values;
    }
  }

  /** Closes the source's files. */
  @Override
  void close();
}
