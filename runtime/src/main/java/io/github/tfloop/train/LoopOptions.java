package io.github.tfloop.train;

import io.github.tfloop.checkpoint.CheckpointPolicy;
import io.github.tfloop.distributed.Cluster;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.OptionalLong;

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
   * batch. A call ends early at a step a checkpoint is due after. A failure (a non-finite value
   * under {@code NonFinite.STOP}, say) names the call's batches, not the one batch: train with 1 to
   * find it.
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
     * Computes in {@code precision}: {@link Precision#FLOAT32} (the default), or mixed precision
     * with float32 weights and bfloat16 ({@link Precision#MIXED_BFLOAT16}) or float16 ({@link
     * Precision#MIXED_FLOAT16}) matrix products and convolutions. See {@link Precision}.
     */
    public Builder precision(Precision precision) {
      this.precision = Objects.requireNonNull(precision, "precision");
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

    public LoopOptions build() {
      return new LoopOptions(this);
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
