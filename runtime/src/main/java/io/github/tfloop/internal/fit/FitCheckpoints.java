package io.github.tfloop.internal.fit;

import io.github.tfloop.checkpoint.Checkpoint;
import io.github.tfloop.checkpoint.CheckpointPolicy;
import io.github.tfloop.checkpoint.CheckpointStore;
import io.github.tfloop.checkpoint.CheckpointStore.Entry;
import io.github.tfloop.checkpoint.CheckpointStore.Kind;
import io.github.tfloop.checkpoint.VariableSaver;
import io.github.tfloop.data.DataFingerprint;
import io.github.tfloop.internal.engine.LoopEngine;
import io.github.tfloop.train.EpochLog;
import io.github.tfloop.train.History;
import io.github.tfloop.train.NonFiniteException;
import io.github.tfloop.train.Precision;
import io.github.tfloop.train.StatefulListener;
import io.github.tfloop.train.TrainingListener;
import io.github.tfloop.train.ValidationLog;
import io.github.tfloop.train.WeightSnapshot;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.WeakHashMap;

/**
 * What a fit saves in each checkpoint, and reads back to resume: every variable of the graph
 * (weights, optimizer slots and counters, the global step, metric accumulators) through {@link
 * VariableSaver}; the position of its {@link BatchSource} (an in-memory dataset's training order of
 * the current epoch, {@code order.bin}; a stream's fingerprint and epoch size), written by the
 * source itself; the weight snapshots listeners hold ({@code snapshot-<i>.*}, such as early
 * stopping's best weights); and, in the manifest, the {@link FitLoop.Position}, the history so far,
 * each {@link StatefulListener}'s state and the run it belongs to. {@link CheckpointStore} makes
 * each write atomic.
 *
 * <p>From {@link #beginFit}/{@link #beginResume} to {@link #close} the fit holds the directory's
 * lock. A fit refuses checkpoints it did not write (another model's, an earlier run's) unless the
 * policy {@linkplain CheckpointPolicy#startFresh() starts fresh}; a resume moves checkpoints that
 * fail verification into {@code corrupt/} and refuses a directory where none is usable. Every
 * refusal comes before anything in the directory is changed.
 */
final class FitCheckpoints implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger("io.github.tfloop.checkpoint");
  private static final String VARIABLES = "variables";
  private static final String SNAPSHOT = "snapshot-";
  private static final String FORMAT = "2";
  // The precision the fit trains in; checkpoints without it were written in float32.
  private static final String PRECISION = "precision";
  // The batch size, seed and shuffling in effect: which examples each batch holds and every later
  // epoch's order and random masks depend on them. Checkpoints written before they were recorded
  // lack them.
  private static final String BATCH_SIZE = "batch_size";
  private static final String SEED = "seed";
  private static final String SHUFFLE = "shuffle";

  /** Format 1 had no run, no stop flag and no snapshots: it reads as a run named "". */
  private static final Set<String> READABLE_FORMATS = Set.of("1", FORMAT);

  /**
   * The run each loop's weights continue: the id recorded in every checkpoint its fits wrote or its
   * resume started from. Kept beside the loop rather than in it (the engine knows nothing of
   * checkpoints), so that a second {@code fit} of the same loop goes on with its own checkpoints
   * while another loop's {@code fit} refuses them.
   */
  private static final Map<LoopEngine, String> RUNS =
      Collections.synchronizedMap(new WeakHashMap<>());

  private final LoopEngine engine;
  private final CheckpointPolicy policy;
  private final List<TrainingListener> listeners;
  private CheckpointStore store;
  private String run;
  private long lastSavedStep = -1;
  private int lastSavedEpoch = -1;
  private long lastSavedRestores = -1;
  private Path lastSaved;
  private Checkpoint restored;

  /** Checks the listeners' state keys; touches nothing on disk until {@link #beginFit}. */
  FitCheckpoints(LoopEngine engine, CheckpointPolicy policy) {
    this.engine = engine;
    this.policy = policy;
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

  /**
   * Starts a {@code fit}: locks the directory and checks what is in it. Checkpoints of this loop's
   * own run (an earlier {@code fit} of the same loop, or the checkpoints it resumed from) are
   * continued; any other checkpoint, usable or not, is refused, or with {@code startFresh()} moved
   * into {@code previous-<n>/}.
   *
   * @throws IllegalStateException naming the directory, what is in it and what to do, before
   *     anything is changed, if it holds checkpoints this fit did not write, or another fit holds
   *     it
   * @throws io.github.tfloop.checkpoint.CheckpointException if it cannot be used, and why
   */
  void beginFit() {
    store = CheckpointStore.lock(policy.directory(), engine.name() + "Loop's fit");
    try {
      List<Entry> entries = store.scan();
      warnAboutOthers(entries);
      String ours = RUNS.get(engine);
      List<Entry> foreign = new ArrayList<>();
      List<Entry> own = new ArrayList<>();
      for (Entry entry : entries) {
        if (entry.kind() == Kind.USABLE && ours != null && ours.equals(runOf(entry.checkpoint()))) {
          own.add(entry);
        } else if (entry.kind() != Kind.NOT_TFLOOP) {
          foreign.add(entry);
        }
      }
      if (foreign.isEmpty()) {
        run = ours != null ? ours : newRun();
        own.forEach(entry -> store.adopt(entry.checkpoint()));
      } else if (!policy.startsFresh()) {
        throw new IllegalStateException(refusal(foreign));
      } else {
        List<Entry> aside = new ArrayList<>(own);
        aside.addAll(foreign);
        aside.sort(Comparator.comparingLong(Entry::sequence));
        Path moved = store.moveAside(aside);
        LOG.log(
            Level.WARNING,
            "checkpoint directory {0}: starting afresh as asked; moved {1} into {2}",
            store.directory(),
            names(aside),
            moved);
        run = newRun();
      }
      RUNS.put(engine, run);
    } catch (RuntimeException | Error e) {
      close();
      throw e;
    }
  }

  /**
   * Starts a {@code resume}: locks the directory and restores the newest usable checkpoint into the
   * engine and {@code fit}; with none at all, logs that training starts from scratch. Checkpoints
   * that fail verification are moved into {@code corrupt/} with a warning, once the newest usable
   * one is known to fit this loop and data.
   *
   * @throws IllegalStateException before anything is changed: if the policy starts fresh, if the
   *     checkpoint was written by a different loop or for different data, if checkpoints are there
   *     but none is usable (each named with what is wrong), or if another fit holds the directory
   */
  void beginResume(FitLoop fit) {
    if (policy.startsFresh()) {
      throw new IllegalStateException(
          "resume() continues the checkpoints in "
              + policy.directory()
              + ", and CheckpointPolicy.startFresh() asks to move them aside: call fit() to"
              + " start over, or drop startFresh() to continue");
    }
    store = CheckpointStore.lock(policy.directory(), engine.name() + "Loop's resume");
    try {
      restoreLatest(fit);
    } catch (RuntimeException | Error e) {
      close();
      throw e;
    }
  }

  /** Releases the directory. */
  @Override
  public void close() {
    if (store != null) {
      store.close();
      store = null;
    }
  }

  private void restoreLatest(FitLoop fit) {
    List<Entry> entries = store.scan();
    warnAboutOthers(entries);
    List<Entry> unusable = new ArrayList<>();
    Entry newest = null;
    for (Entry entry : entries) {
      if (entry.kind() == Kind.UNUSABLE) {
        unusable.add(entry);
      } else if (entry.kind() == Kind.USABLE) {
        newest = entry;
      }
    }
    if (newest == null) {
      if (!unusable.isEmpty()) {
        throw new IllegalStateException(noneUsable(unusable));
      }
      LOG.log(Level.INFO, "no checkpoint in {0}: training from the start", store.directory());
      run = newRun();
      RUNS.put(engine, run);
      return;
    }
    Checkpoint checkpoint = newest.checkpoint();
    requireCompatible(checkpoint, fit);
    fit.source().restore(checkpoint);
    FitLoop.Position position =
        new FitLoop.Position(
            checkpoint.getLong("global_step"),
            Long.parseLong(checkpoint.state().getOrDefault("fit.first_global_step", "0")),
            (int) checkpoint.getLong("fit.first_epoch"),
            (int) checkpoint.getLong("epoch"),
            (int) checkpoint.getLong("batches_done"),
            checkpoint.getLong("epoch_nanos"),
            checkpoint.getLong("skipped_before"),
            Boolean.parseBoolean(checkpoint.state().getOrDefault("stop_requested", "false")),
            readHistory(checkpoint));
    // Checked: from here on the directory may change.
    for (Entry entry : unusable) {
      Path moved = store.moveToCorrupt(entry);
      LOG.log(
          Level.WARNING,
          "checkpoint {0} is unusable ({1}): moved to {2}, never deleted; resuming from {3}",
          entry.path(),
          entry.problem(),
          moved,
          newest.name());
    }
    run = runOf(checkpoint);
    for (Entry entry : entries) {
      if (entry.kind() == Kind.USABLE && run.equals(runOf(entry.checkpoint()))) {
        store.adopt(entry.checkpoint());
      }
    }
    RUNS.put(engine, run);
    engine.restoreVariables(checkpoint.file(VARIABLES));
    fit.restore(position);
    restored = checkpoint;
    lastSavedStep = position.globalStep();
    lastSavedEpoch = position.epoch();
    lastSavedRestores = fit.weightRestores();
    lastSaved = checkpoint.directory();
    LOG.log(
        Level.INFO,
        "resuming from {0}: epoch {1}, {2} batches done, global step {3}",
        checkpoint.directory(),
        position.epoch(),
        position.batchesDone(),
        position.globalStep());
  }

  private static String newRun() {
    return UUID.randomUUID().toString();
  }

  private static String runOf(Checkpoint checkpoint) {
    return checkpoint.state().getOrDefault("run", "");
  }

  private void warnAboutOthers(List<Entry> entries) {
    List<Entry> others = new ArrayList<>();
    for (Entry entry : entries) {
      if (entry.kind() == Kind.NOT_TFLOOP) {
        others.add(entry);
      }
    }
    if (!others.isEmpty()) {
      LOG.log(
          Level.WARNING,
          "checkpoint directory {0}: {1} {2} not written by tfloop (no {3}): left alone, neither"
              + " counted nor pruned",
          store.directory(),
          names(others),
          others.size() == 1 ? "was" : "were",
          CheckpointStore.MANIFEST);
    }
  }

  private String refusal(List<Entry> foreign) {
    List<String> described = new ArrayList<>();
    boolean resumable = false;
    boolean otherModels = true;
    for (Entry entry : foreign) {
      if (entry.kind() == Kind.USABLE) {
        String loop = entry.checkpoint().state().getOrDefault("loop", "?");
        resumable |= loop.equals(engine.name());
        otherModels &= !loop.equals(engine.name());
        described.add(
            entry.name()
                + " ("
                + loop
                + "Loop, global step "
                + entry.checkpoint().state().getOrDefault("global_step", "?")
                + ")");
      } else {
        otherModels = false;
        described.add(entry.name() + " (unusable: " + entry.problem() + ")");
      }
    }
    Path aside = store.asideDirectory();
    return "checkpoint directory "
        + store.directory()
        + " holds checkpoints this fit did not write: "
        + list(described)
        + "; "
        + (otherModels ? "they are another model's, and " : "")
        + "fit() never deletes or mixes with them."
        + (resumable
            ? " To continue that training, call resume() instead; to start over in this"
                + " directory, use CheckpointPolicy.in(...).startFresh(), which moves them into "
                + aside
                + "; or give this fit another directory"
            : " Give this fit another directory, or start over in this one with"
                + " CheckpointPolicy.in(...).startFresh(), which moves them into "
                + aside);
  }

  private String noneUsable(List<Entry> unusable) {
    List<String> described = new ArrayList<>();
    for (Entry entry : unusable) {
      described.add(entry.name() + ": " + entry.problem());
    }
    return "checkpoint directory "
        + store.directory()
        + " holds no usable checkpoint, so resume() cannot continue the training saved there: "
        + String.join("; ", described)
        + ". Nothing was changed. Put back a good copy from a backup, or start over with fit()"
        + " and CheckpointPolicy.in(...).startFresh(), which moves them into "
        + store.asideDirectory();
  }

  private static String names(List<Entry> entries) {
    List<String> names = new ArrayList<>();
    entries.forEach(entry -> names.add(entry.name()));
    return list(names);
  }

  /** "a", "a and b", "a, b and c"; past eight, the first six, "...", and the last. */
  private static String list(List<String> items) {
    List<String> shown = items;
    if (items.size() > 8) {
      shown = new ArrayList<>(items.subList(0, 6));
      shown.add("... (" + (items.size() - 7) + " more)");
      shown.add(items.get(items.size() - 1));
    }
    if (shown.size() == 1) {
      return shown.get(0);
    }
    return String.join(", ", shown.subList(0, shown.size() - 1))
        + " and "
        + shown.get(shown.size() - 1);
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

  /**
   * Whether the policy saves after epoch {@code epoch}: every epoch when it keeps the best
   * checkpoints, each of which records its epoch's value.
   */
  boolean dueAfterEpoch(int epoch) {
    return policy.keepBest() > 0 || (policy.everyEpochs() > 0 && epoch % policy.everyEpochs() == 0);
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
   * Writes a checkpoint of the fit where it is, unless the last one holds the same place and the
   * same weights (a listener that put weights back, such as early stopping's best, changes them
   * without moving the fit).
   *
   * @return the checkpoint that holds this place
   */
  Path save(FitLoop fit, String reason) {
    FitLoop.Position position = fit.position();
    if (position.globalStep() == lastSavedStep
        && position.epoch() == lastSavedEpoch
        && fit.weightRestores() == lastSavedRestores) {
      return lastSaved;
    }
    requireFiniteWeights(position);
    Map<String, String> state = new LinkedHashMap<>();
    state.put("format", FORMAT);
    state.put("run", run);
    state.put("loop", engine.name());
    state.put(PRECISION, engine.options().precision().name());
    state.put(BATCH_SIZE, Integer.toString(engine.batchSize()));
    state.put(SEED, Long.toString(engine.seed()));
    state.put(SHUFFLE, Boolean.toString(engine.options().shuffle()));
    state.put("reason", reason);
    state.put("global_step", Long.toString(position.globalStep()));
    state.put("fit.first_global_step", Long.toString(position.firstGlobalStep()));
    state.put("fit.first_epoch", Integer.toString(position.firstEpoch()));
    state.put("epoch", Integer.toString(position.epoch()));
    state.put("batches_done", Integer.toString(position.batchesDone()));
    state.put("epoch_nanos", Long.toString(position.epochNanos()));
    state.put("skipped_before", Long.toString(position.skippedBefore()));
    state.put("stop_requested", Boolean.toString(position.stopRequested()));
    fit.source().save(state);
    state.putAll(trainingData(fit));
    putHistory(state, position.history());
    putMonitored(state, fit, position);
    engine
        .variableInventory()
        .forEach((name, description) -> state.put("variable." + name, description));
    List<WeightSnapshot> snapshots = new ArrayList<>();
    for (TrainingListener listener : listeners) {
      if (listener instanceof StatefulListener stateful) {
        stateful
            .saveState()
            .forEach(
                (key, value) -> state.put("listener." + stateful.stateKey() + "." + key, value));
        for (Map.Entry<String, WeightSnapshot> snapshot :
            new TreeMap<>(stateful.saveSnapshots()).entrySet()) {
          String prefix = "snapshot." + snapshots.size() + ".";
          state.put(prefix + "listener", stateful.stateKey());
          state.put(prefix + "name", snapshot.getKey());
          state.put(prefix + "global_step", Long.toString(snapshot.getValue().globalStep()));
          snapshots.add(snapshot.getValue());
        }
      }
    }
    state.put("snapshots", Integer.toString(snapshots.size()));
    Checkpoint written =
        store.write(
            directory -> {
              engine.saveVariables(directory.resolve(VARIABLES));
              fit.source().writeFiles(directory);
              for (int i = 0; i < snapshots.size(); i++) {
                engine.saveSnapshot(snapshots.get(i), directory.resolve(SNAPSHOT + i));
              }
            },
            state,
            policy);
    lastSavedStep = position.globalStep();
    lastSavedEpoch = position.epoch();
    lastSavedRestores = fit.weightRestores();
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
   * Hands each {@link StatefulListener} its state, and its weight snapshots, from the checkpoint
   * that {@link #beginResume} restored, if any; called after the listeners' {@code onTrainBegin},
   * which may reset them.
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
        Map<String, WeightSnapshot> snapshots = readSnapshots(stateful.stateKey());
        if (!snapshots.isEmpty()) {
          stateful.restoreSnapshots(snapshots);
        }
      }
    }
    restored = null;
  }

  /** The snapshots the restored checkpoint holds for the listener {@code key}, read back. */
  private Map<String, WeightSnapshot> readSnapshots(String key) {
    Map<String, WeightSnapshot> snapshots = new LinkedHashMap<>();
    int count = Integer.parseInt(restored.state().getOrDefault("snapshots", "0"));
    try {
      for (int i = 0; i < count; i++) {
        String prefix = "snapshot." + i + ".";
        if (key.equals(restored.get(prefix + "listener"))) {
          snapshots.put(
              restored.get(prefix + "name"),
              engine.loadSnapshot(
                  restored.file(SNAPSHOT + i), restored.getLong(prefix + "global_step")));
        }
      }
      return snapshots;
    } catch (RuntimeException | Error e) {
      snapshots.values().forEach(WeightSnapshot::close);
      throw e;
    }
  }

  /** The manifest key of the training data's fingerprint. */
  private static final String FINGERPRINT = "train.fingerprint";

  /**
   * What a checkpoint records of the training data, so that a resume on other data is refused: the
   * fingerprint of what the loop reads (see {@link DataFingerprint}); the batch source records its
   * own size and order.
   */
  private static Map<String, String> trainingData(FitLoop fit) {
    Map<String, String> data = new LinkedHashMap<>();
    data.put(FINGERPRINT, fit.trainingFingerprint().encode());
    return data;
  }

  private void requireCompatible(Checkpoint checkpoint, FitLoop fit) {
    String where = "checkpoint " + checkpoint.directory();
    if (!READABLE_FORMATS.contains(checkpoint.state().get("format"))) {
      throw new IllegalStateException(
          where
              + " has format "
              + checkpoint.state().get("format")
              + "; this tfloop reads formats "
              + new TreeSet<>(READABLE_FORMATS));
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
    requireSameBatchesAndSeed(checkpoint, where);
    Map<String, String> saved = under(checkpoint, "variable.");
    Map<String, String> ours = new TreeMap<>(engine.variableInventory());
    requireSameTraining(checkpoint, where, saved, ours);
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
    fit.source().requireCompatible(checkpoint, where);
    for (Map.Entry<String, String> data : trainingData(fit).entrySet()) {
      String recorded = checkpoint.state().get(data.getKey());
      if (recorded == null || recorded.equals(data.getValue())) {
        continue; // an older checkpoint that did not record it
      }
      if (data.getKey().equals(FINGERPRINT)) {
        DataFingerprint now = fit.trainingFingerprint();
        String difference =
            now.describeDifference(DataFingerprint.decode(recorded))
                .orElse("their fingerprints differ (" + recorded + " recorded)");
        throw new IllegalStateException(
            where
                + " was written by a fit on other training data: "
                + difference
                + "; resume continues a fit on the same data (to train this data from that"
                + " checkpoint's weights, load them as initial weights instead)");
      }
      throw new IllegalStateException(
          where
              + " was written by a fit on other training data: its "
              + data.getKey()
              + " is "
              + recorded
              + ", this data's is "
              + data.getValue());
    }
  }

  /**
   * With {@link CheckpointPolicy#keepBest}, the monitored value of the epoch that just ended, if
   * the checkpoint holds its weights: written right after it, before any listener put other weights
   * back. The store keeps the checkpoints with the best values.
   */
  private void putMonitored(Map<String, String> state, FitLoop fit, FitLoop.Position position) {
    History history = position.history();
    if (policy.keepBest() == 0
        || position.batchesDone() != 0
        || history.epochs().isEmpty()
        || history.last().epoch() != position.epoch() - 1
        || !fit.weightsOfLastEpoch()) {
      return;
    }
    Double value = history.last().metrics().get(policy.monitor());
    if (value != null) {
      state.put(CheckpointStore.MONITOR_NAME, policy.monitor());
      state.put(CheckpointStore.MONITOR_VALUE, Double.toString(value));
      state.put(CheckpointStore.MONITOR_MODE, policy.monitorHigherIsBetter() ? "max" : "min");
    }
  }

  /**
   * Refuses a checkpoint whose weights were frozen or given learning-rate multipliers otherwise
   * than this loop's: resuming it would not continue the same fit.
   */
  private static void requireSameTraining(
      Checkpoint checkpoint, String where, Map<String, String> saved, Map<String, String> ours) {
    List<String> changed = new java.util.ArrayList<>();
    saved.forEach(
        (name, then) -> {
          String now = ours.get(name);
          if (now != null && !now.equals(then) && shapeOf(now).equals(shapeOf(then))) {
            changed.add(name + ": " + trainingOf(then) + " then, " + trainingOf(now) + " now");
          }
        });
    if (!changed.isEmpty()) {
      throw new IllegalStateException(
          where
              + " was written by a fit that froze or scaled the learning rate of other weights"
              + " than this loop does ("
              + String.join("; ", changed)
              + "): resume with the LoopOptions.freeze and learningRateMultiplier it was written"
              + " with"
              + orStartFromItsWeights(checkpoint));
    }
  }

  /** A variable's type and shape: its inventory description without how it is trained. */
  private static String shapeOf(String description) {
    if (description.endsWith(" " + VariableSaver.FROZEN)) {
      return description.substring(0, description.length() - VariableSaver.FROZEN.length() - 1);
    }
    int multiplied = description.indexOf(" " + VariableSaver.MULTIPLIED);
    return multiplied < 0 ? description : description.substring(0, multiplied);
  }

  /** How a variable is trained, from its inventory description. */
  private static String trainingOf(String description) {
    String rest = description.substring(shapeOf(description).length()).trim();
    return rest.isEmpty() ? "trained" : rest;
  }

  /**
   * Refuses a checkpoint written by a fit with another batch size or seed: resuming it would not
   * train on the batches, in the order, with the random masks the interrupted fit would have.
   */
  private void requireSameBatchesAndSeed(Checkpoint checkpoint, String where) {
    Map<String, String> state = checkpoint.state();
    if (!state.containsKey(BATCH_SIZE)) {
      return; // written before these were recorded
    }
    String saved = ordering(state.get(BATCH_SIZE), state.get(SEED), state.get(SHUFFLE));
    String ours =
        ordering(
            Integer.toString(engine.batchSize()),
            Long.toString(engine.seed()),
            Boolean.toString(engine.options().shuffle()));
    if (!saved.equals(ours)) {
      throw new IllegalStateException(
          where
              + " was written by a fit with "
              + saved
              + ", and this loop has "
              + ours
              + ": resume with the ones it was written with (LoopOptions.batchSize, seed,"
              + " shuffle)"
              + orStartFromItsWeights(checkpoint));
    }
  }

  /** The other way out of a refused resume: a new fit that starts from the checkpoint's weights. */
  private static String orStartFromItsWeights(Checkpoint checkpoint) {
    return ", or start a new fit from its weights with LoopOptions.initialWeights(InitialWeights.from("
        + checkpoint.directory()
        + "))";
  }

  private static String ordering(String batchSize, String seed, String shuffle) {
    return "batch size "
        + batchSize
        + ", seed "
        + seed
        + ("false".equals(shuffle) ? ", without shuffling" : ", shuffled");
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
    List<ValidationLog> validations = history.validations();
    state.put("validations.size", Integer.toString(validations.size()));
    for (int i = 0; i < validations.size(); i++) {
      ValidationLog log = validations.get(i);
      String prefix = "validations." + i + ".";
      state.put(prefix + "global_step", Long.toString(log.globalStep()));
      state.put(prefix + "epoch", Integer.toString(log.epoch()));
      state.put(prefix + "batch", Integer.toString(log.batch()));
      state.put(prefix + "nanos", Long.toString(log.duration().toNanos()));
      log.metrics()
          .forEach((name, value) -> state.put(prefix + "metric." + name, Double.toString(value)));
    }
    history.stopReason().ifPresent(reason -> state.put("stop_reason", reason));
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
    int validations = Integer.parseInt(checkpoint.state().getOrDefault("validations.size", "0"));
    for (int i = 0; i < validations; i++) {
      String prefix = "validations." + i + ".";
      Map<String, Double> metrics = new LinkedHashMap<>();
      under(checkpoint, prefix + "metric.")
          .forEach((name, value) -> metrics.put(name, Double.parseDouble(value)));
      history.addValidation(
          new ValidationLog(
              checkpoint.getLong(prefix + "global_step"),
              (int) checkpoint.getLong(prefix + "epoch"),
              (int) checkpoint.getLong(prefix + "batch"),
              metrics,
              Duration.ofNanos(checkpoint.getLong(prefix + "nanos"))));
    }
    String stopReason = checkpoint.state().get("stop_reason");
    if (stopReason != null) {
      history.stopped(stopReason);
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
}
