package io.github.tfloop.data.stream;

import io.github.tfloop.data.DType;
import io.github.tfloop.data.DataFingerprint;
import io.github.tfloop.data.DataStream;
import io.github.tfloop.data.Dataset;
import io.github.tfloop.data.InputSpec;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.IntConsumer;

/**
 * A dataset read from files while a loop trains, in bounded memory: IDX files (plain or gzip), CSV
 * files, TFRecord files of {@code tf.train.Example}s, or a folder of PNG/JPEG images with one
 * folder per class. Each factory names the files and the loop inputs their values feed; {@link
 * #dataset()} gives the {@link Dataset} that a loop's {@code fit}, {@code resume} and {@code
 * evaluate} take:
 *
 * <pre>{@code
 * Dataset train = StreamingDataset.tfRecords(
 *         StreamingDataset.files(dir, "train-*.tfrecord"),
 *         FashionMlpLoop.IMAGE, "image", FashionMlpLoop.LABEL, "label")
 *     .shuffleBuffer(20_000)
 *     .dataset();
 * loop.fit(train, test);
 * }</pre>
 *
 * <p>How it reads: files are cut into parts (a file; a block of records where the format allows
 * reading from the middle: plain IDX files and image folders). Each epoch reads the parts in an
 * order shuffled by the loop's seed and the epoch's number, decodes their records on {@link
 * #readers} background threads, and passes the examples through a shuffle buffer of {@link
 * #shuffleBuffer} examples (as tf.data's {@code shuffle} does) into batches prepared {@link
 * #prefetch} ahead of the training step. With {@code LoopOptions.shuffle(false)} examples come in
 * file order. The order depends on the seed alone, not on thread timing: two runs see the same
 * batches, and a fit resumed from a checkpoint goes on with exactly the batches an uninterrupted
 * one would have seen.
 *
 * <p>Memory: the shuffle buffer (its examples' values), a few chunks of records in flight (about a
 * MiB each) and the prefetched batches; nothing grows with the files.
 *
 * <p>On a cluster, worker {@code i} of {@code n} keeps record {@code r} of a part when {@code (key
 * + r) mod n = i}, where a part's key is the index of its first example (IDX files, image folders:
 * every n-th example) or its file's index (CSV and TFRecord files: every n-th record of each file,
 * from a different start in each).
 *
 * <p>Instances are immutable: the option methods return a changed copy.
 */
public final class StreamingDataset implements DataStream {

  /** The default shuffle buffer, in examples, unless they take more than {@link #BUFFER_BYTES}. */
  public static final int DEFAULT_SHUFFLE_BUFFER = 10_000;

  /** The memory the default shuffle buffer takes at most. */
  public static final long BUFFER_BYTES = 64L << 20;

  private final Source source;
  private final int shuffleBuffer;
  private final int readers;
  private final int prefetch;
  private final int shardIndex;
  private final int shardCount;
  private volatile DataFingerprint fingerprint;

  private StreamingDataset(
      Source source,
      int shuffleBuffer,
      int readers,
      int prefetch,
      int shardIndex,
      int shardCount,
      DataFingerprint fingerprint) {
    this.source = source;
    this.shuffleBuffer = shuffleBuffer;
    this.readers = readers;
    this.prefetch = prefetch;
    this.shardIndex = shardIndex;
    this.shardCount = shardCount;
    this.fingerprint = fingerprint;
  }

  private static StreamingDataset of(Source source) {
    return new StreamingDataset(source, -1, 1, 4, 0, 1, null);
  }

  // ---- the formats

  /**
   * Two IDX files, such as images and their labels, read as {@code IdxFile.dataset} reads them:
   * each feeds its input, converted the same way (unsigned bytes become floats in [0, 1] for a
   * floating-point input; examples take the input's shape when they hold as many values). Plain
   * files are read in blocks of about 1 MiB whose order is shuffled each epoch; a gzip file is read
   * from its start to its end.
   *
   * @throws IOException naming the file, if one cannot be read or is not an IDX file
   * @throws IllegalArgumentException naming the file and the input, if a file cannot feed its
   *     input, or both files if they hold different numbers of examples
   */
  public static StreamingDataset idx(
      InputSpec first, Path firstFile, InputSpec second, Path secondFile) throws IOException {
    if (first.name().equals(second.name())) {
      throw new IllegalArgumentException(
          "both files would feed input '" + first.name() + "': name two different inputs");
    }
    return of(new IdxSource(List.of(first, second), List.of(firstFile, secondFile)));
  }

  /**
   * One IDX file feeding {@code input}; see {@link #idx(InputSpec, Path, InputSpec, Path)}.
   *
   * @throws IOException naming the file, if it cannot be read or is not an IDX file
   */
  public static StreamingDataset idx(InputSpec input, Path file) throws IOException {
    return of(new IdxSource(List.of(input), List.of(file)));
  }

  /**
   * TFRecord files of {@code tf.train.Example}s, each feature feeding an input: {@code
   * firstFeature} feeds {@code first} and {@code secondFeature} feeds {@code second}. A feature
   * holds a {@code float_list} (for a {@code float} or {@code double} input) or an {@code
   * int64_list} (for any input), with as many values as one of the input's examples, row by row.
   * Every record read has both its checksums checked.
   *
   * @throws IOException naming the file, if one cannot be read
   */
  public static StreamingDataset tfRecords(
      List<Path> files,
      InputSpec first,
      String firstFeature,
      InputSpec second,
      String secondFeature)
      throws IOException {
    if (first.name().equals(second.name())) {
      throw new IllegalArgumentException(
          "both features would feed input '" + first.name() + "': name two different inputs");
    }
    return of(
        new TfRecordSource(
            requireFiles(files, "TFRecord"),
            List.of(first, second),
            List.of(firstFeature, secondFeature)));
  }

  /**
   * TFRecord files whose feature {@code feature} feeds {@code input}; see {@link #tfRecords(List,
   * InputSpec, String, InputSpec, String)}.
   */
  public static StreamingDataset tfRecords(List<Path> files, InputSpec input, String feature)
      throws IOException {
    return of(
        new TfRecordSource(requireFiles(files, "TFRecord"), List.of(input), List.of(feature)));
  }

  /**
   * CSV files with a header row, read as {@code CsvTable} reads one (UTF-8, fields optionally in
   * double quotes): the named columns of each row feed {@code first}, the others {@code second}, as
   * {@code CsvTable.dataset} shapes them. Every file must have the named columns (in any order). An
   * empty field is an error here: drop incomplete rows from the files first.
   *
   * @throws IOException naming the file, if one cannot be read or has no header
   * @throws IllegalArgumentException naming the file, if a column is missing, or the input, if the
   *     number of columns is not that of its examples
   */
  public static StreamingDataset csv(
      List<Path> files,
      InputSpec first,
      List<String> firstColumns,
      InputSpec second,
      List<String> secondColumns)
      throws IOException {
    if (first.name().equals(second.name())) {
      throw new IllegalArgumentException(
          "both column lists would feed input '" + first.name() + "': name two different inputs");
    }
    return of(
        new CsvSource(
            requireFiles(files, "CSV"),
            List.of(first, second),
            List.of(List.copyOf(firstColumns), List.copyOf(secondColumns))));
  }

  /**
   * CSV files whose named columns feed {@code input}; see {@link #csv(List, InputSpec, List,
   * InputSpec, List)}.
   */
  public static StreamingDataset csv(List<Path> files, InputSpec input, List<String> columns)
      throws IOException {
    return of(
        new CsvSource(requireFiles(files, "CSV"), List.of(input), List.of(List.copyOf(columns))));
  }

  /**
   * A folder holding one folder per class, each holding that class's PNG and JPEG images: the
   * images feed {@code image}, the class's number (its folder's place among the folders, sorted by
   * name: {@link #imageClasses}) feeds {@code label}. Images are decoded in Java ({@code
   * javax.imageio}); an input of shape {@code [height, width]} or {@code [height, width, 1]} takes
   * grey images, {@code [height, width, 3]} colour ones (a grey image gives three equal channels),
   * each of exactly that size; values are bytes, divided by 255 for a floating-point input. Blocks
   * of images are read in an order shuffled each epoch.
   *
   * @throws IOException naming the folder, if it cannot be listed or holds no class folder
   * @throws IllegalArgumentException if the inputs cannot take images and class numbers
   */
  public static StreamingDataset imageFolders(Path root, InputSpec image, InputSpec label)
      throws IOException {
    if (image.name().equals(label.name())) {
      throw new IllegalArgumentException(
          "images and labels would feed input '" + image.name() + "': name two different inputs");
    }
    return of(new ImageFolderSource(root, image, label));
  }

  /**
   * The class names of an image folder, in the order of their numbers: its folders, sorted by name.
   *
   * @throws IOException naming the folder, if it cannot be listed
   */
  public static List<String> imageClasses(Path root) throws IOException {
    return ImageFolderSource.classes(root);
  }

  /**
   * The files in {@code directory} whose names match {@code glob} (such as {@code
   * "train-*.tfrecord"}), sorted by name.
   *
   * @throws IOException naming the folder, if it cannot be listed or no file matches
   */
  public static List<Path> files(Path directory, String glob) throws IOException {
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory, glob)) {
      for (Path entry : entries) {
        if (Files.isRegularFile(entry)) {
          files.add(entry);
        }
      }
    } catch (IOException e) {
      throw new IOException(directory + ": cannot be listed: " + e.getMessage(), e);
    }
    if (files.isEmpty()) {
      throw new IOException(directory + ": no file matches '" + glob + "'");
    }
    files.sort(null);
    return files;
  }

  private static List<Path> requireFiles(List<Path> files, String format) {
    Objects.requireNonNull(files, "files");
    if (files.isEmpty()) {
      throw new IllegalArgumentException("name at least one " + format + " file");
    }
    return List.copyOf(files);
  }

  // ---- the options

  /**
   * Shuffles through a buffer of {@code examples} examples (0 or 1: no buffer; the parts' order is
   * still shuffled). A larger buffer mixes better and takes more memory: {@code examples} times one
   * example's values. The default is {@value #DEFAULT_SHUFFLE_BUFFER}, or as many as fit in 64 MiB.
   */
  public StreamingDataset shuffleBuffer(int examples) {
    if (examples < 0) {
      throw new IllegalArgumentException("shuffleBuffer must not be negative, got " + examples);
    }
    return new StreamingDataset(
        source, examples, readers, prefetch, shardIndex, shardCount, fingerprint);
  }

  /**
   * Decodes on {@code threads} background threads (default 1), besides one that reads the files and
   * one that shuffles and batches. More help when decoding is the slow part (images, CSV) and cores
   * are free.
   */
  public StreamingDataset readers(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("readers must be at least 1, got " + threads);
    }
    return new StreamingDataset(
        source, shuffleBuffer, threads, prefetch, shardIndex, shardCount, fingerprint);
  }

  /** Prepares {@code batches} batches ahead of the training step (default 4, at least 1). */
  public StreamingDataset prefetch(int batches) {
    if (batches < 1) {
      throw new IllegalArgumentException("prefetch must be at least 1, got " + batches);
    }
    return new StreamingDataset(
        source, shuffleBuffer, readers, batches, shardIndex, shardCount, fingerprint);
  }

  /**
   * This stream as the {@link Dataset} a loop's {@code fit}, {@code resume} and {@code evaluate}
   * take.
   */
  public Dataset dataset() {
    return Dataset.streamed(this);
  }

  // ---- DataStream

  @Override
  public List<InputSpec> columns() {
    return source.columns();
  }

  @Override
  public long size() {
    long size = 0;
    for (Part part : source.parts()) {
      if (part.count() < 0) {
        return -1;
      }
      size += Part.owned(part.key(), part.count(), shardIndex, shardCount);
    }
    return size;
  }

  /**
   * Per column: its name, type, shape, size (-1 if not known before reading) and the XXH64 hash of
   * what identifies its files: each file's name (without its folder), size, and the XXH64 of its
   * first and last 64 KiB; the column's place in them (feature key, CSV columns); and the shard. It
   * costs two small reads per file, not a pass over gigabytes, and catches files that were
   * replaced, regenerated, cut short, appended to or renamed; a change in the middle of a file that
   * keeps its size goes unseen. Image folders are fingerprinted by their files' paths and sizes.
   * Computed once.
   *
   * @throws UncheckedIOException naming the file, if one can no longer be read
   */
  @Override
  public DataFingerprint fingerprint() {
    DataFingerprint known = fingerprint;
    if (known == null) {
      long size = size();
      List<DataFingerprint.ColumnFingerprint> columns = new ArrayList<>();
      for (InputSpec column : source.columns()) {
        ByteArrayOutputStream description = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(description)) {
          source.fingerprint(column, out);
          out.writeUTF("shard " + shardIndex + " of " + shardCount);
        } catch (IOException e) {
          throw new UncheckedIOException("cannot fingerprint " + this + ": " + e.getMessage(), e);
        }
        long hash = DataFingerprint.xxh64(description.toByteArray());
        columns.add(
            new DataFingerprint.ColumnFingerprint(
                column.name(),
                column.dtype(),
                column.exampleShape(),
                size > Integer.MAX_VALUE ? -1 : (int) size,
                hash));
      }
      known = DataFingerprint.of(columns);
      fingerprint = known;
    }
    return known;
  }

  @Override
  public StreamingDataset shard(int index, int count) {
    if (count < 1 || index < 0 || index >= count) {
      throw new IllegalArgumentException(
          "worker " + index + " of " + count + ": the index must be in [0, " + count + ")");
    }
    if (shardCount != 1) {
      throw new IllegalStateException(this + " is already a shard");
    }
    return new StreamingDataset(source, shuffleBuffer, readers, prefetch, index, count, null);
  }

  @Override
  public int prefetch() {
    return prefetch;
  }

  @Override
  public DataStream.Reader open(
      Epoch epoch, List<InputSpec> inputs, int batchSize, Object[][] targets, IntConsumer filled) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be at least 1, got " + batchSize);
    }
    if (targets.length < 1) {
      throw new IllegalArgumentException("at least one set of target arrays is needed");
    }
    List<InputSpec> columns = new ArrayList<>();
    for (InputSpec input : inputs) {
      columns.add(columnFor(input));
    }
    for (Object[] set : targets) {
      for (int i = 0; i < inputs.size(); i++) {
        int length = java.lang.reflect.Array.getLength(set[i]);
        if (length < batchSize * inputs.get(i).exampleLength()) {
          throw new IllegalArgumentException(
              "the target array for input '" + inputs.get(i).name() + "' is too short");
        }
      }
    }
    return new Pipeline(this, epoch, columns, batchSize, targets, filled).start();
  }

  /**
   * The column that feeds {@code input}: of the same name, type and example shape.
   *
   * @throws IllegalArgumentException naming the input and the columns there are, if none does
   */
  private InputSpec columnFor(InputSpec input) {
    for (InputSpec column : source.columns()) {
      if (column.name().equals(input.name())) {
        if (column.dtype() != input.dtype()
            || !Arrays.equals(column.exampleShape(), input.exampleShape())) {
          throw new IllegalArgumentException(
              this
                  + ": column '"
                  + column.name()
                  + "' holds "
                  + column.dtype()
                  + " "
                  + InputSpec.describe(column.exampleShape())
                  + " but "
                  + input
                  + " expects "
                  + input.dtype()
                  + " "
                  + InputSpec.describe(input.exampleShape()));
        }
        return column;
      }
    }
    throw new IllegalArgumentException(
        this
            + " has no column '"
            + input.name()
            + "' for "
            + input
            + "; its columns are "
            + source.columns().stream().map(InputSpec::name).toList());
  }

  // ---- for Pipeline

  Source source() {
    return source;
  }

  int shardIndex() {
    return shardIndex;
  }

  int shardCount() {
    return shardCount;
  }

  int readerThreads() {
    return readers;
  }

  /** The shuffle buffer's capacity: as set, or the default's for these columns. */
  int shuffleCapacity() {
    if (shuffleBuffer >= 0) {
      return shuffleBuffer;
    }
    long bytes = 0;
    for (InputSpec column : source.columns()) {
      boolean wide = column.dtype() == DType.FLOAT64 || column.dtype() == DType.INT64;
      bytes += (long) column.exampleLength() * (wide ? 8 : 4);
    }
    return (int) Math.max(1, Math.min(DEFAULT_SHUFFLE_BUFFER, BUFFER_BYTES / Math.max(1, bytes)));
  }

  @Override
  public String ordering() {
    return "shuffle buffer of "
        + shuffleCapacity()
        + " examples, "
        + source.parts().size()
        + (source.parts().size() == 1 ? " part" : " parts")
        + (source.parts().isEmpty() || source.parts().get(0).count() < 0
            ? ""
            : " of " + source.parts().get(0).count() + " records");
  }

  /** {@code "3 TFRecord files (a, b, c), worker 1 of 2"}. */
  @Override
  public String toString() {
    return source.describe()
        + (shardCount > 1 ? ", worker " + shardIndex + " of " + shardCount : "");
  }
}
