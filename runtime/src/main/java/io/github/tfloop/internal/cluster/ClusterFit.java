package io.github.tfloop.internal.cluster;

import io.github.tfloop.data.Dataset;
import io.github.tfloop.distributed.Cluster;
import io.github.tfloop.internal.engine.LoopEngine;
import io.github.tfloop.internal.fit.FitLoop;
import io.github.tfloop.train.History;

/**
 * A fit on a cluster, as each worker runs it: every worker trains on its own shard of the training
 * data; the chief runs the usual {@link FitLoop} (epochs, validation, listeners, checkpoints) with
 * each step synchronised by {@link SyncReplicas}, and tells the others when it is over; the others
 * run a {@link WorkerFit}.
 */
public final class ClusterFit {

  private ClusterFit() {}

  /** Runs this worker's part of a fit ({@code resume}: from the newest checkpoint). */
  public static History fit(
      LoopEngine engine, SyncReplicas replicas, Dataset train, Dataset validation, boolean resume) {
    Cluster cluster = replicas.cluster();
    Dataset shard = shard(train, cluster.workers().size(), cluster.taskIndex());
    if (!cluster.isChief()) {
      return new WorkerFit(engine, replicas, shard).run();
    }
    FitLoop fit =
        new FitLoop(
            engine,
            batch -> {
              engine.countBatches(1);
              replicas.chiefStep(batch); // one step only: checked when the loop was built
            },
            shard,
            validation);
    History history;
    try {
      history = resume ? fit.resume() : fit.run();
    } catch (RuntimeException | Error e) {
      try {
        replicas.finish(false);
      } catch (RuntimeException alsoFailed) {
        e.addSuppressed(alsoFailed);
      }
      throw e;
    }
    replicas.finish(true);
    return history;
  }

  /**
   * Worker {@code index}'s shard of {@code data} among {@code count}: examples {@code index},
   * {@code index + count}, {@code index + 2 count}, ..., as many for every worker (the at most
   * {@code count - 1} examples left over are left out).
   *
   * <p>A streamed dataset is sharded as its stream says ({@link
   * io.github.tfloop.data.DataStream#shard}): each worker reads its own share of each epoch.
   *
   * @throws IllegalArgumentException if there are fewer examples than workers
   */
  static Dataset shard(Dataset data, int count, int index) {
    if (data == null) {
      throw new IllegalArgumentException("training data is null");
    }
    if (data.isStreamed()) {
      long known = data.stream().size();
      if (known >= 0 && known < count) {
        throw new IllegalArgumentException(
            "training data has "
                + known
                + " examples, fewer than the "
                + count
                + " workers that share it");
      }
      return Dataset.streamed(data.stream().shard(index, count));
    }
    int size = data.size() / count;
    if (size == 0) {
      throw new IllegalArgumentException(
          "training data has "
              + data.size()
              + " examples, fewer"
              + " than the "
              + count
              + " workers that share it");
    }
    int[] indices = new int[size];
    for (int i = 0; i < size; i++) {
      indices[i] = i * count + index;
    }
    return data.select(indices);
  }
}
