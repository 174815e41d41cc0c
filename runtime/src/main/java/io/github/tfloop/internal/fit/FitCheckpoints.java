package io.github.tfloop.internal.fit;

import io.github.tfloop.checkpoint.Checkpoint;
import io.github.tfloop.checkpoint.CheckpointPolicy;
import io.github.tfloop.checkpoint.CheckpointStore;
import io.github.tfloop.checkpoint.VariableSaver;
import io.github.tfloop.internal.engine.LoopEngine;
import io.github.tfloop.train.EpochLog;
import io.github.tfloop.train.History;
import io.github.tfloop.train.NonFiniteException;
import io.github.tfloop.train.Precision;
import io.github.tfloop.train.StatefulListener;
import io.github.tfloop.train.TrainingListener;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What a fit saves in each checkpoint, and reads back to resume: every variable of the graph
 * (weights, optimizer slots and counters, the global step, metric accumulators) through {@link
 * VariableSaver}; the training order of the current epoch ({@code order.bin}); and, in the
 * manifest, the {@link FitLoop.Position}, the history so far and each {@link StatefulListener}'s
 * state. {@link CheckpointStore} makes each write atomic.
 */
final class FitCheckpoints {

  private static final System.Logger LOG = System.getLogger("io.github.tfloop.checkpoint");
  private static final String VARIABLES = "variables";
  private static final String ORDER = "order.bin";
  private static final String FORMAT = "1";
  // The precision the fit trains in; checkpoints without it were written in float32.
  private static final String PRECISION = "precision";

  private final LoopEngine engine;
  private final CheckpointPolicy policy;
  private final CheckpointStore store;
  private final List<TrainingListener> listeners;
  private long lastSavedStep = -1;
  private int lastSavedEpoch = -1;
  private Path lastSaved;
  private Checkpoint restored;

  FitCheckpoints(LoopEngine engine, CheckpointPolicy policy) {
    this.engine = engine;
    this.policy = policy;
    this.store = CheckpointStore.open(policy.directory());
    this.listeners = engine.options().listeners();
    Map<String, Boolean> keys = new HashMap<>();
    for (TrainingListener listener : listeners) {
      if (listener instanceof StatefulListener stateful
          && keys.put(stateful.stateKey(), true) != null) {
        throw new IllegalArgumentException(
            "two listeners save their state under the key '" + stateful.stateKey() + "'");
      }
    }
  }

  /** The shutdown hook of a fit, if the policy asks for a checkpoint on interrupt. */
  InterruptHook interruptHook() {
    return policy.onInterrupt()
        ? new InterruptHook(engine.name(), policy.interruptTimeout())
        : null;
  }

  /** Whether the policy saves after global step {@code step}; allocation-free. */
  boolean dueAfterStep(long step) {
    return policy.everySteps() > 0 && step % policy.everySteps() == 0;
  }

  /** Whether the policy saves after epoch {@code epoch}. */
  boolean dueAfterEpoch(int epoch) {
    return policy.everyEpochs() > 0 && epoch % policy.everyEpochs() == 0;
  }

  /**
   * Refuses to checkpoint weights that are no longer finite (possible when the non-finite check is
   * off): writing them would push a good checkpoint out of the kept ones.
   *
   * @throws NonFiniteException naming the variable, the place and the newest good checkpoint
   */
  private void requireFiniteWeights(FitLoop.Position position) {
    String variable = engine.firstNonFiniteVariable();
    if (variable == null) {
      return;
    }
    String newest =
        lastSaved == null ? "none was written by this fit" : "the newest is " + lastSaved;
    throw new NonFiniteException(
        engine.name()
            + ": the weights are no longer finite at global step "
            + position.globalStep()
            + " (epoch "
            + position.epoch()
            + ", batch "
            + position.batchesDone()
            + "): "
            + variable
            + " holds a NaN or an infinity, so no"
            + " checkpoint was written and the saved ones are untouched ("
            + newest
            + "); use"
            + " LoopOptions.nonFinite(NonFinite.STOP) to stop at the first non-finite update",
        null,
        position.globalStep(),
        position.epoch(),
        position.batchesDone(),
        variable,
        null,
        null);
  }

  /**
   * Writes a checkpoint of the fit where it is, unless the last one is at the same place.
   *
   * @return the checkpoint that holds this place
   */
  Path save(FitLoop fit, String reason) {
    FitLoop.Position position = fit.position();
    if (position.globalStep() == lastSavedStep && position.epoch() == lastSavedEpoch) {
      return lastSaved;
    }
    requireFiniteWeights(position);
    Map<String, String> state = new LinkedHashMap<>();
    state.put("format", FORMAT);
    state.put("loop", engine.name());
    state.put(PRECISION, engine.options().precision().name());
    state.put("reason", reason);
    state.put("global_step", Long.toString(position.globalStep()));
    state.put("fit.first_epoch", Integer.toString(position.firstEpoch()));
    state.put("epoch", Integer.toString(position.epoch()));
    state.put("batches_done", Integer.toString(position.batchesDone()));
    state.put("order_epoch", Integer.toString(position.orderEpoch()));
    state.put("epoch_nanos", Long.toString(position.epochNanos()));
    state.put("skipped_before", Long.toString(position.skippedBefore()));
    state.put("train.size", Integer.toString(position.order().length));
    putHistory(state, position.history());
    engine
        .variableInventory()
        .forEach((name, description) -> state.put("variable." + name, description));
    for (TrainingListener listener : listeners) {
      if (listener instanceof StatefulListener stateful) {
        stateful
            .saveState()
            .forEach(
                (key, value) -> state.put("listener." + stateful.stateKey() + "." + key, value));
      }
    }
    Checkpoint written =
        store.write(
            directory -> {
              engine.saveVariables(directory.resolve(VARIABLES));
              writeOrder(directory.resolve(ORDER), position.order());
            },
            state,
            policy.keepLast());
    lastSavedStep = position.globalStep();
    lastSavedEpoch = position.epoch();
    lastSaved = written.directory();
    LOG.log(
        Level.DEBUG,
        "saved {0} ({1}, global step {2})",
        written.directory(),
        reason,
        position.globalStep());
    return lastSaved;
  }

  /**
   * Restores the newest usable checkpoint into the engine and {@code fit}; with none, logs that
   * training starts from scratch.
   *
   * @throws IllegalStateException if the checkpoint was written by a different loop or fit data;
   *     nothing is changed then
   */
  void restoreLatest(FitLoop fit) {
    Optional<Checkpoint> latest = store.latest();
    if (latest.isEmpty()) {
      LOG.log(Level.INFO, "no checkpoint in {0}: training from the start", store.directory());
      return;
    }
    Checkpoint checkpoint = latest.get();
    requireCompatible(checkpoint, fit);
    int[] order = readOrder(checkpoint.file(ORDER), fit.trainSize());
    FitLoop.Position position =
        new FitLoop.Position(
            checkpoint.getLong("global_step"),
            (int) checkpoint.getLong("fit.first_epoch"),
            (int) checkpoint.getLong("epoch"),
            (int) checkpoint.getLong("batches_done"),
            (int) checkpoint.getLong("order_epoch"),
            checkpoint.getLong("epoch_nanos"),
            checkpoint.getLong("skipped_before"),
            order,
            readHistory(checkpoint));
    engine.restoreVariables(checkpoint.file(VARIABLES));
    fit.restore(position);
    restored = checkpoint;
    lastSavedStep = position.globalStep();
    lastSavedEpoch = position.epoch();
    lastSaved = checkpoint.directory();
    LOG.log(
        Level.INFO,
        "resuming from {0}: epoch {1}, {2} batches done, global step {3}",
        checkpoint.directory(),
        position.epoch(),
        position.batchesDone(),
        position.globalStep());
  }

  /**
   * Hands each {@link StatefulListener} its state from the checkpoint that {@link #restoreLatest}
   * restored, if any; called after the listeners' {@code onTrainBegin}, which may reset them.
   */
  void restoreListeners() {
    if (restored == null) {
      return;
    }
    for (TrainingListener listener : listeners) {
      if (listener instanceof StatefulListener stateful) {
        Map<String, String> saved = under(restored, "listener." + stateful.stateKey() + ".");
        if (!saved.isEmpty()) {
          stateful.restoreState(saved);
        }
      }
    }
    restored = null;
  }

  private void requireCompatible(Checkpoint checkpoint, FitLoop fit) {
    String where = "checkpoint " + checkpoint.directory();
    if (!FORMAT.equals(checkpoint.state().get("format"))) {
      throw new IllegalStateException(
          where
              + " has format "
              + checkpoint.state().get("format")
              + "; this tfloop reads format "
              + FORMAT);
    }
    if (!engine.name().equals(checkpoint.get("loop"))) {
      throw new IllegalStateException(
          where
              + " was written by "
              + checkpoint.get("loop")
              + "Loop, not "
              + engine.name()
              + "Loop");
    }
    requireSamePrecision(checkpoint, where);
    Map<String, String> saved = under(checkpoint, "variable.");
    Map<String, String> ours = new TreeMap<>(engine.variableInventory());
    if (!saved.equals(ours)) {
      Map<String, String> missing = new TreeMap<>(ours);
      missing.keySet().removeAll(saved.keySet());
      Map<String, String> differing = new TreeMap<>(saved);
      differing.entrySet().removeIf(entry -> entry.getValue().equals(ours.get(entry.getKey())));
      throw new IllegalStateException(
          where
              + " holds different variables than "
              + engine.name()
              + "Loop: not in the checkpoint "
              + missing.keySet()
              + ", different or unknown "
              + differing);
    }
    long trainSize = checkpoint.getLong("train.size");
    if (trainSize != fit.trainSize()) {
      throw new IllegalStateException(
          where
              + " was written by a fit on "
              + trainSize
              + " training examples; this training data has "
              + fit.trainSize());
    }
  }

  /** Refuses a checkpoint written in another precision, unless the options allow it. */
  private void requireSamePrecision(Checkpoint checkpoint, String where) {
    String saved = checkpoint.state().getOrDefault(PRECISION, Precision.FLOAT32.name());
    String ours = engine.options().precision().name();
    if (!saved.equals(ours) && !engine.options().resumeInOtherPrecision()) {
      throw new IllegalStateException(
          where
              + " was written by a fit in precision "
              + saved
              + ", and this loop trains in "
              + ours
              + ": resume it in "
              + saved
              + ", or allow the change with"
              + " LoopOptions.builder().resumeInOtherPrecision(true)");
    }
  }

  private static void putHistory(Map<String, String> state, History history) {
    List<EpochLog> epochs = history.epochs();
    state.put("history.size", Integer.toString(epochs.size()));
    for (int i = 0; i < epochs.size(); i++) {
      EpochLog log = epochs.get(i);
      String prefix = "history." + i + ".";
      state.put(prefix + "epoch", Integer.toString(log.epoch()));
      state.put(prefix + "steps", Integer.toString(log.steps()));
      state.put(prefix + "nanos", Long.toString(log.duration().toNanos()));
      log.metrics()
          .forEach((name, value) -> state.put(prefix + "metric." + name, Double.toString(value)));
    }
  }

  private static History readHistory(Checkpoint checkpoint) {
    History history = new History();
    int size = (int) checkpoint.getLong("history.size");
    for (int i = 0; i < size; i++) {
      String prefix = "history." + i + ".";
      Map<String, Double> metrics = new LinkedHashMap<>();
      under(checkpoint, prefix + "metric.")
          .forEach((name, value) -> metrics.put(name, Double.parseDouble(value)));
      history.add(
          new EpochLog(
              (int) checkpoint.getLong(prefix + "epoch"),
              metrics,
              (int) checkpoint.getLong(prefix + "steps"),
              Duration.ofNanos(checkpoint.getLong(prefix + "nanos"))));
    }
    return history;
  }

  /** The entries of the checkpoint's state under {@code prefix}, in order, the prefix stripped. */
  private static Map<String, String> under(Checkpoint checkpoint, String prefix) {
    Map<String, String> state = new LinkedHashMap<>();
    checkpoint
        .state()
        .forEach(
            (name, value) -> {
              if (name.startsWith(prefix)) {
                state.put(name.substring(prefix.length()), value);
              }
            });
    return state;
  }

  private static void writeOrder(Path file, int[] order) throws IOException {
    try (DataOutputStream out =
        new DataOutputStream(new java.io.BufferedOutputStream(Files.newOutputStream(file)))) {
      out.writeInt(order.length);
      for (int index : order) {
        out.writeInt(index);
      }
    }
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
}
