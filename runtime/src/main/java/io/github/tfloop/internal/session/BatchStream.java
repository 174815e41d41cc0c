package io.github.tfloop.internal.session;

import io.github.tfloop.data.DataStream;
import io.github.tfloop.data.InputSpec;
import java.util.List;
import java.util.function.IntFunction;

/**
 * A {@link DataStream}'s examples as a loop's batches: the stream's background threads fill the
 * staging arrays of {@link DataStream#prefetch()} batches of their own and copy them into their
 * tensors, so that the thread that trains only takes a ready batch and gives it back, allocating
 * nothing. The last batch of an epoch, if smaller, is copied into a batch of its size.
 *
 * <p>One thread uses it, one epoch at a time: {@link #start}, then {@link #hasNext}/{@link #next}
 * until {@code hasNext} is false. A batch {@code next} returned stays valid until the next call to
 * {@code hasNext}.
 */
public final class BatchStream implements AutoCloseable {

  private final DataStream stream;
  private final List<InputSpec> inputs;
  private final int batchSize;
  private final IntFunction<Batch> smaller;
  private final Batch[] batches;
  private final Object[][] targets;
  private DataStream.Reader reader;
  private boolean dropSmaller;
  private int inUse = -1;
  private int ready = -1;
  private boolean ended = true;

  /**
   * @param smaller the batch of a given number of examples smaller than {@code batchSize}, for the
   *     last of an epoch (the loop's own, reused)
   */
  public BatchStream(
      DataStream stream, List<InputSpec> inputs, int batchSize, IntFunction<Batch> smaller) {
    this.stream = stream;
    this.inputs = List.copyOf(inputs);
    this.batchSize = batchSize;
    this.smaller = smaller;
    this.batches = new Batch[Math.max(1, stream.prefetch())];
    this.targets = new Object[batches.length][];
    try {
      for (int set = 0; set < batches.length; set++) {
        batches[set] = new Batch(this.inputs, batchSize);
        targets[set] = new Object[this.inputs.size()];
        for (int i = 0; i < this.inputs.size(); i++) {
          targets[set][i] = batches[set].values(i);
        }
      }
    } catch (RuntimeException | Error e) {
      close();
      throw e;
    }
  }

  /**
   * Starts reading {@code epoch} (ending the one before, if it was not read to its end).
   *
   * @param dropSmaller whether to leave out the epoch's last batch if it is smaller
   */
  public void start(DataStream.Epoch epoch, boolean dropSmaller) {
    stop();
    this.dropSmaller = dropSmaller;
    this.reader = stream.open(epoch, inputs, batchSize, targets, set -> batches[set].flush());
    this.ended = false;
  }

  /**
   * Whether the epoch has another batch, waiting until it is ready. Gives back the batch {@link
   * #next} returned last.
   */
  public boolean hasNext() {
    if (inUse >= 0) {
      reader.release(inUse);
      inUse = -1;
    }
    if (ready >= 0) {
      return true;
    }
    if (ended) {
      return false;
    }
    int set = reader.next();
    if (set >= 0 && reader.count(set) < batchSize && dropSmaller) {
      reader.release(set);
      set = -1;
    }
    if (set < 0) {
      ended = true;
      return false;
    }
    ready = set;
    return true;
  }

  /** The next batch, ready to train on; {@link #hasNext} must have said there is one. */
  public Batch next() {
    if (!hasNext()) {
      throw new IllegalStateException("the epoch has no more batches");
    }
    int set = ready;
    ready = -1;
    int count = reader.count(set);
    if (count == batchSize) {
      inUse = set;
      return batches[set];
    }
    Batch last = smaller.apply(count);
    last.loadFirst(targets[set]);
    reader.release(set);
    return last;
  }

  /** The number of examples of the epoch, once they have all been read; -1 before. */
  public long epochSize() {
    return reader == null ? -1 : reader.size();
  }

  private void stop() {
    if (reader != null) {
      reader.close();
      reader = null;
    }
    inUse = -1;
    ready = -1;
    ended = true;
  }

  /** Stops the stream's threads and frees the batches' tensors. */
  @Override
  public void close() {
    stop();
    for (Batch batch : batches) {
      if (batch != null) {
        batch.close();
      }
    }
  }
}
