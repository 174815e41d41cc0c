package io.github.tfloop.data;

import java.util.List;
import java.util.function.IntConsumer;

/**
 * Examples that a {@link Dataset} reads from files while a loop trains, instead of holding them in
 * memory: what {@link Dataset#streamed(DataStream)} wraps. {@code
 * io.github.tfloop.data.stream.StreamingDataset} makes them from IDX, CSV and TFRecord files and
 * from folders of images; a loop reads them through {@link #open}, an epoch at a time.
 *
 * <p>An epoch's examples come in an order fixed by the {@link Epoch}'s seed and number alone, never
 * by the timing of the threads that read them, so that a fit resumed from a checkpoint sees the
 * same batches as one that never stopped: {@link Epoch#skip()} starts an epoch past its first
 * examples in exactly the state it had there.
 */
public interface DataStream {

  /**
   * The columns, in order, each described as the input it feeds: its name, element type and example
   * shape (the role is not part of a column).
   */
  List<InputSpec> columns();

  /**
   * The number of examples in one epoch, or -1 if the files do not say before they are read (CSV
   * and TFRecord files; {@link Reader#size()} tells once an epoch has been read to its end).
   */
  long size();

  /**
   * What the files hold, cheaply: computed from each file's name, size and samples of its bytes
   * rather than from every value, so that it takes milliseconds on gigabytes.
   */
  DataFingerprint fingerprint();

  /**
   * Worker {@code index}'s share of these examples among {@code count} workers, each of which sees
   * a different, fixed part of every epoch; together they see every example.
   *
   * @throws IllegalArgumentException unless {@code 0 <= index < count}
   */
  DataStream shard(int index, int count);

  /** How many batches to prepare ahead of the one being trained. */
  int prefetch();

  /**
   * What fixes the order of the examples besides the seed, the epoch and the files, such as {@code
   * "shuffle buffer of 10000 examples, parts of 341 records"}: a checkpoint records it, and a fit
   * resumed with another one is refused, since its batches would differ from the saved fit's.
   */
  String ordering();

  /**
   * Starts reading one epoch on background threads, {@code batchSize} examples at a time, into the
   * caller's arrays. {@code targets[set][column]} is the array that receives column {@code column}
   * (of {@code inputs}) of batch set {@code set}: a {@code float[]}, {@code double[]}, {@code
   * int[]} or {@code long[]} of the input's type holding at least {@code batchSize} examples. When
   * a set is full (or holds the epoch's last examples), {@code filled} runs with its index on a
   * background thread, and then {@link Reader#next()} hands it over.
   *
   * @param inputs the columns to read, by name; each must be one of {@link #columns()}, of the same
   *     type and example shape
   * @throws IllegalArgumentException naming the input and the stream, if it cannot feed an input
   */
  Reader open(
      Epoch epoch, List<InputSpec> inputs, int batchSize, Object[][] targets, IntConsumer filled);

  /**
   * One epoch to read.
   *
   * @param seed the loop's seed: with {@code number}, it fixes the epoch's order
   * @param number the epoch's number, from 1
   * @param shuffle whether to shuffle the examples (else they come in file order)
   * @param skip examples of the epoch already trained on: the epoch starts after them, exactly as
   *     it would have gone on
   * @param knownSize the epoch's number of examples, if an earlier read found it; -1 if not
   */
  record Epoch(long seed, int number, boolean shuffle, long skip, long knownSize) {}

  /**
   * An epoch being read. One thread calls {@link #next()} and {@link #release(int)}; neither
   * allocates, so a training loop that reads its batches here stays allocation-free.
   */
  interface Reader extends AutoCloseable {

    /**
     * The index of the next filled set of target arrays, waiting for it if need be; -1 after the
     * epoch's last batch.
     *
     * @throws java.io.UncheckedIOException naming the file and record, if a file cannot be read or
     *     is damaged
     * @throws IllegalArgumentException naming the file and record, if a record cannot feed its
     *     input
     */
    int next();

    /** The number of examples in set {@code set}: the batch size, or fewer for the last batch. */
    int count(int set);

    /** Gives set {@code set} back to be filled again, once its values are no longer needed. */
    void release(int set);

    /** The number of examples in the epoch, once they have all been read; -1 before. */
    long size();

    /** Stops the background threads and waits for them. */
    @Override
    void close();
  }
}
