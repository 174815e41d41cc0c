package io.github.tfloop.internal.cluster;

import io.github.tfloop.data.Column;
import io.github.tfloop.data.Dataset;
import io.github.tfloop.internal.engine.LoopEngine;
import io.github.tfloop.internal.fit.BatchSource;
import io.github.tfloop.internal.fit.FitLoop;
import io.github.tfloop.internal.session.Batch;
import io.github.tfloop.train.EpochLog;
import io.github.tfloop.train.History;
import io.github.tfloop.train.TrainingException;
import java.lang.System.Logger.Level;
import java.time.Duration;

/**
 * The fit of a worker other than the chief: epochs over its shard of the training data, each step
 * contributing one batch's gradients to the round the chief runs, until the chief says stop. Its
 * epochs are its own (a worker that joined late is in another epoch of its shard than the chief);
 * the chief's fit decides how long training lasts, and the chief alone evaluates, runs listeners
 * and writes checkpoints. Each epoch's loss and metrics on the shard are logged and returned.
 */
final class WorkerFit {

  private static final System.Logger LOG = System.getLogger("io.github.tfloop.distributed");

  private final LoopEngine engine;
  private final SyncReplicas replicas;
  private final Dataset shard;
  private final String name;

  WorkerFit(LoopEngine engine, SyncReplicas replicas, Dataset shard) {
    this.engine = engine;
    this.replicas = replicas;
    this.shard = shard;
    this.name = engine.name() + ", " + replicas.cluster().describeTask();
  }

  History run() {
    if (shard.isStreamed()) {
      return runStreamed();
    }
    Column[] columns = engine.columns(shard, "training data", true);
    int batchSize = engine.batchSize();
    int batches = shard.size() / batchSize;
    if (batches == 0) {
      throw new IllegalArgumentException(
          name
              + ": this worker's shard of the training data has "
              + shard.size()
              + " examples, fewer than its share of a batch, "
              + batchSize);
    }
    int[] order = new int[shard.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    long seed = engine.seed() + replicas.cluster().taskIndex();
    Batch batch = engine.batchOf(batchSize);
    History history = new History();
    SyncReplicas.Token token = replicas.join();
    for (int epoch = 1; ; epoch++) {
      if (engine.options().shuffle()) {
        FitLoop.shuffleForEpoch(order, seed, epoch);
      }
      engine.resetTrainMetrics();
      long started = System.nanoTime();
      for (int step = 0; step < batches; step++) {
        batch.load(columns, order, step * batchSize);
        token = replicas.workerStep(batch);
        if (token.stops()) {
          return stopped(token, history);
        }
      }
      EpochLog log =
          new EpochLog(
              epoch,
              engine.readTrainMetrics(),
              batches,
              Duration.ofNanos(System.nanoTime() - started));
      history.add(log);
      LOG.log(
          Level.INFO, "{0}: {1} of its shard, at global step {2}", name, log, token.globalStep());
    }
  }

  /** {@link #run} on a streamed shard: its epochs' batches read from files as they are trained. */
  private History runStreamed() {
    long seed = engine.seed() + replicas.cluster().taskIndex();
    String where = name + ": this worker's shard of the training data";
    History history = new History();
    try (BatchSource source = FitLoop.source(engine, shard, seed, where)) {
      SyncReplicas.Token token = replicas.join();
      for (int epoch = 1; ; epoch++) {
        engine.resetTrainMetrics();
        long started = System.nanoTime();
        source.startEpoch(epoch);
        source.openEpoch(epoch, 0);
        int batches = 0;
        while (source.hasNext(batches)) {
          token = replicas.workerStep(source.next(batches));
          batches++;
          if (token.stops()) {
            return stopped(token, history);
          }
        }
        if (batches == 0) {
          throw new IllegalArgumentException(
              where + " holds fewer examples than its share of a batch, " + engine.batchSize());
        }
        EpochLog log =
            new EpochLog(
                epoch,
                engine.readTrainMetrics(),
                batches,
                Duration.ofNanos(System.nanoTime() - started));
        history.add(log);
        LOG.log(
            Level.INFO, "{0}: {1} of its shard, at global step {2}", name, log, token.globalStep());
      }
    }
  }

  private History stopped(SyncReplicas.Token token, History history) {
    if (token.globalStep() == SyncReplicas.ABORT) {
      throw new TrainingException(
          name
              + ": the chief stopped training before the end (it failed"
              + " or was interrupted; see its log); this worker stops too");
    }
    LOG.log(
        Level.INFO,
        "{0}: the chief ended training; epochs of this worker''s shard done: {1}",
        name,
        history.epochs().size());
    return history;
  }
}
