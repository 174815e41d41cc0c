package io.github.tfloop.internal.fit;

import io.github.tfloop.data.Column;
import io.github.tfloop.data.Dataset;
import io.github.tfloop.internal.engine.LoopEngine;
import io.github.tfloop.internal.session.Batch;
import io.github.tfloop.train.EpochLog;
import io.github.tfloop.train.Evaluation;
import io.github.tfloop.train.FitControl;
import io.github.tfloop.train.FitInterruptedException;
import io.github.tfloop.train.History;
import io.github.tfloop.train.LoopOptions;
import io.github.tfloop.train.NonFinite;
import io.github.tfloop.train.TrainingException;
import io.github.tfloop.train.TrainingListener;
import io.github.tfloop.train.WeightSnapshot;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One {@code fit}: epochs of seeded, shuffled batches, each trained without reading anything back;
 * the epoch's loss and metrics are read from the graph once it ends, then the validation data is
 * evaluated. Listeners see each stage. The batches come from a {@link BatchSource}: the in-memory
 * dataset's, or a stream's, read from files on background threads. With a checkpoint policy, {@link
 * FitCheckpoints} saves the fit's {@link Position} (and the source's) as it goes, and {@link
 * #resume()} starts from the newest checkpoint.
 *
 * <p>A streamed epoch's length may be unknown until it has been read once: {@link
 * #batchesPerEpoch()} is -1 until then, and the epoch ends when the stream does. Several batches
 * per call ({@code stepsPerExecution}) need the data in memory, in the graph: a streamed fit trains
 * one batch per call, and says so in the log.
 */
public final class FitLoop implements FitControl {

  /** How a fit trains one batch: the engine's own step, or a cluster's synchronised one. */
  @FunctionalInterface
  public interface BatchStep {
    /** Trains on {@code batch}, reading nothing back. */
    void train(Batch batch);
  }

  private static final System.Logger LOG = System.getLogger("io.github.tfloop.train");

  private final LoopEngine engine;
  private final BatchStep batchStep;
  private final Dataset validation;
  private final LoopOptions options;
  private final List<TrainingListener> listeners;
  private final BatchSource source;

  /** The in-memory source when the fit trains several batches per call in the graph; else null. */
  private final InMemoryBatches inGraph;

  private final Column[] validationColumns;
  private final FitCheckpoints checkpoints;
  private boolean stopRequested;

  // Where the fit is: what a checkpoint saves and a resume restores (with the source's position).
  private final History history = new History();
  private long globalStep;
  private int firstEpoch;
  private int epoch;
  private int batchesDone;
  private long epochNanosBefore;
  private long epochStarted;
  private long skippedBefore;

  /** A fit on this process, each batch trained by the engine's own step. */
  public FitLoop(LoopEngine engine, Dataset train, Dataset validation) {
    this(engine, engine::trainStepWithoutFetch, train, validation);
  }

  /**
   * A fit whose batches {@code batchStep} trains.
   *
   * @throws IllegalArgumentException if the training or validation data cannot feed the loop
   */
  public FitLoop(LoopEngine engine, BatchStep batchStep, Dataset train, Dataset validation) {
    this.engine = engine;
    this.batchStep = batchStep;
    this.validation = validation;
    this.options = engine.options();
    this.listeners = options.listeners();
    BatchSource batches = source(engine, train, engine.seed(), "training data");
    try {
      if (validation != null && validation.isStreamed()) {
        StreamBatches.requireColumns(engine.inputs(), validation.stream(), "validation data");
        this.validationColumns = null;
      } else {
        this.validationColumns =
            validation == null ? null : engine.columns(validation, "validation data", true);
      }
      this.source = batches;
      boolean memory = batches instanceof InMemoryBatches;
      this.inGraph = engine.trainsInGraph() && memory ? (InMemoryBatches) batches : null;
      if (engine.trainsInGraph() && !memory) {
        LOG.log(
            System.Logger.Level.WARNING,
            "{0}: stepsPerExecution({1}) trains from data held in the graph; the training data"
                + " is streamed ({2}), so this fit trains one batch per call",
            engine.name(),
            options.stepsPerExecution(),
            train.stream());
      }
      // Inputs are all checked: only now may anything saved be touched.
      this.checkpoints =
          options.checkpoints() == null ? null : new FitCheckpoints(engine, options.checkpoints());
    } catch (RuntimeException | Error e) {
      batches.close();
      throw e;
    }
    this.globalStep = engine.globalStep();
    this.firstEpoch = engine.epochsDone() + 1;
    this.epoch = firstEpoch;
    this.skippedBefore = engine.skippedBatches();
  }

  /**
   * The batches of {@code train}, in memory or streamed, shuffled with {@code seed}.
   *
   * @throws IllegalArgumentException if the data cannot feed the loop
   */
  public static BatchSource source(LoopEngine engine, Dataset train, long seed, String where) {
    LoopOptions options = engine.options();
    if (train != null && train.isStreamed()) {
      return new StreamBatches(
          engine, train.stream(), seed, options.shuffle(), options.lastBatch(), where);
    }
    return new InMemoryBatches(engine, train, options);
  }

  /** Where the batches come from: what {@link FitCheckpoints} records the position of. */
  BatchSource source() {
    return source;
  }

  /** Trains the options' epochs from where the loop is. */
  public History run() {
    return train();
  }

  /** Restores the newest usable checkpoint, if any, then trains to the end of its fit. */
  public History resume() {
    if (checkpoints == null) {
      throw new IllegalStateException(
          "resume needs a checkpoint directory: LoopOptions.builder().checkpoints(...)");
    }
    checkpoints.restoreLatest(this);
    return train();
  }

  private History train() {
    try {
      return trainEpochs();
    } finally {
      source.close();
    }
  }

  private History trainEpochs() {
    if (inGraph != null) {
      engine.inGraphTraining().load(inGraph.columns());
    }
    listeners.forEach(listener -> listener.onTrainBegin(this));
    if (checkpoints != null) {
      checkpoints.restoreListeners();
    }
    int lastEpoch = firstEpoch + options.epochs() - 1;
    try (InterruptHook interrupt = checkpoints == null ? null : checkpoints.interruptHook()) {
      while (epoch <= lastEpoch && !stopRequested) {
        listeners.forEach(listener -> listener.onEpochBegin(this, epoch));
        epochStarted = System.nanoTime();
        if (batchesDone == 0) {
          startEpoch();
        }
        source.openEpoch(epoch, batchesDone);
        int steps = trainEpoch(interrupt);
        if (interrupt != null && interrupt.requested()) {
          Path saved = checkpoints.save(this, "interrupt");
          throw new FitInterruptedException(
              engine.name()
                  + ": the JVM is shutting down; stopped at"
                  + " global step "
                  + globalStep
                  + " (epoch "
                  + epoch
                  + ", batch "
                  + batchesDone
                  + ") and saved "
                  + saved
                  + "; resume() continues from there",
              saved);
        }
        finishEpoch(steps);
        if (checkpoints != null && checkpoints.dueAfterEpoch(epoch - 1)) {
          checkpoints.save(this, "epoch");
        }
      }
      listeners.forEach(listener -> listener.onTrainEnd(this, history));
      if (checkpoints != null) {
        checkpoints.save(this, "end");
      }
    }
    if (inGraph != null) {
      engine.inGraphTraining().release();
    }
    return history;
  }

  private void startEpoch() {
    source.startEpoch(epoch);
    engine.resetTrainMetrics();
    epochNanosBefore = 0;
    skippedBefore = engine.skippedBatches();
  }

  private void finishEpoch(int steps) {
    stopIfClosed();
    long nanos = epochNanos();
    Map<String, Double> metrics = new LinkedHashMap<>(engine.readTrainMetrics());
    if (engine.nonFinitePolicy() == NonFinite.SKIP) {
      metrics.put("skipped_batches", (double) (engine.skippedBatches() - skippedBefore));
    }
    if (validation != null) {
      Evaluation evaluation =
          validationColumns == null
              ? engine.evaluate(validation)
              : engine.evaluate(validation, validationColumns);
      evaluation.metrics().forEach((name, value) -> metrics.put("val_" + name, value));
    }
    engine.epochDone();
    EpochLog log = new EpochLog(epoch, metrics, steps, Duration.ofNanos(nanos));
    history.add(log);
    epoch++;
    batchesDone = 0;
    epochNanosBefore = 0;
    listeners.forEach(listener -> listener.onEpochEnd(this, log));
  }

  /** Trains the rest of the epoch; returns the number of batches it ran in all. */
  private int trainEpoch(InterruptHook interrupt) {
    if (inGraph != null) {
      while (batchesDone < inGraph.fullBatches() && !stopRequested) {
        trainBatchesInGraph();
        if (interrupt != null && interrupt.requested()) {
          return batchesDone;
        }
      }
      if (inGraph.lastBatchSize() > 0 && batchesDone == inGraph.fullBatches() && !stopRequested) {
        trainBatch();
      }
      return batchesDone;
    }
    while (!stopRequested && source.hasNext(batchesDone)) {
      trainBatch();
      if (interrupt != null && interrupt.requested()) {
        return batchesDone;
      }
    }
    return batchesDone;
  }

  /** Trains the epoch's next batch. */
  private void trainBatch() {
    stopIfClosed();
    for (int i = 0; i < listeners.size(); i++) {
      listeners.get(i).onBatchBegin(this, epoch, batchesDone + 1);
    }
    // Loaded after the listeners: one that evaluates or predicts reuses the same tensors.
    Batch batch = source.next(batchesDone);
    try {
      batchStep.train(batch);
    } catch (RuntimeException e) {
      throw StepFailures.translate(
          engine,
          e,
          batch,
          new StepFailures.Where(globalStep + 1, epoch, batchesDone + 1),
          source.describeBatch(batchesDone, batch),
          options.debugNumerics());
    }
    globalStep++;
    batchesDone++;
    for (int i = 0; i < listeners.size(); i++) {
      listeners.get(i).onBatchEnd(this, epoch, batchesDone);
    }
    if (checkpoints != null && checkpoints.dueAfterStep(globalStep)) {
      checkpoints.save(this, "steps");
    }
  }

  /**
   * Trains up to {@code stepsPerExecution} full batches in one call into the graph, stopping at the
   * end of the epoch and at the next step a checkpoint is due after; listeners see the first batch
   * begin and the last end.
   */
  private void trainBatchesInGraph() {
    stopIfClosed();
    if (inGraph.takeOrderChange()) {
      engine.inGraphTraining().order(inGraph.order());
    }
    int batches = 1;
    while (batches < options.stepsPerExecution()
        && batchesDone + batches < inGraph.fullBatches()
        && (checkpoints == null || !checkpoints.dueAfterStep(globalStep + batches))) {
      batches++;
    }
    for (int i = 0; i < listeners.size(); i++) {
      listeners.get(i).onBatchBegin(this, epoch, batchesDone + 1);
    }
    try {
      engine.trainInGraph(batchesDone * engine.batchSize(), batches);
    } catch (RuntimeException e) {
      throw new TrainingException(
          engine.name()
              + ": training failed in batches "
              + (batchesDone + 1)
              + " to "
              + (batchesDone + batches)
              + " of epoch "
              + epoch
              + " (global steps "
              + (globalStep + 1)
              + " to "
              + (globalStep + batches)
              + "), trained "
              + batches
              + " per call; with stepsPerExecution(1) the failure names its batch: "
              + e.getMessage(),
          e);
    }
    globalStep += batches;
    batchesDone += batches;
    for (int i = 0; i < listeners.size(); i++) {
      listeners.get(i).onBatchEnd(this, epoch, batchesDone);
    }
    if (checkpoints != null && checkpoints.dueAfterStep(globalStep)) {
      checkpoints.save(this, "steps");
    }
  }

  /**
   * Ends the fit if the loop was closed while it ran (by a listener or another thread): the batch
   * just trained is the last.
   */
  private void stopIfClosed() {
    if (engine.closeRequested()) {
      throw engine.closedDuring(
          "fit, at global step "
              + globalStep
              + " (epoch "
              + epoch
              + ", batch "
              + batchesDone
              + ")");
    }
  }

  /**
   * Shuffles the previous epoch's order into this epoch's, with a seed mixed from the loop's seed
   * and the epoch's number: the same seed gives the same orders, and each epoch another one.
   */
  public static void shuffleForEpoch(int[] order, long seed, int epoch) {
    Dataset.shuffle(order, new SplittableRandom(epochSeed(seed, epoch)));
  }

  /** The shuffle seed of an epoch: a mix of the loop's seed and the epoch's number. */
  static long epochSeed(long seed, int epoch) {
    return new SplittableRandom(seed).split().nextLong() ^ (epoch * 0x9E3779B97F4A7C15L);
  }

  /**
   * Where a fit is, as a checkpoint records it.
   *
   * @param globalStep training steps run since the loop was created
   * @param firstEpoch the first epoch of the fit (epochs count over the loop's life, from 1)
   * @param epoch the epoch in progress, or the next one when {@code batchesDone} is 0
   * @param batchesDone batches of {@code epoch} already trained
   * @param epochNanos time spent in {@code epoch} so far
   * @param skippedBefore the loop's skipped-batch count when {@code epoch} began
   * @param history the epochs of this fit already done
   */
  record Position(
      long globalStep,
      int firstEpoch,
      int epoch,
      int batchesDone,
      long epochNanos,
      long skippedBefore,
      History history) {}

  Position position() {
    return new Position(
        globalStep,
        firstEpoch,
        epoch,
        batchesDone,
        batchesDone == 0 ? 0 : epochNanos(),
        skippedBefore,
        history);
  }

  private long epochNanos() {
    return epochNanosBefore + System.nanoTime() - epochStarted;
  }

  /**
   * Moves the fit to {@code position}, read from a checkpoint of a fit on the same data ({@link
   * FitCheckpoints} restores the source's position).
   */
  void restore(Position position) {
    globalStep = position.globalStep();
    firstEpoch = position.firstEpoch();
    epoch = position.epoch();
    batchesDone = position.batchesDone();
    epochNanosBefore = position.epochNanos();
    skippedBefore = position.skippedBefore();
    position.history().epochs().forEach(history::add);
    engine.restoreProgress(epoch - 1, globalStep);
  }

  @Override
  public int epochs() {
    return options.epochs();
  }

  /** Batches per epoch; -1 for a stream whose length is not known before its first epoch ends. */
  @Override
  public int batchesPerEpoch() {
    return source.batchesPerEpoch();
  }

  /** Counted on the Java side: no session run. */
  @Override
  public long globalStep() {
    return globalStep;
  }

  @Override
  public Map<String, Double> currentMetrics() {
    return engine.readTrainMetrics();
  }

  @Override
  public Map<String, Double> stepScalars() {
    return engine.stepScalars();
  }

  @Override
  public Map<String, float[]> weights() {
    return engine.trainableWeights();
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
