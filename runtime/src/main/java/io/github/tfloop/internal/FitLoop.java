package io.github.tfloop.internal;

import io.github.tfloop.data.Column;
import io.github.tfloop.data.Dataset;
import io.github.tfloop.train.EpochLog;
import io.github.tfloop.train.Evaluation;
import io.github.tfloop.train.FitControl;
import io.github.tfloop.train.History;
import io.github.tfloop.train.LastBatch;
import io.github.tfloop.train.LoopOptions;
import io.github.tfloop.train.TrainingException;
import io.github.tfloop.train.TrainingListener;
import io.github.tfloop.train.WeightSnapshot;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One {@code fit}: epochs of seeded, shuffled batches, each trained without reading anything back;
 * the epoch's loss and metrics are read from the graph once it ends, then the validation data is
 * evaluated. Listeners see each stage.
 */
final class FitLoop implements FitControl {

  private final LoopEngine engine;
  private final Dataset train;
  private final Dataset validation;
  private final LoopOptions options;
  private final List<TrainingListener> listeners;
  private final Column[] columns;
  private final int fullBatches;
  private final int lastBatchSize;
  private boolean stopRequested;

  FitLoop(LoopEngine engine, Dataset train, Dataset validation) {
    this.engine = engine;
    this.train = train;
    this.validation = validation;
    this.options = engine.options();
    this.listeners = options.listeners();
    this.columns = engine.columns(train, "training data", true);
    if (validation != null) {
      engine.columns(validation, "validation data", true);
    }
    int batchSize = engine.batchSize();
    this.fullBatches = train.size() / batchSize;
    int remainder = train.size() % batchSize;
    this.lastBatchSize = options.lastBatch() == LastBatch.PARTIAL ? remainder : 0;
    if (fullBatches == 0 && lastBatchSize == 0) {
      throw new IllegalArgumentException(
          "training data has " + train.size() + " examples, fewer than one batch of " + batchSize
              + "; use a smaller batchSize or LoopOptions.lastBatch(LastBatch.PARTIAL)");
    }
  }

  History run() {
    History history = new History();
    int[] order = new int[train.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    if (engine.trainsInGraph()) {
      engine.inGraphTraining().load(columns);
    }
    listeners.forEach(listener -> listener.onTrainBegin(this));
    for (int epochOfFit = 0; epochOfFit < options.epochs() && !stopRequested; epochOfFit++) {
      int epoch = engine.epochsDone() + 1;
      listeners.forEach(listener -> listener.onEpochBegin(this, epoch));
      long started = System.nanoTime();
      if (options.shuffle()) {
        Dataset.shuffle(order, new SplittableRandom(epochSeed(engine.seed(), epoch)));
      }
      engine.resetTrainMetrics();
      int steps = trainEpoch(epoch, order);
      Map<String, Double> metrics = new LinkedHashMap<>(engine.readTrainMetrics());
      if (validation != null) {
        Evaluation evaluation = engine.evaluate(validation, "validation data");
        evaluation.metrics().forEach((name, value) -> metrics.put("val_" + name, value));
      }
      engine.epochDone();
      EpochLog log =
          new EpochLog(epoch, metrics, steps, Duration.ofNanos(System.nanoTime() - started));
      history.add(log);
      listeners.forEach(listener -> listener.onEpochEnd(this, log));
    }
    if (engine.trainsInGraph()) {
      engine.inGraphTraining().release();
    }
    listeners.forEach(listener -> listener.onTrainEnd(this, history));
    return history;
  }

  /** Trains one epoch; returns the number of batches run. */
  private int trainEpoch(int epoch, int[] order) {
    int batchSize = engine.batchSize();
    int batches = 0;
    if (engine.trainsInGraph()) {
      batches = trainInGraph(epoch, order);
    } else {
      Batch full = engine.batchOf(batchSize);
      for (int b = 0; b < fullBatches && !stopRequested; b++) {
        full.load(columns, order, b * batchSize);
        trainBatch(full, epoch, ++batches);
      }
    }
    if (lastBatchSize > 0 && !stopRequested) {
      Batch last = engine.batchOf(lastBatchSize);
      last.load(columns, order, fullBatches * batchSize);
      trainBatch(last, epoch, ++batches);
    }
    return batches;
  }

  private void trainBatch(Batch batch, int epoch, int number) {
    for (int i = 0; i < listeners.size(); i++) {
      listeners.get(i).onBatchBegin(this, epoch, number);
    }
    try {
      engine.trainStepWithoutFetch(batch);
    } catch (RuntimeException e) {
      throw new TrainingException(
          engine.name() + ": training failed at epoch " + epoch + ", batch " + number + ": "
              + e.getMessage(), e);
    }
    for (int i = 0; i < listeners.size(); i++) {
      listeners.get(i).onBatchEnd(this, epoch, number);
    }
  }

  /**
   * Trains the epoch's full batches {@code stepsPerExecution} at a time in the graph; listeners see
   * the first batch of each call begin and its last end. Returns the number of batches run.
   */
  private int trainInGraph(int epoch, int[] order) {
    engine.inGraphTraining().order(order);
    int done = 0;
    while (done < fullBatches && !stopRequested) {
      int batches = Math.min(options.stepsPerExecution(), fullBatches - done);
      for (TrainingListener listener : listeners) {
        listener.onBatchBegin(this, epoch, done + 1);
      }
      try {
        engine.trainInGraph(done * engine.batchSize(), batches);
      } catch (RuntimeException e) {
        throw new TrainingException(
            engine.name() + ": training failed at epoch " + epoch + ", batches " + (done + 1)
                + " to " + (done + batches) + ": " + e.getMessage(), e);
      }
      done += batches;
      for (TrainingListener listener : listeners) {
        listener.onBatchEnd(this, epoch, done);
      }
    }
    return done;
  }

  /** The shuffle seed of an epoch: a mix of the loop's seed and the epoch's number. */
  static long epochSeed(long seed, int epoch) {
    return new SplittableRandom(seed).split().nextLong() ^ (epoch * 0x9E3779B97F4A7C15L);
  }

  @Override
  public int epochs() {
    return options.epochs();
  }

  @Override
  public int batchesPerEpoch() {
    return fullBatches + (lastBatchSize > 0 ? 1 : 0);
  }

  @Override
  public long globalStep() {
    return engine.globalStep();
  }

  @Override
  public Map<String, Double> currentMetrics() {
    return engine.readTrainMetrics();
  }

  @Override
  public WeightSnapshot snapshotWeights() {
    return engine.snapshotWeights();
  }

  @Override
  public void restoreWeights(WeightSnapshot snapshot) {
    engine.restoreWeights(snapshot);
  }

  @Override
  public void stop() {
    stopRequested = true;
  }

  @Override
  public boolean stopRequested() {
    return stopRequested;
  }
}
