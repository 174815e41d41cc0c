package io.github.tfloop.internal.fit;

import io.github.tfloop.checkpoint.Checkpoint;
import io.github.tfloop.internal.session.Batch;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where a fit's training batches come from: an in-memory dataset ({@link InMemoryBatches}) or one
 * streamed from files ({@link StreamBatches}). {@link FitLoop} asks for the batches of an epoch in
 * order, counting them itself; a checkpoint records and restores the source's position through
 * {@link #save}, {@link #writeFiles} and {@link #restore}, each source its own entries.
 *
 * <p>In steady state, {@link #hasNext} and {@link #next} allocate nothing. A cluster's workers use
 * it too ({@link FitLoop#source}).
 */
public interface BatchSource extends AutoCloseable {

  /** Batches per epoch, or -1 while not known (a stream whose size shows only once read). */
  int batchesPerEpoch();

  /** Epoch {@code epoch} starts from its first batch (not called when a fit resumes mid-epoch). */
  void startEpoch(int epoch);

  /** Epoch {@code epoch} is about to be trained from batch {@code batchesDone + 1}. */
  void openEpoch(int epoch, int batchesDone);

  /** Whether the epoch has batch {@code batchesDone + 1}; may wait for it to be read. */
  boolean hasNext(int batchesDone);

  /** Batch {@code batchesDone + 1}, filled. */
  Batch next(int batchesDone);

  /**
   * Which examples batch {@code batchesDone + 1} holds, for the record of a failed step: {@code
   * "training examples (Dataset.select): [..]"}.
   */
  String describeBatch(int batchesDone, Batch batch);

  /** Puts the source's position into a checkpoint's state. */
  void save(Map<String, String> state);

  /** Writes the files of the source's position into a checkpoint's directory. */
  void writeFiles(Path directory) throws IOException;

  /**
   * Checks that {@code checkpoint} was written by a fit on the same data.
   *
   * @throws IllegalStateException saying what differs
   */
  void requireCompatible(Checkpoint checkpoint, String where);

  /** Moves to the position {@code checkpoint} recorded; changes nothing if it throws. */
  void restore(Checkpoint checkpoint);

  /** Frees what the source holds (a stream's threads and batches). */
  @Override
  void close();
}
