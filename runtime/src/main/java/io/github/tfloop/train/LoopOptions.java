package io.github.tfloop.train;

import io.github.tfloop.checkpoint.CheckpointPolicy;
import io.github.tfloop.distributed.Cluster;
import io.github.tfloop.weights.InitialWeights;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

/**
 * How a generated loop runs: epochs, shuffling, batching, threads, device, XLA, precision and
 * listeners. Immutable; build one with {@link #builder()}.
 *
 * <pre>{@code
 * LoopOptions options = LoopOptions.builder().epochs(10).listener(new ConsoleLogger()).build();
 * try (FashionMlpLoop loop = FashionMlpLoop.create(new FashionMlp(), options)) { ... }
 * }</pre>
 */
public final class LoopOptions {

  private final int epochs;
  private final boolean shuffle;
  private final LastBatch lastBatch;
  private final OptionalLong seed;
  private final OptionalInt batchSize;
  private final int stepsPerExecution;
  private final int intraOpThreads;
  private final int interOpThreads;
  private final Execution execution;
  private final String device;
  private final boolean xla;
  private final boolean logDevicePlacement;
  private final List<TrainingListener> listeners;
  private final NonFinite nonFinite;
  private final boolean gradientNorm;
  private final Path debugNumerics;
  private final CheckpointPolicy checkpoints;
  private final Cluster cluster;
  private final int accumulate;
  private final long maxSteps;
  private final Duration maxTime;
  private final int validateEverySteps;
  private final int limitTrainBatches;
  private final int limitValidationBatches;
  private final boolean dryRun;
  private final InitialWeights initialWeights;
  private final Set<String> frozen;
  private final Map<String, Double> learningRateMultipliers;
  private final Precision precision;
  private final double initialLossScale;
  private final int lossScaleGrowthSteps;
  private final boolean resumeInOtherPrecision;

  private LoopOptions(Builder builder) {
    this.epochs = builder.epochs;
    this.shuffle = builder.shuffle;
    this.lastBatch = builder.lastBatch;
    this.seed = builder.seed;
    this.batchSize = builder.batchSize;
    this.stepsPerExecution = builder.stepsPerExecution;
    this.intraOpThreads = builder.intraOpThreads;
    this.interOpThreads = builder.interOpThreads;
    this.execution = builder.execution;
    this.device = builder.device;
    this.xla = builder.xla;
    this.logDevicePlacement = builder.logDevicePlacement;
    this.listeners = List.copyOf(builder.listeners);
    this.nonFinite = builder.nonFinite;
    this.gradientNorm = builder.gradientNorm;
    this.debugNumerics = builder.debugNumerics;
    this.checkpoints = builder.checkpoints;
    this.cluster = builder.cluster;
    this.accumulate = builder.accumulate;
    this.maxSteps = builder.maxSteps;
    this.maxTime = builder.maxTime;
    this.validateEverySteps = builder.validateEverySteps;
    this.limitTrainBatches = builder.limitTrainBatches;
    this.limitValidationBatches = builder.limitValidationBatches;
    this.dryRun = builder.dryRun;
    this.initialWeights = builder.initialWeights;
    this.frozen = Collections.unmodifiableSet(new LinkedHashSet<>(builder.frozen));
    this.learningRateMultipliers =
        Collections.unmodifiableMap(new LinkedHashMap<>(builder.learningRateMultipliers));
    this.precision = builder.precision;
    this.initialLossScale = builder.initialLossScale;
    this.lossScaleGrowthSteps = builder.lossScaleGrowthSteps;
    this.resumeInOtherPrecision = builder.resumeInOtherPrecision;
  }

  /** One epoch, shuffled, full batches only, TensorFlow's thread defaults, native execution. */
  public static LoopOptions defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding these options, to change some of them. */
  public Builder toBuilder() {
    Builder builder = new Builder();
    builder.epochs = epochs;
    builder.shuffle = shuffle;
    builder.lastBatch = lastBatch;
    builder.seed = seed;
    builder.batchSize = batchSize;
    builder.stepsPerExecution = stepsPerExecution;
    builder.intraOpThreads = intraOpThreads;
    builder.interOpThreads = interOpThreads;
    builder.execution = execution;
    builder.device = device;
    builder.xla = xla;
    builder.logDevicePlacement = logDevicePlacement;
    builder.listeners.addAll(listeners);
    builder.nonFinite = nonFinite;
    builder.gradientNorm = gradientNorm;
    builder.debugNumerics = debugNumerics;
    builder.checkpoints = checkpoints;
    builder.cluster = cluster;
    builder.accumulate = accumulate;
    builder.maxSteps = maxSteps;
    builder.maxTime = maxTime;
    builder.validateEverySteps = validateEverySteps;
    builder.limitTrainBatches = limitTrainBatches;
    builder.limitValidationBatches = limitValidationBatches;
    builder.dryRun = dryRun;
    builder.initialWeights = initialWeights;
    builder.frozen.addAll(frozen);
    builder.learningRateMultipliers.putAll(learningRateMultipliers);
    builder.precision = precision;
    builder.initialLossScale = initialLossScale;
    builder.lossScaleGrowthSteps = lossScaleGrowthSteps;
    builder.resumeInOtherPrecision = resumeInOtherPrecision;
    return builder;
  }

  /** Epochs each {@code fit} runs. */
  public int epochs() {
    return epochs;
  }

  /** Whether each epoch visits the training examples in a new seeded order. */
  public boolean shuffle() {
    return shuffle;
  }

  public LastBatch lastBatch() {
    return lastBatch;
  }

  /** A seed replacing the one declared in {@code @TrainingLoop}, if set. */
  public OptionalLong seed() {
    return seed;
  }

  /** A batch size replacing the one declared in {@code @TrainingLoop}, if set. */
  public OptionalInt batchSize() {
    return batchSize;
  }

  /**
   * Training batches {@code fit} runs per call into TensorFlow; 1 (the default) runs one per call.
   * With {@code K > 1} the epoch's training data is copied into the graph once per {@code fit}, and
   * one call runs up to {@code K} batches in an in-graph loop, gathering each batch from that copy
   * in the same shuffled order as with 1: the training is the same. Listeners see the first batch
   * of each call begin and its last batch end; a partial last batch ({@link LastBatch#PARTIAL})
   * runs on its own, and so does every batch of a loop with a step that does not run on every
   * batch. A call ends early at a step a checkpoint or a validation ({@link
   * Builder#validateEverySteps}) is due after, and at {@link Builder#maxSteps}; with {@link
   * Builder#accumulate} every batch is its own call. A failure (a non-finite value under {@code
   * NonFinite.STOP}, say) names the call's batches, not the one batch: train with 1 to find it.
   */
  public int stepsPerExecution() {
    return stepsPerExecution;
  }

  /** Threads one op may use; 0 lets TensorFlow choose (one per core). */
  public int intraOpThreads() {
    return intraOpThreads;
  }

  /** Ops that may run at once; 0 lets TensorFlow choose. */
  public int interOpThreads() {
    return interOpThreads;
  }

  public Execution execution() {
    return execution;
  }

  /**
   * The device the graph is placed on, such as {@code /GPU:0}, or {@code null} for TensorFlow's
   * choice. Placement is soft: ops the device cannot run fall back to the CPU.
   */
  public String device() {
    return device;
  }

  /**
   * Whether TensorFlow's XLA JIT compiles clusters of the graph (global JIT level {@code ON_1}). On
   * the CPU TensorFlow honours it only when the process starts with {@code
   * TF_XLA_FLAGS=--tf_xla_cpu_global_jit}; see BENCHMARKS.md for what it changed there.
   */
  public boolean xla() {
    return xla;
  }

  /** Whether TensorFlow logs the device each op is placed on when the session starts. */
  public boolean logDevicePlacement() {
    return logDevicePlacement;
  }

  public List<TrainingListener> listeners() {
    return listeners;
  }

  /** What training does with a batch whose loss or gradients are not finite. */
  public NonFinite nonFinite() {
    return nonFinite;
  }

  /**
   * Whether every step keeps the global norm of its gradients for {@code stepScalars()}: asked for
   * here, by a listener ({@link TrainingListener#readsGradientNorm()}), or needed by the non-finite
   * check or {@link #debugNumerics()}. Off otherwise: it costs a pass over every gradient. A step
   * whose clipping needs the global norm keeps it whatever this says.
   */
  public boolean gradientNorm() {
    return gradientNorm
        || nonFinite != NonFinite.OFF
        || debugNumerics != null
        || listeners.stream().anyMatch(TrainingListener::readsGradientNorm);
  }

  /**
   * Where a batch that made any value non-finite is dumped when every op's numerics are checked, or
   * {@code null} when they are not (the default).
   */
  public Path debugNumerics() {
    return debugNumerics;
  }

  /** When and where a fit saves checkpoints, or {@code null} for never. */
  public CheckpointPolicy checkpoints() {
    return checkpoints;
  }

  /** The cluster the loop trains on, or {@code null} to train in this process alone. */
  public Cluster cluster() {
    return cluster;
  }

  /**
   * Whether some listener changes the steps' learning rates as training goes ({@link
   * TrainingListener#adjustsLearningRate()}, such as {@link ReduceLROnPlateau}): each step's rate
   * is then its schedule's value times a scale kept in the graph ({@code
   * <step>/learning_rate_scale}, saved in checkpoints), which {@link
   * FitControl#setLearningRateScale} sets.
   */
  public boolean learningRateScaled() {
    return listeners.stream().anyMatch(TrainingListener::adjustsLearningRate);
  }

  /**
   * Batches whose gradients each optimizer update averages; 1 (the default) updates on every batch.
   * See {@link Builder#accumulate}.
   */
  public int accumulate() {
    return accumulate;
  }

  /** The training steps (batches) after which a fit stops, or 0 for no limit. */
  public long maxSteps() {
    return maxSteps;
  }

  /** The wall-clock time after which a {@code fit} or {@code resume} call stops, or null. */
  public Duration maxTime() {
    return maxTime;
  }

  /** Global steps between validations within epochs, or 0 to validate only at each epoch's end. */
  public int validateEverySteps() {
    return validateEverySteps;
  }

  /** Training batches per epoch at most, or 0 for all. */
  public int limitTrainBatches() {
    return limitTrainBatches;
  }

  /** Validation batches each validation evaluates at most, or 0 for all. */
  public int limitValidationBatches() {
    return limitValidationBatches;
  }

  /**
   * Whether {@code fit} and {@code resume} run one training batch and one validation batch only,
   * reading and writing no checkpoint; see {@link Builder#dryRun}.
   */
  public boolean dryRun() {
    return dryRun;
  }

  /**
   * The pretrained weights the loop starts from, or {@code null} to start from the initialisers.
   * See {@link Builder#initialWeights}.
   */
  public InitialWeights initialWeights() {
    return initialWeights;
  }

  /**
   * What {@link Builder#freeze} froze: models, layers or variables, by name or name prefix. Empty
   * unless asked for.
   */
  public Set<String> frozen() {
    return frozen;
  }

  /**
   * The learning-rate multipliers {@link Builder#learningRateMultiplier} set, by model, layer or
   * variable name (prefix). Empty unless asked for.
   */
  public Map<String, Double> learningRateMultipliers() {
    return learningRateMultipliers;
  }

  /** The number format the loop computes in; {@link Precision#FLOAT32} unless set. */
  public Precision precision() {
    return precision;
  }

  /**
   * The loss scale {@link Precision#MIXED_FLOAT16} starts from: 2<sup>15</sup> (32768) unless set,
   * as in Keras.
   */
  public double initialLossScale() {
    return initialLossScale;
  }

  /**
   * How many steps in a row with finite gradients {@link Precision#MIXED_FLOAT16} waits before it
   * doubles the loss scale: 2000 unless set, as in Keras.
   */
  public int lossScaleGrowthSteps() {
    return lossScaleGrowthSteps;
  }

  /**
   * Whether {@code resume} may continue from a checkpoint written in another {@link Precision} (off
   * unless set: by default such a resume is refused).
   */
  public boolean resumeInOtherPrecision() {
    return resumeInOtherPrecision;
  }

  /** Collects options; every setter checks its value at once. */
  public static final class Builder {
    private int epochs = 1;
    private boolean shuffle = true;
    private LastBatch lastBatch = LastBatch.DROP;
    private OptionalLong seed = OptionalLong.empty();
    private OptionalInt batchSize = OptionalInt.empty();
    private int stepsPerExecution = 1;
    private int intraOpThreads;
    private int interOpThreads;
    private Execution execution = Execution.NATIVE;
    private String device;
    private boolean xla;
    private boolean logDevicePlacement;
    private final List<TrainingListener> listeners = new ArrayList<>();
    private NonFinite nonFinite = NonFinite.OFF;
    private boolean gradientNorm;
    private Path debugNumerics;
    private CheckpointPolicy checkpoints;
    private Cluster cluster;
    private int accumulate = 1;
    private long maxSteps;
    private Duration maxTime;
    private int validateEverySteps;
    private int limitTrainBatches;
    private int limitValidationBatches;
    private boolean dryRun;
    private InitialWeights initialWeights;
    private final List<String> frozen = new ArrayList<>();
    private final Map<String, Double> learningRateMultipliers = new LinkedHashMap<>();
    private Precision precision = Precision.FLOAT32;
    private double initialLossScale = 32768;
    private int lossScaleGrowthSteps = 2000;
    private boolean resumeInOtherPrecision;

    private Builder() {}

    public Builder epochs(int epochs) {
      if (epochs < 1) {
        throw new IllegalArgumentException("epochs must be at least 1, got " + epochs);
      }
      this.epochs = epochs;
      return this;
    }

    public Builder shuffle(boolean shuffle) {
      this.shuffle = shuffle;
      return this;
    }

    public Builder lastBatch(LastBatch lastBatch) {
      this.lastBatch = Objects.requireNonNull(lastBatch, "lastBatch");
      return this;
    }

    public Builder seed(long seed) {
      this.seed = OptionalLong.of(seed);
      return this;
    }

    public Builder batchSize(int batchSize) {
      if (batchSize < 1) {
        throw new IllegalArgumentException("batchSize must be at least 1, got " + batchSize);
      }
      this.batchSize = OptionalInt.of(batchSize);
      return this;
    }

    public Builder stepsPerExecution(int steps) {
      if (steps < 1) {
        throw new IllegalArgumentException("stepsPerExecution must be at least 1, got " + steps);
      }
      this.stepsPerExecution = steps;
      return this;
    }

    public Builder intraOpThreads(int threads) {
      this.intraOpThreads = requireThreads("intraOpThreads", threads);
      return this;
    }

    public Builder interOpThreads(int threads) {
      this.interOpThreads = requireThreads("interOpThreads", threads);
      return this;
    }

    public Builder execution(Execution execution) {
      this.execution = Objects.requireNonNull(execution, "execution");
      return this;
    }

    public Builder device(String device) {
      this.device = device;
      return this;
    }

    public Builder xla(boolean xla) {
      this.xla = xla;
      return this;
    }

    public Builder logDevicePlacement(boolean log) {
      this.logDevicePlacement = log;
      return this;
    }

    public Builder listener(TrainingListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * Keeps every step's global gradient norm for {@code stepScalars()}; see {@link
     * #gradientNorm()}.
     */
    public Builder gradientNorm(boolean keep) {
      this.gradientNorm = keep;
      return this;
    }

    /**
     * What to do when a batch's loss or a gradient is NaN or infinite: nothing ({@link
     * NonFinite#OFF}, the default), {@link NonFinite#STOP} training or {@link NonFinite#SKIP} the
     * batch.
     */
    public Builder nonFinite(NonFinite policy) {
      this.nonFinite = Objects.requireNonNull(policy, "nonFinite");
      return this;
    }

    /**
     * Checks every floating-point value the loss and gradients depend on, op by op, and stops at
     * the first NaN or infinity, naming it; the offending batch is written to {@code dumpDirectory}
     * as IDX files. Slow: for debugging.
     */
    public Builder debugNumerics(Path dumpDirectory) {
      this.debugNumerics = Objects.requireNonNull(dumpDirectory, "dumpDirectory");
      return this;
    }

    /** Saves checkpoints as {@code policy} says; {@code resume} continues from the newest. */
    public Builder checkpoints(CheckpointPolicy policy) {
      this.checkpoints = Objects.requireNonNull(policy, "checkpoints");
      return this;
    }

    /**
     * Trains data-parallel on {@code cluster}, usually {@link Cluster#fromEnvironment()}: this
     * process is one of its workers. Variables live on the parameter servers; each worker trains on
     * its own shard of the training data (examples {@code i, i + n, i + 2n, ...} of {@code n}
     * workers) with an equal share of the declared batch size, which is the global batch; each step
     * applies the average of every worker's gradients once, as training on one process with that
     * batch would. Worker 0, the chief, initialises the variables, evaluates the validation data,
     * runs the listeners and writes checkpoints; the other workers wait for it and write nothing.
     * Loops with several {@code @Step}s and {@code step()} calls are not supported.
     */
    public Builder cluster(Cluster cluster) {
      this.cluster = Objects.requireNonNull(cluster, "cluster");
      return this;
    }

    /**
     * Accumulates the gradients of {@code batches} consecutive batches and applies their mean in
     * one optimizer update (Keras's {@code gradient_accumulation_steps}, Lightning's {@code
     * accumulate_grad_batches}): for a loss that is a mean over the batch, {@code n} batches of
     * {@code b} examples make the same update as one batch of {@code n * b}, without the memory of
     * one. Clipping and the non-finite check apply to the mean gradient; batch normalisation's
     * moving averages and the training metrics are updated on every batch.
     *
     * <p>The global step still counts batches: checkpoints' {@code everySteps}, {@link #maxSteps}
     * and {@link #validateEverySteps} count batches, while a learning-rate schedule counts updates,
     * as Keras's does. Accumulation runs across epoch ends (the update after batch {@code k * n} of
     * the fit's life), and a resumed fit goes on with the gradients accumulated before the
     * checkpoint (they are saved in it). A step that runs on every {@code m}-th batch ({@code
     * every}) updates after {@code n} of its own runs. Every batch is its own call into TensorFlow:
     * {@link #stepsPerExecution} is not used. A partial last batch ({@link LastBatch#PARTIAL})
     * counts as one of the {@code n}, its mean weighted as a full batch's. Not supported on a
     * cluster.
     *
     * @param batches at least 1
     */
    public Builder accumulate(int batches) {
      if (batches < 1) {
        throw new IllegalArgumentException("accumulate must be at least 1 batch, got " + batches);
      }
      this.accumulate = batches;
      return this;
    }

    /**
     * Computes in {@code precision}: {@link Precision#FLOAT32} (the default), or mixed precision
     * with float32 weights and bfloat16 ({@link Precision#MIXED_BFLOAT16}) or float16 ({@link
     * Precision#MIXED_FLOAT16}) matrix products and convolutions. See {@link Precision}.
     */
    public Builder precision(Precision precision) {
      this.precision = Objects.requireNonNull(precision, "precision");
      return this;
    }

    /**
     * Stops a fit after {@code steps} training steps (batches) of that fit, even in the middle of
     * an epoch: that epoch ends there, is validated and logged, and the fit returns; its history
     * says why it stopped ({@link History#stopReason()}). A resumed fit counts the steps of the fit
     * it continues, so it stops at the same global step. 0 (the default): no limit. With {@link
     * #stepsPerExecution} a call into TensorFlow ends at that step.
     */
    public Builder maxSteps(long steps) {
      if (steps < 0) {
        throw new IllegalArgumentException("maxSteps must be 0 (no limit) or more, got " + steps);
      }
      this.maxSteps = steps;
      return this;
    }

    /**
     * Stops a {@code fit} or {@code resume} call after the batch during which {@code time} has
     * passed since the call began: the epoch in progress ends there, as with {@link #maxSteps}.
     * Each call has its own time: a {@code resume} after a stop trains for {@code time} again, from
     * the next epoch. {@code null} (the default): no limit. Checked between calls into TensorFlow.
     */
    public Builder maxTime(Duration time) {
      if (time != null && (time.isNegative() || time.isZero())) {
        throw new IllegalArgumentException("maxTime must be positive, got " + time);
      }
      this.maxTime = time;
      return this;
    }

    /**
     * Also evaluates the validation data after every {@code steps} global steps, within epochs
     * (Lightning's {@code val_check_interval}): each result is a {@link ValidationLog} in {@link
     * History#validations()}, which listeners see in {@link TrainingListener#onValidationEnd}.
     * Epochs are still validated at their end; at a step that is both, the data is evaluated once.
     * A fit with this option needs validation data. 0 (the default): at each epoch's end only.
     */
    public Builder validateEverySteps(int steps) {
      if (steps < 0) {
        throw new IllegalArgumentException(
            "validateEverySteps must be 0 (epochs only) or more, got " + steps);
      }
      this.validateEverySteps = steps;
      return this;
    }

    /**
     * Trains at most {@code batches} batches per epoch: the first ones of each epoch's shuffled
     * order, so each epoch sees other examples (Keras's {@code steps_per_epoch}, Lightning's {@code
     * limit_train_batches}). 0 (the default): every batch.
     */
    public Builder limitTrainBatches(int batches) {
      if (batches < 0) {
        throw new IllegalArgumentException(
            "limitTrainBatches must be 0 (all) or more, got " + batches);
      }
      this.limitTrainBatches = batches;
      return this;
    }

    /**
     * The dynamic loss scale of {@link Precision#MIXED_FLOAT16}: the scale it starts from (Keras:
     * 2<sup>15</sup>) and the number of steps in a row with finite gradients after which it doubles
     * (Keras: 2000). Other precisions do not scale the loss.
     */
    public Builder lossScale(double initialScale, int growthSteps) {
      if (!(initialScale >= 1 && initialScale <= Float.MAX_VALUE)) {
        throw new IllegalArgumentException(
            "the initial loss scale must be a finite float32 of at least 1, got " + initialScale);
      }
      if (growthSteps < 1) {
        throw new IllegalArgumentException(
            "the loss scale's growth steps must be at least 1, got " + growthSteps);
      }
      this.initialLossScale = initialScale;
      this.lossScaleGrowthSteps = growthSteps;
      return this;
    }

    /**
     * Evaluates at most the first {@code batches} batches of the validation data at each validation
     * (Keras's {@code validation_steps}). 0 (the default): all of it.
     */
    public Builder limitValidationBatches(int batches) {
      if (batches < 0) {
        throw new IllegalArgumentException(
            "limitValidationBatches must be 0 (all) or more, got " + batches);
      }
      this.limitValidationBatches = batches;
      return this;
    }

    /**
     * A quick check of the whole loop (Lightning's {@code fast_dev_run}): {@code fit} and {@code
     * resume} run one epoch of one training batch, one validation batch, and every listener,
     * whatever the other options say, and read and write no checkpoint (the checkpoint directory is
     * not touched). The batch is trained: run the real fit on a new loop.
     */
    public Builder dryRun(boolean dryRun) {
      this.dryRun = dryRun;
      return this;
    }

    /**
     * Starts the loop from pretrained weights: a TensorFlow checkpoint, a SavedModel, a Keras
     * weight file or a checkpoint directory tfloop wrote, mapped onto the loop's weights (its
     * trainable variables and model state) by {@code weights}' {@link
     * io.github.tfloop.weights.WeightMapping}. {@code create} checks the mapping while it builds
     * the graph, before any session opens, and throws a {@link
     * io.github.tfloop.weights.WeightMappingException} listing every mismatch; it loads the weights
     * right after initialising the variables and logs what went where ({@code System.Logger} {@code
     * io.github.tfloop.weights}, level INFO). {@code resume} restores its checkpoint after this, so
     * a checkpoint's weights win. On a cluster, the chief loads them (the variables live on the
     * parameter servers); the other workers do not read the file.
     *
     * <pre>{@code
     * LoopOptions options = LoopOptions.builder()
     *     .initialWeights(InitialWeights.from(Path.of("pretrained"),
     *         WeightMapping.builder().keepInitial(name -> name.startsWith("logits/head/")).build()))
     *     .freeze("logits/backbone")
     *     .build();
     * }</pre>
     */
    public Builder initialWeights(InitialWeights weights) {
      this.initialWeights = Objects.requireNonNull(weights, "weights");
      return this;
    }

    /**
     * Freezes what {@code names} name, as Keras' {@code trainable = False} does: a {@code @Model}
     * ({@code "logits"}), a scope or layer of it ({@code "logits/backbone"}, {@code
     * "logits/dense_1"}) or one variable ({@code "logits/dense_1/bias"}); a name covers every
     * variable whose name it is or starts with followed by {@code /}. Frozen variables are never
     * trained (no gradient, no optimizer slots), but are checkpointed, exported and loaded like the
     * others; batch normalisation layers frozen whole run in inference mode (their moving
     * statistics are used, never updated). {@code create} fails if a name covers no variable.
     * Checkpoints record what was frozen: {@code resume} refuses a checkpoint written with another
     * freeze set. To unfreeze, create the loop again without it (Keras: recompile), starting from
     * the trained weights: {@link #initialWeights}.
     */
    public Builder freeze(String... names) {
      for (String name : names) {
        frozen.add(requireName("freeze", name));
      }
      return this;
    }

    /**
     * Trains what {@code name} names (a model, scope, layer or variable, as in {@link #freeze})
     * with {@code multiplier} times each step's learning rate: a pretrained backbone fine-tuned at
     * a tenth of the rate of its new head is {@code learningRateMultiplier("logits/backbone",
     * 0.1)}. Where several names cover a variable, the longest applies. Checkpoints record the
     * multipliers; {@code resume} refuses a checkpoint written with others.
     *
     * @throws IllegalArgumentException unless {@code multiplier} is positive and finite (freeze
     *     instead of a multiplier of 0)
     */
    public Builder learningRateMultiplier(String name, double multiplier) {
      requireName("learningRateMultiplier", name);
      if (!(multiplier > 0) || Double.isInfinite(multiplier)) {
        throw new IllegalArgumentException(
            "learningRateMultiplier for '"
                + name
                + "' must be positive and finite, got "
                + multiplier
                + (multiplier == 0 ? "; to stop training it, freeze it" : ""));
      }
      learningRateMultipliers.put(name, multiplier);
      return this;
    }

    /**
     * Lets {@code resume} continue from a checkpoint written in another {@link Precision}: the
     * float32 weights carry over as they are. Between {@link Precision#FLOAT32} and {@link
     * Precision#MIXED_BFLOAT16} the checkpoints hold the same variables; {@link
     * Precision#MIXED_FLOAT16} also keeps its loss scale, so its checkpoints and the others' do not
     * resume each other either way.
     */
    public Builder resumeInOtherPrecision(boolean allow) {
      this.resumeInOtherPrecision = allow;
      return this;
    }

    /**
     * The options set.
     *
     * @throws IllegalArgumentException if {@link #accumulate} and {@link Precision#MIXED_FLOAT16}
     *     are both asked for: an overflow in one accumulated batch would reach the update of the
     *     batches after it, which the dynamic loss scale cannot skip
     */
    public LoopOptions build() {
      if (accumulate > 1 && precision == Precision.MIXED_FLOAT16) {
        throw new IllegalArgumentException(
            "accumulate("
                + accumulate
                + ") does not combine with Precision.MIXED_FLOAT16: its dynamic loss scale skips"
                + " single batches, not accumulated ones; use Precision.MIXED_BFLOAT16, which needs"
                + " no loss scale, or accumulate(1)");
      }
      return new LoopOptions(this);
    }

    private static String requireName(String option, String name) {
      Objects.requireNonNull(name, option);
      if (name.isEmpty() || name.startsWith("/") || name.endsWith("/")) {
        throw new IllegalArgumentException(
            option
                + ": '"
                + name
                + "' is not a model, layer or variable name such as logits or logits/dense_1");
      }
      return name;
    }

    private static int requireThreads(String name, int threads) {
      if (threads < 0) {
        throw new IllegalArgumentException(
            name + " must be 0 (TensorFlow's choice) or more, got " + threads);
      }
      return threads;
    }
  }
}
