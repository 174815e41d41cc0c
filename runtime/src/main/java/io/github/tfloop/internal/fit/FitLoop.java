package io.github.tfloop.internal.fit;

import io.github.tfloop.data.Column;
import io.github.tfloop.data.DataFingerprint;
import io.github.tfloop.data.Dataset;
import io.github.tfloop.data.InputSpec;
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
import io.github.tfloop.train.ValidationLog;
import io.github.tfloop.train.WeightSnapshot;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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

  private static final System.Logger LOG = System.getLogger("io.github.tfloop.train");

  /** How a fit trains one batch: the engine's own step, or a cluster's synchronised one. */
  @FunctionalInterface
  public interface BatchStep {
    /** Trains on {@code batch}, reading nothing back. */
    void train(Batch batch);
  }

  private final LoopEngine engine;
  private final BatchStep batchStep;
  private final Dataset train;
  private final Dataset validation;
  private final LoopOptions options;
  private final List<TrainingListener> listeners;
  private final BatchSource source;

  /** The in-memory source when the fit trains several batches per call in the graph; else null. */
  private final InMemoryBatches inGraph;

  private final Column[] validationColumns;
  private final FitCheckpoints checkpoints;
  private final FitPlan plan;
  private boolean stopRequested;

  /**
   * Why this call stops (a step or time limit). The history keeps it, and so checkpoints do, but a
   * resume does not take it back: it checks its own limits anew.
   */
  private String limitReached;

  private DataFingerprint trainingFingerprint;

  /** Times a listener put weights back: a checkpoint at the same place must then be written. */
  private long weightRestores;

  /** {@link #weightRestores} when the last epoch's values were measured. */
  private long epochWeightRestores;

  // Where the fit is: what a checkpoint saves and a resume restores (with the source's position).
  private final History history = new History();
  private long globalStep;
  private long firstGlobalStep;
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
    this.train = train;
    this.validation = validation;
    this.options = engine.options();
    this.listeners = options.listeners();
    this.plan = new FitPlan(options);
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
      if (options.validateEverySteps() > 0 && validation == null) {
        throw new IllegalArgumentException(
            "LoopOptions.validateEverySteps("
                + options.validateEverySteps()
                + ") evaluates validation data within epochs; call fit(train, validation)");
      }
      MonitoredNames.check(
          engine.name(),
          reportedNames(),
          engine.lossNames(),
          validation != null,
          listeners,
          options.checkpoints(),
          engine.stepNames());
      // Inputs are all checked; the checkpoint directory is touched only when the fit starts. A
      // dry run reads and writes no checkpoint.
      this.checkpoints =
          options.checkpoints() == null || plan.dryRun()
              ? null
              : new FitCheckpoints(engine, options.checkpoints());
    } catch (RuntimeException | Error e) {
      batches.close();
      throw e;
    }
    this.globalStep = engine.globalStep();
    this.firstGlobalStep = globalStep;
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

  /**
   * Trains the options' epochs from where the loop is; with checkpoints, holding their directory
   * (which must not hold checkpoints this fit did not write) until it ends.
   */
  public History run() {
    if (checkpoints == null) {
      return train();
    }
    try (FitCheckpoints held = checkpoints) {
      held.beginFit();
      return train();
    }
  }

  /** Restores the newest usable checkpoint, if any, then trains to the end of its fit. */
  public History resume() {
    if (plan.dryRun()) {
      return train();
    }
    if (checkpoints == null) {
      throw new IllegalStateException(
          "resume needs a checkpoint directory: LoopOptions.builder().checkpoints(...)");
    }
    try (FitCheckpoints held = checkpoints) {
      held.beginResume(this);
      return train();
    }
  }

  private History train() {
    try {
      return trainEpochs();
    } finally {
      source.close();
    }
  }

  private History trainEpochs() {
    if (plan.dryRun()) {
      LOG.log(
          System.Logger.Level.INFO,
          "{0}: dry run: one epoch of one training batch and one validation batch; no checkpoint"
              + " is read or written",
          engine.name());
    }
    plan.start();
    if (inGraph != null) {
      engine.inGraphTraining().load(inGraph.columns());
    }
    listeners.forEach(listener -> listener.onTrainBegin(this));
    if (checkpoints != null) {
      checkpoints.restoreListeners();
    }
    checkLimits(); // a resumed fit may have reached its maxSteps already
    int lastEpoch = firstEpoch + plan.epochs() - 1;
    try (InterruptHook interrupt = checkpoints == null ? null : checkpoints.interruptHook()) {
      while (epoch <= lastEpoch && !stopping()) {
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
      metrics.putAll(validationAtThisStep());
    }
    metrics.putAll(engine.learningRates());
    epochWeightRestores = weightRestores;
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
      while (batchesDone < limited(inGraph.fullBatches()) && !stopping()) {
        trainBatchesInGraph();
        if (interrupt != null && interrupt.requested()) {
          return batchesDone;
        }
      }
      if (inGraph.lastBatchSize() > 0
          && batchesDone == inGraph.fullBatches()
          && !limitsTrainBatches()
          && !stopping()) {
        trainBatch();
      }
      return batchesDone;
    }
    while (!stopping() && batchesDone < limited(Integer.MAX_VALUE) && source.hasNext(batchesDone)) {
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
    afterBatches();
  }

  /**
   * After a batch or a call of several: the listeners' {@code onBatchEnd}, a validation if due, the
   * limits, then a checkpoint if due.
   */
  private void afterBatches() {
    for (int i = 0; i < listeners.size(); i++) {
      listeners.get(i).onBatchEnd(this, epoch, batchesDone);
    }
    if (validation != null && plan.validationDue(globalStep)) {
      validationAtThisStep();
    }
    checkLimits();
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
        && batchesDone + batches < limited(inGraph.fullBatches())
        && (checkpoints == null || !checkpoints.dueAfterStep(globalStep + batches))
        && !plan.boundaryAfter(globalStep + batches, globalStep + batches - firstGlobalStep)) {
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
    afterBatches();
  }

  /**
   * {@code batches}, or fewer when {@code LoopOptions.limitTrainBatches} (or a dry run) trains only
   * the first batches of each epoch.
   */
  private int limited(int batches) {
    int limit = plan.trainBatches();
    return limit > 0 ? Math.min(batches, limit) : batches;
  }

  /** Whether the epoch's training batches are limited to fewer than its full batches. */
  private boolean limitsTrainBatches() {
    return plan.trainBatches() > 0 && plan.trainBatches() <= inGraph.fullBatches();
  }

  /** Whether a listener asked the fit to stop, or a limit stops it. */
  private boolean stopping() {
    return stopRequested || limitReached != null;
  }

  /** Stops the fit, saying why, if {@code maxSteps} or {@code maxTime} is reached. */
  private void checkLimits() {
    if (limitReached == null) {
      limitReached = plan.limitReached(globalStep - firstGlobalStep, globalStep);
      if (limitReached != null) {
        history.stopped(limitReached);
        LOG.log(System.Logger.Level.INFO, "{0}: stopping: {1}", engine.name(), limitReached);
      }
    }
  }

  /**
   * The validation values after the current global step: evaluated now, unless they were already at
   * this step (a validation every N steps that fell on an epoch's end). A validation every N steps
   * is recorded in the history and shown to the listeners.
   */
  private Map<String, Double> validationAtThisStep() {
    List<ValidationLog> done = history.validations();
    if (!done.isEmpty() && done.get(done.size() - 1).globalStep() == globalStep) {
      return done.get(done.size() - 1).metrics();
    }
    long started = System.nanoTime();
    Evaluation evaluation =
        validationColumns == null
            ? engine.evaluate(validation.stream(), plan.validationBatches())
            : engine.evaluate(validation, validationColumns, plan.validationBatches());
    Map<String, Double> values = new LinkedHashMap<>();
    evaluation.metrics().forEach((name, value) -> values.put("val_" + name, value));
    if (plan.validationDue(globalStep)) {
      ValidationLog log =
          new ValidationLog(
              globalStep,
              epoch,
              batchesDone,
              values,
              Duration.ofNanos(System.nanoTime() - started));
      history.addValidation(log);
      for (TrainingListener listener : listeners) {
        listener.onValidationEnd(this, log);
      }
    }
    return values;
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
   * @param firstGlobalStep the global step the fit started from (its {@code maxSteps} count from
   *     there)
   * @param firstEpoch the first epoch of the fit (epochs count over the loop's life, from 1)
   * @param epoch the epoch in progress, or the next one when {@code batchesDone} is 0
   * @param batchesDone batches of {@code epoch} already trained
   * @param epochNanos time spent in {@code epoch} so far
   * @param skippedBefore the loop's skipped-batch count when {@code epoch} began
   * @param stopRequested whether a listener asked the fit to stop (early stopping): a resume ends
   *     it where the uninterrupted fit ended
   * @param history the epochs of this fit already done
   */
  record Position(
      long globalStep,
      long firstGlobalStep,
      int firstEpoch,
      int epoch,
      int batchesDone,
      long epochNanos,
      long skippedBefore,
      boolean stopRequested,
      History history) {}

  Position position() {
    return new Position(
        globalStep,
        firstGlobalStep,
        firstEpoch,
        epoch,
        batchesDone,
        batchesDone == 0 ? 0 : epochNanos(),
        skippedBefore,
        stopRequested,
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
    firstGlobalStep = position.firstGlobalStep();
    firstEpoch = position.firstEpoch();
    epoch = position.epoch();
    batchesDone = position.batchesDone();
    epochNanosBefore = position.epochNanos();
    skippedBefore = position.skippedBefore();
    stopRequested = position.stopRequested();
    position.history().epochs().forEach(history::add);
    position.history().validations().forEach(history::addValidation);
    if (stopRequested) { // the fit was stopped and stays so; a stop at a limit is checked anew
      position.history().stopReason().ifPresent(history::stopped);
    }
    engine.restoreProgress(epoch - 1, globalStep);
  }

  /**
   * The fingerprint of the training data the loop reads, computed on the first call: for data in
   * memory, the columns' names, types, shapes, sizes and content hashes; for a stream, its files'.
   * What a checkpoint records so that a resume on other data is refused.
   */
  DataFingerprint trainingFingerprint() {
    if (trainingFingerprint == null) {
      List<String> names = new ArrayList<>();
      for (InputSpec input : engine.inputs()) {
        names.add(input.name());
      }
      trainingFingerprint = train.fingerprint(names);
    }
    return trainingFingerprint;
  }

  @Override
  public int epochs() {
    return plan.epochs();
  }

  /** Batches per epoch; -1 for a stream whose length is not known before its first epoch ends. */
  @Override
  public int batchesPerEpoch() {
    int batches = source.batchesPerEpoch();
    return batches < 0 ? -1 : limited(batches); // -1: a stream not yet read to its end
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
    weightRestores++;
  }

  /** How many times listeners have put weights back during this fit. */
  long weightRestores() {
    return weightRestores;
  }

  /**
   * Whether the weights are those the last epoch's log measured: no listener has put weights back
   * since that epoch ended (what a checkpoint needs to record that epoch's value as its own).
   */
  boolean weightsOfLastEpoch() {
    return weightRestores == epochWeightRestores;
  }

  @Override
  public void stop() {
    stopRequested = true;
  }

  @Override
  public void stop(String reason) {
    stopRequested = true;
    history.stopped(reason);
  }

  @Override
  public List<String> reportedNames() {
    return engine.reportedNames(validation != null);
  }

  @Override
  public History history() {
    return history;
  }

  @Override
  public List<String> steps() {
    return engine.stepNames();
  }

  @Override
  public double learningRate(String step) {
    return engine.learningRate(step);
  }

  @Override
  public double learningRateScale(String step) {
    return engine.learningRateScale(step);
  }

  @Override
  public void setLearningRateScale(String step, double scale) {
    engine.setLearningRateScale(step, scale);
  }

  @Override
  public boolean stopRequested() {
    return stopRequested;
  }
}
