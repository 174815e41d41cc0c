package io.github.tfloop.internal.fit;

import io.github.tfloop.checkpoint.Checkpoint;
import io.github.tfloop.data.DataFingerprint;
import io.github.tfloop.data.DataStream;
import io.github.tfloop.data.InputSpec;
import io.github.tfloop.internal.engine.LoopEngine;
import io.github.tfloop.internal.session.Batch;
import io.github.tfloop.internal.session.BatchStream;
import io.github.tfloop.train.LastBatch;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The batches of a streamed dataset, read and shuffled on the stream's threads ({@link
 * BatchStream}). Its position in a checkpoint is small: the epoch and the batches done in it (the
 * fit's own), the epoch's number of examples once known, and, to refuse a resume on other data or
 * another order, the stream's fingerprint and ordering; the stream rebuilds its shuffle state from
 * those. An epoch's length may be unknown until it has been read once: {@link #batchesPerEpoch()}
 * is -1 until then.
 */
final class StreamBatches implements BatchSource {

  private final DataStream stream;
  private final String where;
  private final long seed;
  private final boolean shuffle;
  private final boolean dropSmaller;
  private final int batchSize;
  private final BatchStream batches;
  private long epochExamples;
  private int epoch;
  private long skipped;

  /**
   * @param seed the seed of the epochs' order
   * @param where names the data in messages: {@code "training data"}
   * @throws IllegalArgumentException if the stream has no column for an input of the loop
   */
  StreamBatches(
      LoopEngine engine,
      DataStream stream,
      long seed,
      boolean shuffle,
      LastBatch lastBatch,
      String where) {
    requireColumns(engine.inputs(), stream, where);
    this.stream = stream;
    this.where = where;
    this.seed = seed;
    this.shuffle = shuffle;
    this.dropSmaller = lastBatch == LastBatch.DROP;
    this.batchSize = engine.batchSize();
    this.epochExamples = stream.size();
    if (epochExamples >= 0 && epochExamples < batchSize && dropSmaller) {
      throw new IllegalArgumentException(
          where
              + " has "
              + epochExamples
              + " examples, fewer than one batch of "
              + batchSize
              + "; use a smaller batchSize or LoopOptions.lastBatch(LastBatch.PARTIAL)");
    }
    if (epochExamples == 0) {
      throw new IllegalArgumentException(where + " is empty: " + stream);
    }
    this.batches = new BatchStream(stream, engine.inputs(), batchSize, engine::batchOf);
  }

  /**
   * Checks that {@code stream} has a column for every input, of its type and example shape.
   *
   * @throws IllegalArgumentException naming the input, the data and the mismatch
   */
  static void requireColumns(List<InputSpec> inputs, DataStream stream, String where) {
    for (InputSpec input : inputs) {
      Optional<InputSpec> column =
          stream.columns().stream().filter(c -> c.name().equals(input.name())).findFirst();
      if (column.isEmpty()) {
        throw new IllegalArgumentException(
            where
                + " ("
                + stream
                + ") has no column '"
                + input.name()
                + "' for "
                + input
                + "; its columns are "
                + stream.columns().stream().map(InputSpec::name).toList());
      }
      InputSpec found = column.get();
      if (found.dtype() != input.dtype()
          || !Arrays.equals(found.exampleShape(), input.exampleShape())) {
        throw new IllegalArgumentException(
            where
                + ": column '"
                + input.name()
                + "' of "
                + stream
                + " holds "
                + found.dtype()
                + " "
                + InputSpec.describe(found.exampleShape())
                + " but the input is "
                + input.dtype()
                + " "
                + InputSpec.describe(input.exampleShape()));
      }
    }
  }

  @Override
  public int batchesPerEpoch() {
    if (epochExamples < 0) {
      return -1;
    }
    long batches =
        epochExamples / batchSize + (!dropSmaller && epochExamples % batchSize > 0 ? 1 : 0);
    return (int) Math.min(Integer.MAX_VALUE, batches);
  }

  @Override
  public void startEpoch(int epoch) {}

  @Override
  public void openEpoch(int epoch, int batchesDone) {
    long skip = (long) batchesDone * batchSize;
    if (epochExamples >= 0) {
      skip = Math.min(skip, epochExamples); // a smaller last batch was trained
    }
    this.epoch = epoch;
    this.skipped = skip;
    batches.start(new DataStream.Epoch(seed, epoch, shuffle, skip, epochExamples), dropSmaller);
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalArgumentException if a whole epoch gave no batch: the files hold fewer examples
   *     than a batch (a stream whose size shows only once read)
   */
  @Override
  public boolean hasNext(int batchesDone) {
    if (batches.hasNext()) {
      return true;
    }
    long size = batches.epochSize();
    if (size >= 0) {
      epochExamples = size;
    }
    if (batchesDone == 0 && skipped == 0) {
      throw new IllegalArgumentException(
          where
              + " ("
              + stream
              + ") "
              + (size == 0
                  ? "is empty"
                  : "has "
                      + size
                      + " examples, fewer than one batch of "
                      + batchSize
                      + "; use a smaller batchSize or LoopOptions.lastBatch(LastBatch.PARTIAL)"));
    }
    return false;
  }

  @Override
  public Batch next(int batchesDone) {
    return batches.next();
  }

  @Override
  public String describeBatch(int batchesDone, Batch batch) {
    long from = Math.max(skipped, (long) batchesDone * batchSize);
    return "streamed examples "
        + from
        + " to "
        + (from + batch.size() - 1)
        + " of epoch "
        + epoch
        + "'s order (counting from 0) of "
        + stream
        + ", "
        + stream.ordering();
  }

  @Override
  public void save(Map<String, String> state) {
    long known = epochExamples >= 0 ? epochExamples : batches.epochSize();
    state.put("stream", stream.toString());
    state.put("stream.fingerprint", stream.fingerprint().encode());
    state.put("stream.ordering", stream.ordering());
    state.put("stream.epoch_examples", Long.toString(known));
  }

  @Override
  public void writeFiles(Path directory) {}

  @Override
  public void requireCompatible(Checkpoint checkpoint, String where) {
    String saved = checkpoint.state().get("stream.fingerprint");
    if (saved == null) {
      throw new IllegalStateException(
          where
              + " was written by a fit on "
              + checkpoint.state().get("train.size")
              + " training examples in memory; this training data is streamed from "
              + stream);
    }
    Optional<String> difference =
        stream.fingerprint().describeDifference(DataFingerprint.decode(saved));
    if (difference.isPresent()) {
      throw new IllegalStateException(
          where
              + " was written by a fit on other data ("
              + checkpoint.state().get("stream")
              + "); in "
              + stream
              + ": "
              + difference.get());
    }
    String ordering = checkpoint.get("stream.ordering");
    if (!ordering.equals(stream.ordering())) {
      throw new IllegalStateException(
          where
              + " was written by a fit that read its data with "
              + ordering
              + "; this one reads it with "
              + stream.ordering()
              + ", which gives other batches: use the same settings to resume");
    }
  }

  @Override
  public void restore(Checkpoint checkpoint) {
    long known = checkpoint.getLong("stream.epoch_examples");
    if (known >= 0) {
      epochExamples = known;
    }
  }

  @Override
  public void close() {
    batches.close();
  }
}
