package io.github.tfloop.data.stream;

import io.github.tfloop.data.DataFingerprint;
import io.github.tfloop.data.InputSpec;
import java.io.Closeable;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * One file format of a {@link StreamingDataset}: its files cut into {@link Part}s, a reader that
 * walks a part's records (keeping the bytes of some, skipping the others cheaply), and a decoder
 * that turns a record's bytes into the values of the inputs. Formats know nothing of threads,
 * shuffling or batches: {@link Pipeline} does that for all of them.
 */
abstract class Source {

  /** Bytes read from each end of a file for its fingerprint. */
  static final int SAMPLE_BYTES = 64 * 1024;

  /** What the source reads, for messages: {@code "2 TFRecord files (a.tfrecord, b.tfrecord)"}. */
  abstract String describe();

  /** The columns, each described as the input it feeds. */
  abstract List<InputSpec> columns();

  /** The parts, in the files' order. */
  abstract List<Part> parts();

  /** The bytes of a typical record as read, to size the chunks that carry records. */
  abstract int recordBytes();

  /**
   * Writes what identifies {@code column}'s data to {@code out}: the files it comes from ({@link
   * #sample}s of them) and where in them it is (a feature's key, a CSV column's name).
   */
  abstract void fingerprint(InputSpec column, DataOutputStream out) throws IOException;

  /** Opens {@code part} at its first record, reading through buffers from {@code buffers}. */
  abstract PartReader open(Part part, IoBuffers buffers) throws IOException;

  /**
   * A decoder of records into values of {@code inputs}, each one of {@link #columns()}; one per
   * decoding thread, so it may keep state.
   */
  abstract Decoder decoder(List<InputSpec> inputs);

  /** Walks the records of one part. */
  interface PartReader extends Closeable {
    /**
     * Moves past the next record. With a chunk, appends the record to it ({@link
     * Chunk#beginRecord}, its bytes, {@link Chunk#finishRecord}) as record {@code number} of the
     * epoch; without one, skips it as cheaply as the format allows.
     *
     * @return false, having done nothing, at the end of the part
     * @throws IOException naming the file and record, if the file is damaged or unreadable
     */
    boolean next(Chunk into, long number) throws IOException;
  }

  /** Turns record {@code k} of a chunk into values, at example {@code k} of its value arrays. */
  interface Decoder {
    /**
     * @throws IOException naming the file and record, if the record is damaged
     * @throws IllegalArgumentException naming the file, record and input, if it cannot feed one
     */
    void decode(Chunk chunk, int k) throws IOException;
  }

  /**
   * Writes {@code file}'s name (not its folder: data moved elsewhere is the same data), its size
   * and the XXH64 hashes of its first and last {@value #SAMPLE_BYTES} bytes to {@code out}.
   */
  static void sample(Path file, DataOutputStream out) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = channel.size();
      out.writeUTF(file.getFileName().toString());
      out.writeLong(size);
      ByteBuffer head = ByteBuffer.allocate((int) Math.min(size, SAMPLE_BYTES));
      readFully(channel, head, 0);
      out.writeLong(DataFingerprint.xxh64(head.array()));
      if (size > SAMPLE_BYTES) {
        long from = Math.max(SAMPLE_BYTES, size - SAMPLE_BYTES);
        ByteBuffer tail = ByteBuffer.allocate((int) (size - from));
        readFully(channel, tail, from);
        out.writeLong(DataFingerprint.xxh64(tail.array()));
      }
    }
  }

  private static void readFully(FileChannel channel, ByteBuffer buffer, long position)
      throws IOException {
    while (buffer.hasRemaining()) {
      int read = channel.read(buffer, position + buffer.position());
      if (read < 0) {
        throw new IOException("the file ended while it was being read (is it being written?)");
      }
    }
  }

  /**
   * Checks that {@code file} is a readable regular file.
   *
   * @throws IOException naming it and saying what it is instead
   */
  static void requireReadable(Path file) throws IOException {
    if (!Files.exists(file)) {
      throw new IOException(file + ": no such file");
    }
    if (!Files.isRegularFile(file)) {
      throw new IOException(file + ": not a regular file (a directory?)");
    }
    if (!Files.isReadable(file)) {
      throw new IOException(file + ": not readable (check its permissions)");
    }
  }

  /** {@code "a, b, c"}, or the first three names and how many more. */
  static String names(List<Path> files) {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < Math.min(3, files.size()); i++) {
      text.append(i > 0 ? ", " : "").append(files.get(i).getFileName());
    }
    if (files.size() > 3) {
      text.append(" and ").append(files.size() - 3).append(" more");
    }
    return text.toString();
  }
}
