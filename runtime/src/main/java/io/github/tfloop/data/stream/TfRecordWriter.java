package io.github.tfloop.data.stream;

import io.github.tfloop.data.Column;
import io.github.tfloop.data.Dataset;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.CRC32C;
import org.tensorflow.proto.Example;
import org.tensorflow.proto.Feature;
import org.tensorflow.proto.Features;
import org.tensorflow.proto.FloatList;
import org.tensorflow.proto.Int64List;

/**
 * Writes TFRecord files, the format of TensorFlow's {@code tf.io.TFRecordWriter}: each record is
 * its length (little-endian, 64 bits), the masked CRC32C of those 8 bytes, the bytes, and their
 * masked CRC32C. {@link #write(Path, Dataset)} writes a whole in-memory dataset as {@code
 * tf.train.Example}s, which {@link StreamingDataset#tfRecords} and Python's {@code
 * tf.data.TFRecordDataset} read back:
 *
 * <pre>{@code
 * Dataset train = IdxFile.dataset(FashionMlpLoop.IMAGE, images, FashionMlpLoop.LABEL, labels);
 * List<Path> files = TfRecordWriter.write(Path.of("fashion"), "train", train, 10);
 * }</pre>
 */
public final class TfRecordWriter implements AutoCloseable {

  private static final int MASK_DELTA = 0xa282ead8;

  private final Path file;
  private final OutputStream out;
  private final byte[] header = new byte[12];
  private final byte[] footer = new byte[4];
  private long records;

  private TfRecordWriter(Path file, OutputStream out) {
    this.file = file;
    this.out = out;
  }

  /**
   * Creates (or replaces) {@code file}.
   *
   * @throws IOException naming the file, if it cannot be created
   */
  public static TfRecordWriter create(Path file) throws IOException {
    try {
      return new TfRecordWriter(
          file, new BufferedOutputStream(Files.newOutputStream(file), 1 << 16));
    } catch (IOException e) {
      throw new IOException(file + ": cannot be created: " + e.getMessage(), e);
    }
  }

  /** Writes one record holding {@code data}. */
  public void write(byte[] data) throws IOException {
    ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).putLong(0, data.length);
    ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).putInt(8, maskedCrc32c(header, 0, 8));
    ByteBuffer.wrap(footer)
        .order(ByteOrder.LITTLE_ENDIAN)
        .putInt(0, maskedCrc32c(data, 0, data.length));
    out.write(header);
    out.write(data);
    out.write(footer);
    records++;
  }

  /** Writes {@code example} as one record. */
  public void write(Example example) throws IOException {
    write(example.toByteArray());
  }

  /** Records written so far. */
  public long records() {
    return records;
  }

  /** The file being written. */
  public Path file() {
    return file;
  }

  @Override
  public void close() throws IOException {
    out.close();
  }

  /**
   * Writes every example of {@code data} to {@code file} as a {@code tf.train.Example} with one
   * feature per column, named after it: {@code float} and {@code double} columns as a {@code
   * float_list} (doubles rounded to floats), {@code int} and {@code long} columns as an {@code
   * int64_list}, each example's values flattened row by row.
   *
   * @return the number of examples written
   * @throws IllegalStateException if {@code data} is streamed
   */
  public static long write(Path file, Dataset data) throws IOException {
    return write(List.of(file), data).get(0);
  }

  /**
   * Writes {@code data} as above into {@code shards} files in {@code directory}, named {@code
   * <prefix>-00000-of-00010.tfrecord} and so on: example {@code i} goes to file {@code i * shards /
   * size}, so each holds a run of consecutive examples and the files together hold them in order.
   *
   * @return the files, in order
   */
  public static List<Path> write(Path directory, String prefix, Dataset data, int shards)
      throws IOException {
    if (shards < 1) {
      throw new IllegalArgumentException("shards must be at least 1, got " + shards);
    }
    Files.createDirectories(directory);
    List<Path> files = new ArrayList<>();
    for (int i = 0; i < shards; i++) {
      files.add(
          directory.resolve(
              String.format(Locale.ROOT, "%s-%05d-of-%05d.tfrecord", prefix, i, shards)));
    }
    write(files, data);
    return files;
  }

  private static List<Long> write(List<Path> files, Dataset data) throws IOException {
    List<String> names = new ArrayList<>(data.columnNames());
    List<Column> columns = new ArrayList<>();
    for (String name : names) {
      columns.add(data.column(name));
    }
    int size = data.size();
    List<Long> counts = new ArrayList<>();
    int shards = files.size();
    for (int shard = 0; shard < shards; shard++) {
      int from = (int) ((long) shard * size / shards);
      int to = (int) ((long) (shard + 1) * size / shards);
      try (TfRecordWriter writer = create(files.get(shard))) {
        for (int example = from; example < to; example++) {
          Features.Builder features = Features.newBuilder();
          for (int c = 0; c < columns.size(); c++) {
            features.putFeature(names.get(c), feature(columns.get(c), example));
          }
          writer.write(Example.newBuilder().setFeatures(features).build());
        }
        counts.add(writer.records());
      }
    }
    return counts;
  }

  private static Feature feature(Column column, int example) {
    int length = column.exampleLength();
    int from = example * length;
    Object values = column.values();
    Feature.Builder feature = Feature.newBuilder();
    switch (column.dtype()) {
      case FLOAT32 -> {
        FloatList.Builder list = FloatList.newBuilder();
        float[] floats = (float[]) values;
        for (int i = 0; i < length; i++) {
          list.addValue(floats[from + i]);
        }
        feature.setFloatList(list);
      }
      case FLOAT64 -> {
        FloatList.Builder list = FloatList.newBuilder();
        double[] doubles = (double[]) values;
        for (int i = 0; i < length; i++) {
          list.addValue((float) doubles[from + i]);
        }
        feature.setFloatList(list);
      }
      case INT32 -> {
        Int64List.Builder list = Int64List.newBuilder();
        int[] ints = (int[]) values;
        for (int i = 0; i < length; i++) {
          list.addValue(ints[from + i]);
        }
        feature.setInt64List(list);
      }
      case INT64 -> {
        Int64List.Builder list = Int64List.newBuilder();
        long[] longs = (long[]) values;
        for (int i = 0; i < length; i++) {
          list.addValue(longs[from + i]);
        }
        feature.setInt64List(list);
      }
    }
    return feature.build();
  }

  /** TFRecord's checksum: CRC32C, rotated right by 15 bits, plus a constant. */
  static int maskedCrc32c(byte[] bytes, int offset, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, offset, length);
    int value = (int) crc.getValue();
    return ((value >>> 15) | (value << 17)) + MASK_DELTA;
  }
}
