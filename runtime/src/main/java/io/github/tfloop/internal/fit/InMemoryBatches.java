package io.github.tfloop.internal.fit;

import io.github.tfloop.checkpoint.Checkpoint;
import io.github.tfloop.data.Column;
import io.github.tfloop.data.Dataset;
import io.github.tfloop.internal.engine.LoopEngine;
import io.github.tfloop.internal.session.Batch;
import io.github.tfloop.train.LastBatch;
import io.github.tfloop.train.LoopOptions;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * The batches of an in-memory dataset: each epoch, the previous epoch's order of the examples
 * shuffled anew ({@link FitLoop#shuffleForEpoch}), cut into batches gathered from the columns. A
 * checkpoint records the order ({@code order.bin}), the epoch it was shuffled for and the number of
 * examples.
 */
final class InMemoryBatches implements BatchSource {

  private static final String ORDER = "order.bin";

  private final LoopEngine engine;
  private final long seed;
  private final boolean shuffle;
  private final Column[] columns;
  private final int[] order;
  private final int fullBatches;
  private final int lastBatchSize;
  private int orderEpoch;

  /** Whether {@code order} changed since it was last stored in the graph for stepsPerExecution. */
  private boolean orderStale = true;

  /**
   * @throws IllegalArgumentException if the data cannot feed the loop or holds less than a batch
   */
  InMemoryBatches(LoopEngine engine, Dataset train, LoopOptions options) {
    this.engine = engine;
    this.seed = engine.seed();
    this.shuffle = options.shuffle();
    this.columns = engine.columns(train, "training data", true);
    int batchSize = engine.batchSize();
    this.fullBatches = train.size() / batchSize;
    int remainder = train.size() % batchSize;
    this.lastBatchSize = options.lastBatch() == LastBatch.PARTIAL ? remainder : 0;
    if (fullBatches == 0 && lastBatchSize == 0) {
      throw new IllegalArgumentException(
          "training data has "
              + train.size()
              + " examples, fewer than one batch of "
              + batchSize
              + "; use a smaller batchSize or LoopOptions.lastBatch(LastBatch.PARTIAL)");
    }
    this.order = new int[train.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
  }

  Column[] columns() {
    return columns;
  }

  int[] order() {
    return order;
  }

  int fullBatches() {
    return fullBatches;
  }

  int lastBatchSize() {
    return lastBatchSize;
  }

  /** Whether the order changed since the last call: the graph's copy must be refreshed. */
  boolean takeOrderChange() {
    boolean stale = orderStale;
    orderStale = false;
    return stale;
  }

  @Override
  public int batchesPerEpoch() {
    return fullBatches + (lastBatchSize > 0 ? 1 : 0);
  }

  @Override
  public void startEpoch(int epoch) {
    if (shuffle && orderEpoch != epoch) {
      FitLoop.shuffleForEpoch(order, seed, epoch);
      orderStale = true;
    }
    orderEpoch = epoch;
  }

  @Override
  public void openEpoch(int epoch, int batchesDone) {}

  @Override
  public boolean hasNext(int batchesDone) {
    return batchesDone < fullBatches || (lastBatchSize > 0 && batchesDone == fullBatches);
  }

  @Override
  public Batch next(int batchesDone) {
    Batch batch = engine.batchOf(batchesDone < fullBatches ? engine.batchSize() : lastBatchSize);
    batch.load(columns, order, batchesDone * engine.batchSize());
    return batch;
  }

  @Override
  public String describeBatch(int batchesDone, Batch batch) {
    int from = batchesDone * engine.batchSize();
    return "training examples (Dataset.select): "
        + Arrays.toString(Arrays.copyOfRange(order, from, from + batch.size()));
  }

  @Override
  public void save(Map<String, String> state) {
    state.put("order_epoch", Integer.toString(orderEpoch));
    state.put("train.size", Integer.toString(order.length));
  }

  @Override
  public void writeFiles(Path directory) throws IOException {
    try (DataOutputStream out =
        new DataOutputStream(
            new java.io.BufferedOutputStream(Files.newOutputStream(directory.resolve(ORDER))))) {
      out.writeInt(order.length);
      for (int index : order) {
        out.writeInt(index);
      }
    } catch (IOException e) {
      throw new IOException(ORDER + ": " + e.getMessage(), e); // which write failed (disk full)
    }
  }

  @Override
  public void requireCompatible(Checkpoint checkpoint, String where) {
    if (!checkpoint.state().containsKey("train.size")) {
      throw new IllegalStateException(
          where
              + " was written by a fit on streamed data ("
              + checkpoint.state().get("stream")
              + "); this training data is in memory");
    }
    long trainSize = checkpoint.getLong("train.size");
    if (trainSize != order.length) {
      throw new IllegalStateException(
          where
              + " was written by a fit on "
              + trainSize
              + " training examples; this training data has "
              + order.length);
    }
  }

  @Override
  public void restore(Checkpoint checkpoint) {
    int[] saved = readOrder(checkpoint.file(ORDER), order.length);
    int savedEpoch = (int) checkpoint.getLong("order_epoch");
    System.arraycopy(saved, 0, order, 0, order.length);
    orderEpoch = savedEpoch;
    orderStale = true;
  }

  private static int[] readOrder(Path file, int expectedLength) {
    try (DataInputStream in =
        new DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(file)))) {
      int length = in.readInt();
      if (length != expectedLength) {
        throw new IllegalStateException(
            file + " orders " + length + " examples; the training data" + " has " + expectedLength);
      }
      int[] order = new int[length];
      for (int i = 0; i < length; i++) {
        order[i] = in.readInt();
      }
      return order;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {}
}
