package io.github.tfloop.internal;

import io.github.tfloop.data.Dataset;
import io.github.tfloop.distributed.Cluster;
import io.github.tfloop.internal.build.LoopGraph;
import io.github.tfloop.internal.cluster.ClusterFit;
import io.github.tfloop.internal.cluster.SyncReplicas;
import io.github.tfloop.internal.engine.LoopEngine;
import io.github.tfloop.internal.fit.FitLoop;
import io.github.tfloop.internal.session.Batch;
import io.github.tfloop.internal.session.ClusterSession;
import io.github.tfloop.internal.session.TensorFlowFailures;
import io.github.tfloop.nn.ModelSummary;
import io.github.tfloop.train.Evaluation;
import io.github.tfloop.train.History;
import io.github.tfloop.train.TrainingException;
import io.github.tfloop.weights.InitialWeights;
import io.github.tfloop.weights.WeightPlan;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What a generated loop class holds and delegates to: the {@link LoopEngine} that runs the built
 * graph, and the fits that drive it ({@link FitLoop}, or {@link ClusterFit} on a cluster).
 *
 * <p>Every method is one call of the loop: it enters the engine's one-thread-at-a-time guard, so a
 * second thread gets an {@link IllegalStateException} naming the call in progress, and {@link
 * #close} never frees what a call is using. {@link #beginStep}/{@link #endStep} bracket a {@code
 * step(...)}, whose batch the generated code fills in between.
 */
public final class Trainer implements AutoCloseable {

  private final LoopEngine engine;
  private final SyncReplicas replicas;

  private Trainer(LoopEngine engine, SyncReplicas replicas) {
    this.engine = engine;
    this.replicas = replicas;
  }

  /** Opens a session on {@code graph}, built by {@code LoopBuilder.build()}. */
  public static Trainer start(LoopGraph graph) {
    LoopEngine engine = new LoopEngine(graph, graph.options());
    if (graph.syncReplicas() == null) {
      return new Trainer(engine, null);
    }
    try {
      SyncReplicas replicas =
          new SyncReplicas(
              engine,
              engine.session(),
              graph,
              graph.options().cluster(),
              engine.trainMetricUpdates());
      engine.closeWith(replicas);
      return new Trainer(engine, replicas);
    } catch (RuntimeException | Error e) {
      engine.close();
      throw e;
    }
  }

  /**
   * Starts {@code step(...)} on a batch of {@code examples} examples: returns the batch to fill in,
   * then call {@link #trainStep} and, in a {@code finally} block, {@link #endStep}.
   */
  public Batch beginStep(int examples) {
    engine.enter("step");
    try {
      if (replicas != null) {
        throw new IllegalStateException(
            engine.name()
                + ": step() trains this process alone; on a cluster every worker trains with fit"
                + " or resume");
      }
      return engine.batchOf(examples);
    } catch (RuntimeException e) {
      engine.exit();
      throw e;
    }
  }

  /** Trains on the batch {@link #beginStep} returned and returns the first step's loss. */
  public float trainStep(Batch batch) {
    return engine.trainStep(batch);
  }

  /** Ends the call {@link #beginStep} started. */
  public void endStep() {
    engine.exit();
  }

  /** Trains for the options' epochs; see {@link FitLoop}. */
  public History fit(Dataset train, Dataset validation) {
    return call("fit", () -> fitOrResume(train, validation, false));
  }

  /**
   * Continues the fit saved in the newest usable checkpoint of the options' checkpoint directory,
   * exactly where it stopped, to the end of its epochs; with no checkpoint there, fits from the
   * start.
   */
  public History resume(Dataset train, Dataset validation) {
    return call("resume", () -> fitOrResume(train, validation, true));
  }

  private History fitOrResume(Dataset train, Dataset validation, boolean resume) {
    if (replicas != null) {
      return ClusterFit.fit(engine, replicas, train, validation, resume);
    }
    FitLoop fit = new FitLoop(engine, train, validation);
    return resume ? fit.resume() : fit.run();
  }

  /** Every loss and metric over all of {@code data}. */
  public Evaluation evaluate(Dataset data) {
    return call("evaluate", () -> engine.evaluate(data));
  }

  /** The primary model's output for every example, flat, as floats. */
  public float[] predictFloats(Dataset data) {
    return call("predict", () -> engine.predictFloats(data));
  }

  /** The primary model's output for every example, flat, as doubles. */
  public double[] predictDoubles(Dataset data) {
    return call("predict", () -> engine.predictDoubles(data));
  }

  /** The learning rate of {@code step}'s next update. */
  public double learningRate(String step) {
    return call("learningRate", () -> engine.learningRate(step));
  }

  /** Training batches run since the loop was created. */
  public long globalStep() {
    engine.enter("globalStep");
    try {
      return engine.globalStep();
    } catch (RuntimeException e) {
      throw failed("globalStep", e);
    } finally {
      engine.exit();
    }
  }

  /** Each step's learning rate and, when kept, the global norm of its last gradients. */
  public Map<String, Double> stepScalars() {
    return call("stepScalars", engine::stepScalars);
  }

  /** The value of every trainable variable, flat, as floats. */
  public Map<String, float[]> trainableWeights() {
    return call("trainableWeights", engine::trainableWeights);
  }

  /** The current value of the variable {@code name}, flat, as doubles (tests and debugging). */
  public double[] variableValues(String name) {
    return call("variableValues", () -> engine.variableValues(name));
  }

  /** Writes a SavedModel of the model as it is now; see {@link LoopEngine#exportSavedModel}. */
  public void exportSavedModel(Path directory) {
    call(
        "exportSavedModel",
        () -> {
          engine.exportSavedModel(directory);
          return null;
        });
  }

  /**
   * Writes the model's weights alone (trainable variables and model state) to {@code
   * <prefix>.index} and {@code <prefix>.data-00000-of-00001}; see {@link LoopEngine#saveWeights}.
   */
  public void saveWeights(Path prefix) {
    call(
        "saveWeights",
        () -> {
          engine.saveWeights(prefix);
          return null;
        });
  }

  /**
   * Sets the model's weights from {@code path}, mapped by name: a prefix {@link #saveWeights}
   * wrote, a checkpoint directory, or any weight file {@code WeightSource.open} reads; see {@link
   * LoopEngine#loadWeights}.
   */
  public WeightPlan loadWeights(Path path) {
    return loadWeights(InitialWeights.from(path));
  }

  /** Sets the model's weights from {@code weights}; see {@link LoopEngine#loadWeights}. */
  public WeightPlan loadWeights(InitialWeights weights) {
    return call("loadWeights", () -> engine.loadWeights(weights));
  }

  /** The loop's models, layer by layer: output shapes and parameter counts. */
  public ModelSummary summary() {
    return engine.summary();
  }

  /**
   * The names of the values each epoch of a fit reports (its {@code EpochLog}), in order: each loss
   * and metric, {@code skipped_batches} when non-finite batches are skipped, each again with {@code
   * val_} before it if {@code withValidation}, and the learning rate ({@code learning_rate}, or
   * {@code <step>/learning_rate} with several steps). What a listener may monitor; generated
   * constants of these names are checked against it.
   */
  public List<String> reportedNames(boolean withValidation) {
    return engine.reportedNames(withValidation);
  }

  /** The engine, for tests of this package that drive it below the calls above. */
  LoopEngine engine() {
    return engine;
  }

  /** The loop's name: the annotated class's simple name. */
  public String name() {
    return engine.name();
  }

  /** Examples per training batch. */
  public int batchSize() {
    return engine.batchSize();
  }

  /**
   * Frees the session, the graph and every tensor. A call running on another thread is asked to
   * stop after its current batch, and waited for; called from inside a call (a listener), the loop
   * is freed when that call returns, which ends with an {@link IllegalStateException}.
   */
  @Override
  public void close() {
    engine.close();
  }

  private <T> T call(String name, Supplier<T> body) {
    engine.enter(name);
    try {
      return body.get();
    } catch (RuntimeException e) {
      throw failed(name, e);
    } finally {
      engine.exit();
    }
  }

  /**
   * What a call throws when TensorFlow failed it and nothing more precise said why (a cluster task
   * that stopped answering, for one): TensorFlow's message, with the call it ended; on a cluster,
   * with this task and whether each parameter server answers.
   */
  private RuntimeException failed(String call, RuntimeException e) {
    if (!TensorFlowFailures.isFromTensorFlow(e)) {
      return e;
    }
    String message = engine.name() + "Loop." + call + " failed: " + e.getMessage().strip();
    Cluster cluster = engine.options().cluster();
    if (cluster != null) {
      message += " (" + cluster.describeTask() + "). " + ClusterSession.parameterServers(cluster);
    }
    return new TrainingException(message, e);
  }
}
