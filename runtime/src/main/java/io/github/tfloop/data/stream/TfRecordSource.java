package io.github.tfloop.data.stream;

import io.github.tfloop.data.InputSpec;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

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
  void fingerprint(InputSpec column, DataOutputStream out) throws IOException {
    out.writeUTF("tfrecord feature " + features.get(columns.indexOf(column)));
    for (Path file : files) {
      sample(file, out);
    }
  }

  @Override
  PartReader open(Part part, IoBuffers buffers) throws IOException {
    Path file = files.get(part.index());
    FileInput in = new FileInput(file, 0, -1, BUFFER, buffers);
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
    List<String> keys = new ArrayList<>();
    for (InputSpec input : inputs) {
      keys.add(features.get(columns.indexOf(input)));
    }
    ExampleReader example = new ExampleReader(keys);
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
      try {
        example.read(bytes, start, start + length);
        for (int i = 0; i < keys.size(); i++) {
          put(example, i, inputs.get(i), keys.get(i), chunk, k);
        }
      } catch (IOException e) {
        throw new IOException(where(chunk, k) + ": not a tf.train.Example: " + e.getMessage(), e);
      }
    };
  }

  private void put(ExampleReader example, int i, InputSpec input, String key, Chunk chunk, int k)
      throws IOException {
    int length = input.exampleLength();
    int at = k * length;
    Object target = chunk.values[i];
    switch (example.kind(i)) {
      case ExampleReader.NONE -> {
        byte[] bytes = chunk.bytes;
        int start = chunk.start[k];
        throw new IllegalArgumentException(
            where(chunk, k)
                + ": no feature '"
                + key
                + "' for input '"
                + input.name()
                + "'; its features are "
                + ExampleReader.featureNames(bytes, start, start + chunk.length[k] - 4));
      }
      case ExampleReader.FLOATS -> {
        requireCount(example.count(i), "floats", input, key, chunk, k);
        switch (input.dtype()) {
          case FLOAT32 -> example.floats(i, (float[]) target, at);
          case FLOAT64 -> example.floats(i, (double[]) target, at);
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
      case ExampleReader.INTEGERS -> {
        requireCount(example.count(i), "integers", input, key, chunk, k);
        switch (input.dtype()) {
          case FLOAT32 -> example.integers(i, (j, value) -> ((float[]) target)[at + j] = value);
          case FLOAT64 -> example.integers(i, (j, value) -> ((double[]) target)[at + j] = value);
          case INT32 ->
              example.integers(
                  i,
                  (j, value) -> {
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
                    ((int[]) target)[at + j] = (int) value;
                  });
          case INT64 -> example.integers(i, (j, value) -> ((long[]) target)[at + j] = value);
        }
      }
      case ExampleReader.EMPTY ->
          throw new IllegalArgumentException(
              where(chunk, k) + ": feature '" + key + "' is empty (no list of values is set)");
      default ->
          throw new IllegalArgumentException(
              where(chunk, k)
                  + ": feature '"
                  + key
                  + "' is a bytes_list; a streamed TFRecord input reads float_list and int64_list"
                  + " features (decode images into a float_list when writing the records, or"
                  + " stream them from a folder with StreamingDataset.imageFolders)");
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
