package io.github.tfloop.data.stream;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.github.tfloop.data.InputSpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.tensorflow.proto.Example;
import org.tensorflow.proto.Feature;
import org.tensorflow.proto.FloatList;
import org.tensorflow.proto.Int64List;

/**
 * TFRecord files of {@code tf.train.Example}s: one part per file. Both checksums of every record
 * read are checked (that of its length as the record is found, that of its data as it is decoded);
 * a record skipped (another worker's, or one before a resumed position) is passed over by its
 * length, unread.
 */
final class TfRecordSource extends Source {

  private static final int BUFFER = 1 << 20;

  private final List<Path> files;
  private final List<InputSpec> columns;
  private final List<String> features;
  private final List<Part> parts = new ArrayList<>();
  private final int recordBytes;

  /**
   * @param features the key of the feature that feeds each column, in order
   */
  TfRecordSource(List<Path> files, List<InputSpec> columns, List<String> features)
      throws IOException {
    this.files = List.copyOf(files);
    this.columns = List.copyOf(columns);
    this.features = List.copyOf(features);
    int bytes = 16;
    for (InputSpec column : columns) {
      bytes += 16 + column.exampleLength() * (column.dtype().isFloating() ? 4 : 2);
    }
    this.recordBytes = bytes;
    for (int i = 0; i < files.size(); i++) {
      requireReadable(files.get(i));
      parts.add(new Part(i, files.get(i).toString(), i, 0, -1));
    }
  }

  @Override
  String describe() {
    return files.size()
        + (files.size() == 1 ? " TFRecord file (" : " TFRecord files (")
        + names(files)
        + ")";
  }

  @Override
  List<InputSpec> columns() {
    return columns;
  }

  @Override
  List<Part> parts() {
    return parts;
  }

  @Override
  int recordBytes() {
    return recordBytes;
  }

  @Override
  void fingerprint(InputSpec column, MessageDigest digest) throws IOException {
    digest.update(
        ("tfrecord feature " + features.get(columns.indexOf(column)))
            .getBytes(StandardCharsets.UTF_8));
    for (Path file : files) {
      sample(file, digest);
    }
  }

  @Override
  PartReader open(Part part) throws IOException {
    Path file = files.get(part.index());
    FileInput in = new FileInput(file, 0, BUFFER);
    byte[] header = new byte[12];
    return new PartReader() {
      private long record;

      @Override
      public boolean next(Chunk into, long number) throws IOException {
        long at = in.position();
        int got = in.read(header, 0, 12);
        if (got == 0) {
          return false;
        }
        if (got < 12) {
          throw new IOException(
              file
                  + ": truncated: record "
                  + record
                  + " at byte "
                  + at
                  + " ends inside its 12-byte header, after "
                  + got
                  + " bytes");
        }
        ByteBuffer fields = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
        long length = fields.getLong(0);
        int stored = fields.getInt(8);
        int computed = TfRecordWriter.maskedCrc32c(header, 0, 8);
        if (stored != computed) {
          throw new IOException(
              String.format(
                  Locale.ROOT,
                  "%s: record %d at byte %d: the masked CRC32C of its length is 0x%08x, but the"
                      + " record says 0x%08x: the file is damaged, or not a TFRecord file",
                  file,
                  record,
                  at,
                  computed,
                  stored));
        }
        if (length < 0 || length + 4 > in.remaining()) {
          throw new IOException(
              file
                  + ": truncated: record "
                  + record
                  + " at byte "
                  + at
                  + " says it holds "
                  + Long.toUnsignedString(length)
                  + " bytes, but only "
                  + Math.max(0, in.remaining() - 4)
                  + " are left in the file before its checksum");
        }
        if (length > Integer.MAX_VALUE - 64) {
          throw new IOException(
              file
                  + ": record "
                  + record
                  + " at byte "
                  + at
                  + " holds "
                  + length
                  + " bytes, more than a record read here may hold (2 GB)");
        }
        if (into == null) {
          in.skip(length + 4);
        } else {
          into.beginRecord(number, part.index(), record, at);
          int size = (int) length + 4;
          byte[] bytes = into.reserve(size);
          if (in.read(bytes, into.used, size) < size) {
            throw new IOException(
                file
                    + ": record "
                    + record
                    + " at byte "
                    + at
                    + " is cut short: the file shrank while it was read");
          }
          into.used += size;
          into.finishRecord();
        }
        record++;
        return true;
      }

      @Override
      public void close() throws IOException {
        in.close();
      }
    };
  }

  @Override
  Decoder decoder(List<InputSpec> inputs) {
    String[] keys = new String[inputs.size()];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = features.get(columns.indexOf(inputs.get(i)));
    }
    return (chunk, k) -> {
      int start = chunk.start[k];
      int length = chunk.length[k] - 4;
      byte[] bytes = chunk.bytes;
      int stored = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getInt(start + length);
      int computed = TfRecordWriter.maskedCrc32c(bytes, start, length);
      if (stored != computed) {
        throw new IOException(
            String.format(
                Locale.ROOT,
                "%s: the masked CRC32C of its %d bytes of data is 0x%08x, but the record says"
                    + " 0x%08x: the file is damaged",
                where(chunk, k),
                length,
                computed,
                stored));
      }
      Example example;
      try {
        example = Example.parseFrom(CodedInputStream.newInstance(bytes, start, length));
      } catch (InvalidProtocolBufferException e) {
        throw new IOException(where(chunk, k) + ": not a tf.train.Example: " + e.getMessage(), e);
      }
      Map<String, Feature> map = example.getFeatures().getFeatureMap();
      for (int i = 0; i < keys.length; i++) {
        Feature feature = map.get(keys[i]);
        if (feature == null) {
          throw new IllegalArgumentException(
              where(chunk, k)
                  + ": no feature '"
                  + keys[i]
                  + "' for input '"
                  + inputs.get(i).name()
                  + "'; its features are "
                  + new TreeSet<>(map.keySet()));
        }
        put(feature, inputs.get(i), keys[i], chunk, k, i);
      }
    };
  }

  private void put(Feature feature, InputSpec input, String key, Chunk chunk, int k, int slot) {
    int length = input.exampleLength();
    int at = k * length;
    Object target = chunk.values[slot];
    switch (feature.getKindCase()) {
      case FLOAT_LIST -> {
        FloatList values = feature.getFloatList();
        requireCount(values.getValueCount(), "floats", input, key, chunk, k);
        switch (input.dtype()) {
          case FLOAT32 -> {
            float[] floats = (float[]) target;
            for (int j = 0; j < length; j++) {
              floats[at + j] = values.getValue(j);
            }
          }
          case FLOAT64 -> {
            double[] doubles = (double[]) target;
            for (int j = 0; j < length; j++) {
              doubles[at + j] = values.getValue(j);
            }
          }
          case INT32, INT64 ->
              throw new IllegalArgumentException(
                  where(chunk, k)
                      + ": feature '"
                      + key
                      + "' holds floats but input '"
                      + input.name()
                      + "' takes "
                      + input.dtype()
                      + " integers");
        }
      }
      case INT64_LIST -> {
        Int64List values = feature.getInt64List();
        requireCount(values.getValueCount(), "integers", input, key, chunk, k);
        switch (input.dtype()) {
          case FLOAT32 -> {
            float[] floats = (float[]) target;
            for (int j = 0; j < length; j++) {
              floats[at + j] = values.getValue(j);
            }
          }
          case FLOAT64 -> {
            double[] doubles = (double[]) target;
            for (int j = 0; j < length; j++) {
              doubles[at + j] = values.getValue(j);
            }
          }
          case INT32 -> {
            int[] ints = (int[]) target;
            for (int j = 0; j < length; j++) {
              long value = values.getValue(j);
              if (value != (int) value) {
                throw new IllegalArgumentException(
                    where(chunk, k)
                        + ": feature '"
                        + key
                        + "' holds "
                        + value
                        + ", outside the range of input '"
                        + input.name()
                        + "' (INT32)");
              }
              ints[at + j] = (int) value;
            }
          }
          case INT64 -> {
            long[] longs = (long[]) target;
            for (int j = 0; j < length; j++) {
              longs[at + j] = values.getValue(j);
            }
          }
        }
      }
      case BYTES_LIST ->
          throw new IllegalArgumentException(
              where(chunk, k)
                  + ": feature '"
                  + key
                  + "' is a bytes_list; a streamed TFRecord input reads float_list and int64_list"
                  + " features (decode images into a float_list when writing the records, or"
                  + " stream them from a folder with StreamingDataset.imageFolders)");
      case KIND_NOT_SET ->
          throw new IllegalArgumentException(
              where(chunk, k) + ": feature '" + key + "' is empty (no list of values is set)");
    }
  }

  private void requireCount(
      int count, String what, InputSpec input, String key, Chunk chunk, int k) {
    if (count != input.exampleLength()) {
      throw new IllegalArgumentException(
          where(chunk, k)
              + ": feature '"
              + key
              + "' holds "
              + count
              + " "
              + what
              + " but input '"
              + input.name()
              + "' takes "
              + input.exampleLength()
              + " ("
              + InputSpec.describe(input.exampleShape())
              + ")");
    }
  }

  private String where(Chunk chunk, int k) {
    return files.get(chunk.part[k]) + ": record " + chunk.record[k] + " at byte " + chunk.offset[k];
  }
}
