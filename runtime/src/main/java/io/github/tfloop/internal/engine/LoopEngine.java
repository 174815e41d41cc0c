package io.github.tfloop.internal.engine;

import io.github.tfloop.checkpoint.VariableSaver;
import io.github.tfloop.data.Column;
import io.github.tfloop.data.Dataset;
import io.github.tfloop.data.InputSpec;
import io.github.tfloop.export.SavedModelExport;
import io.github.tfloop.graph.VariableStore;
import io.github.tfloop.internal.build.LoopGraph;
import io.github.tfloop.internal.build.NonFiniteGuard;
import io.github.tfloop.internal.session.Batch;
import io.github.tfloop.internal.session.ClusterSession;
import io.github.tfloop.internal.session.NativeProgram;
import io.github.tfloop.internal.session.Program;
import io.github.tfloop.internal.session.ProgramSpec;
import io.github.tfloop.internal.session.RunnerProgram;
import io.github.tfloop.metrics.MetricState;
import io.github.tfloop.train.Evaluation;
import io.github.tfloop.train.Execution;
import io.github.tfloop.train.LoopOptions;
import io.github.tfloop.train.NativeResources;
import io.github.tfloop.train.NonFinite;
import io.github.tfloop.train.Precision;
import io.github.tfloop.train.WeightSnapshot;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.OptimizerOptions;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TNumber;

/**
 * Runs a built loop: one session over the graph, a prepared {@link Program} per training step and
 * for evaluation, and input tensors reused from batch to batch.
 *
 * <p>One thread at a time: every call from outside comes between {@link #enter} and {@link #exit},
 * which refuse a second thread with an {@link IllegalStateException} naming the call in progress
 * (the calls of the thread already inside, such as a listener's, are let through). {@link #close}
 * never frees what a call is using: from another thread it asks the call to stop at its next batch
 * and waits for it; from inside a call, it frees everything when the outermost call exits.
 */
public final class LoopEngine implements AutoCloseable {

  private static final int CACHED_BATCH_SIZES = 4;

  private final LoopGraph graph;
  private final LoopOptions options;
  private final Session session;
  private final List<InputSpec> features = new ArrayList<>();
  private final Tensor trainingFlag;
  private final Program[] steps;
  private final Program[] stepsWithLoss;
  private final Program evaluation;
  private final Op resetTrainMetrics;
  private final Op resetEvalMetrics;
  private final Batch batch;
  private final Map<Integer, Batch> otherBatches =
      new LinkedHashMap<>(CACHED_BATCH_SIZES, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, Batch> eldest) {
          if (size() > CACHED_BATCH_SIZES) {
            eldest.getValue().close();
            return true;
          }
          return false;
        }
      };
  private final boolean trainsInGraph;
  private InGraphTraining inGraph;
  private WeightCopies weightCopies;
  private Map<String, Operand<TBool>> finiteChecks;
  private int epochsDone;
  private VariableSaver saver;
  private LabelRanges labelRanges;
  private List<Operand<TFloat32>> weightsAsFloats;
  private long batchesTrained;

  // One caller at a time; see enter, exit and close.
  private final AtomicReference<Thread> caller = new AtomicReference<>();
  private final Object callEnded = new Object();
  private String call;
  private int depth;
  private volatile boolean closeRequested;
  private volatile boolean closed;
  private final List<AutoCloseable> alsoClose = new ArrayList<>();

  /** Opens a session on {@code graph} and initialises every variable. */
  public LoopEngine(LoopGraph graph, LoopOptions options) {
    this.graph = graph;
    this.options = options;
    this.trainsInGraph =
        options.stepsPerExecution() >= 2
            && graph.steps().stream().allMatch(step -> step.every() == 1);
    for (InputSpec input : graph.inputs()) {
      if (input.role() == InputSpec.Role.FEATURE) {
        features.add(input);
      }
    }
    Session opened = null;
    List<AutoCloseable> created = new ArrayList<>();
    try {
      opened =
          options.cluster() == null
              ? new Session(graph.graph(), sessionConfig(options))
              : ClusterSession.open(graph.graph(), sessionConfig(options), options.cluster());
      NativeResources.sessionOpened();
      opened.run(graph.initialize());
      this.session = opened;
      this.trainingFlag = TBool.scalarOf(true);
      created.add(trainingFlag);
      Ops tf = Ops.create(graph.graph());
      this.resetTrainMetrics = group(tf, "reset_train_metrics", graph.trainMetrics());
      this.resetEvalMetrics = group(tf, "reset_eval_metrics", graph.evalMetrics());

      int stepCount = graph.steps().size();
      this.steps = new Program[stepCount];
      this.stepsWithLoss = new Program[stepCount];
      for (int i = 0; i < stepCount; i++) {
        ProgramSpec spec = trainingProgram(i);
        steps[i] = compile(spec);
        created.add(steps[i]);
        Operand<TFloat32> loss = tf.dtypes.cast(graph.steps().get(i).loss(), TFloat32.class);
        stepsWithLoss[i] = compile(spec.withFetch(loss));
        created.add(stepsWithLoss[i]);
      }
      this.evaluation =
          compile(new ProgramSpec(graph.placeholders(), updates(graph.evalMetrics()), null));
      created.add(evaluation);
      this.batch = new Batch(graph.inputs(), graph.batchSize());
      created.add(batch);
    } catch (RuntimeException | Error e) {
      for (AutoCloseable resource : created) {
        closeQuietly(resource);
      }
      if (opened != null) {
        opened.close();
        NativeResources.sessionClosed();
      }
      graph.graph().close();
      throw e;
    }
  }

  private static ConfigProto sessionConfig(LoopOptions options) {
    ConfigProto.Builder config =
        ConfigProto.newBuilder()
            .setIntraOpParallelismThreads(options.intraOpThreads())
            .setInterOpParallelismThreads(options.interOpThreads())
            .setAllowSoftPlacement(true)
            .setLogDevicePlacement(options.logDevicePlacement());
    if (options.xla()) {
      config
          .getGraphOptionsBuilder()
          .getOptimizerOptionsBuilder()
          .setGlobalJitLevel(OptimizerOptions.GlobalJitLevel.ON_1);
    }
    return config.build();
  }

  /**
   * Step {@code i}: its update, plus the batch's metrics and count on the first step that runs on
   * every batch.
   */
  private ProgramSpec trainingProgram(int i) {
    List<Op> targets = new ArrayList<>();
    targets.add(graph.steps().get(i).update());
    if (i == countingStep()) {
      targets.addAll(updates(graph.trainMetrics()));
      targets.add(graph.countBatch());
    }
    List<Operand<?>> feeds = new ArrayList<>(graph.placeholders());
    feeds.add(graph.training());
    return new ProgramSpec(feeds, targets, null);
  }

  /**
   * Whether {@code fit} trains {@link LoopOptions#stepsPerExecution()} batches per call in the
   * graph: when that is more than one and every step runs on every batch (steps with a frequency
   * {@code every > 1} train one batch per call).
   */
  public boolean trainsInGraph() {
    return trainsInGraph;
  }

  /** The in-graph loop of {@link #trainsInGraph()}, added to the graph when first needed. */
  public InGraphTraining inGraphTraining() {
    if (inGraph == null) {
      List<List<Op>> stepTargets = new ArrayList<>();
      for (int i = 0; i < steps.length; i++) {
        stepTargets.add(trainingProgram(i).targets());
      }
      inGraph =
          new InGraphTraining(session, graph, stepTargets, options.execution() == Execution.NATIVE);
    }
    return inGraph;
  }

  /**
   * Trains {@code batches} batches in the graph, from position {@code from} of the epoch's order.
   */
  public void trainInGraph(int from, int batches) {
    inGraphTraining().train(from, batches);
    batchesTrained += batches;
  }

  private Program compile(ProgramSpec spec) {
    return options.execution() == Execution.NATIVE
        ? new NativeProgram(session, spec)
        : new RunnerProgram(session, spec);
  }

  private static List<Op> updates(Map<String, MetricState> metrics) {
    List<Op> updates = new ArrayList<>();
    for (MetricState state : metrics.values()) {
      updates.add(state.update());
    }
    return updates;
  }

  private static Op group(Ops tf, String name, Map<String, MetricState> metrics) {
    List<Op> resets = new ArrayList<>();
    for (MetricState state : metrics.values()) {
      resets.add(state.reset());
    }
    return tf.withControlDependencies(resets).withName(name).noOp();
  }

  /** The loop's name, the annotated class's simple name. */
  public String name() {
    return graph.name();
  }

  /** Examples per training batch. */
  public int batchSize() {
    return graph.batchSize();
  }

  /** The seed in effect: the declared one, or the options' override. */
  public long seed() {
    return graph.seed();
  }

  /** The session the loop runs in. */
  public Session session() {
    return session;
  }

  /** The ops that update the training metrics, which every training batch runs. */
  public List<Op> trainMetricUpdates() {
    return updates(graph.trainMetrics());
  }

  /** The options the loop was built with. */
  public LoopOptions options() {
    return options;
  }

  /** The input tensors for a batch of {@code size} examples, reused from call to call. */
  public Batch batchOf(int size) {
    requireOpen();
    if (size == graph.batchSize()) {
      return batch;
    }
    Batch other = otherBatches.get(size);
    if (other == null) {
      other = new Batch(graph.inputs(), size);
      otherBatches.put(size, other);
    }
    return other;
  }

  private int countingStep() {
    for (int i = 0; i < graph.steps().size(); i++) {
      if (graph.steps().get(i).every() == 1) {
        return i;
      }
    }
    throw new IllegalStateException("no step runs on every batch");
  }

  /**
   * Runs, in order, every step due on this batch (a step with {@code every = n} runs on every n-th
   * batch) and returns the loss of the first of them, computed before its update.
   */
  public float trainStep(Batch batch) {
    long batchNumber = ++batchesTrained;
    float loss = Float.NaN;
    boolean fetched = false;
    for (int i = 0; i < steps.length; i++) {
      if (batchNumber % graph.steps().get(i).every() != 0) {
        continue;
      }
      if (fetched) {
        bind(steps[i], batch).run();
      } else {
        loss = bind(stepsWithLoss[i], batch).runAndFetchScalar();
        fetched = true;
      }
    }
    return loss;
  }

  /** Runs every step due on this batch without reading anything back. */
  public void trainStepWithoutFetch(Batch batch) {
    long batchNumber = ++batchesTrained;
    for (int i = 0; i < steps.length; i++) {
      if (batchNumber % graph.steps().get(i).every() == 0) {
        bind(steps[i], batch).run();
      }
    }
  }

  private Program bind(Program program, Batch batch) {
    int inputs = graph.inputs().size();
    for (int slot = 0; slot < inputs; slot++) {
      program.bind(slot, batch.tensor(slot));
    }
    if (program != evaluation) {
      program.bind(inputs, trainingFlag);
    }
    return program;
  }

  /**
   * Counts {@code batches} trained by a step run elsewhere (a cluster's synchronised step), as
   * {@link #trainStepWithoutFetch} counts its own.
   */
  public void countBatches(int batches) {
    batchesTrained += batches;
  }

  /** Loss and metrics over every example of {@code data}, which needs every input's column. */
  public Evaluation evaluate(Dataset data) {
    requireOpen();
    return evaluate(data, columns(data, "evaluation data", true));
  }

  /** Loss and metrics over every example of {@code data}, whose {@link #columns} are given. */
  public Evaluation evaluate(Dataset data, Column[] columns) {
    requireOpen();
    session.run(resetEvalMetrics);
    forEachBatchInOrder(data.size(), columns, batch -> bind(evaluation, batch).run());
    return new Evaluation(read(graph.evalMetrics()), data.size());
  }

  /** The primary model output for every example of {@code data}, flat, as floats. */
  public float[] predictFloats(Dataset data) {
    float[] predictions = new float[predictionLength(data)];
    predict(
        data,
        (tensor, offset) -> {
          if (tensor instanceof TFloat64) {
            var doubles = tensor.asRawTensor().data().asDoubles();
            for (int i = 0; i < doubles.size(); i++) {
              predictions[offset + i] = (float) doubles.getDouble(i);
            }
          } else {
            var floats = tensor.asRawTensor().data().asFloats();
            floats.read(predictions, offset, (int) floats.size());
          }
        });
    return predictions;
  }

  /** The primary model output for every example of {@code data}, flat, as doubles. */
  public double[] predictDoubles(Dataset data) {
    double[] predictions = new double[predictionLength(data)];
    predict(
        data,
        (tensor, offset) -> {
          if (tensor instanceof TFloat32) {
            var floats = tensor.asRawTensor().data().asFloats();
            for (int i = 0; i < floats.size(); i++) {
              predictions[offset + i] = floats.getFloat(i);
            }
          } else {
            var doubles = tensor.asRawTensor().data().asDoubles();
            doubles.read(predictions, offset, (int) doubles.size());
          }
        });
    return predictions;
  }

  /** The shape of one example of the primary model output. */
  public long[] predictionShape() {
    long[] shape = graph.prediction().shape().asArray();
    return java.util.Arrays.copyOfRange(shape, 1, shape.length);
  }

  private int predictionLength(Dataset data) {
    long perExample = 1;
    for (long dimension : predictionShape()) {
      if (dimension < 0) {
        throw new IllegalStateException(
            "the model output's shape " + graph.prediction().shape() + " is not fully known");
      }
      perExample *= dimension;
    }
    return Math.toIntExact(perExample * data.size());
  }

  private interface PredictionSink {
    void accept(Tensor output, int offset);
  }

  private void predict(Dataset data, PredictionSink sink) {
    requireOpen();
    Column[] columns = columns(data, "prediction data", false);
    int perExample = predictionLength(data) / Math.max(1, data.size());
    int[] done = {0};
    forEachBatchInOrder(
        data.size(),
        columns,
        batch -> {
          Session.Runner runner = session.runner();
          for (int slot = 0; slot < graph.inputs().size(); slot++) {
            if (columns[slot] != null) {
              runner.feed(graph.placeholders().get(slot), batch.tensor(slot));
            }
          }
          try (Result result = runner.fetch(graph.prediction()).run()) {
            sink.accept(result.get(0), done[0] * perExample);
          }
          done[0] += batch.size();
        });
  }

  private interface BatchAction {
    void run(Batch batch);
  }

  /** Feeds {@code columns} batch by batch in order, the last batch smaller if need be. */
  private void forEachBatchInOrder(int size, Column[] columns, BatchAction action) {
    int batchSize = graph.batchSize();
    for (int from = 0; from < size; from += batchSize) {
      if (closeRequested) {
        throw closedDuring(call);
      }
      Batch current = batchOf(Math.min(batchSize, size - from));
      current.loadRange(columns, from);
      action.run(current);
    }
  }

  /**
   * The column of {@code data} for each input, in input order. Without {@code requireLabels} (for
   * prediction) only the inputs the prediction depends on are needed; the others are {@code null}.
   */
  public Column[] columns(Dataset data, String where, boolean requireLabels) {
    if (data == null) {
      throw new IllegalArgumentException(where + " is null");
    }
    if (data.size() == 0) {
      throw new IllegalArgumentException(where + " is empty");
    }
    Column[] columns = new Column[graph.inputs().size()];
    for (int i = 0; i < columns.length; i++) {
      InputSpec input = graph.inputs().get(i);
      if (requireLabels || graph.predictionInputs().contains(input)) {
        columns[i] = data.columnFor(input, where);
      }
    }
    labelRanges().check(columns, graph.inputs(), where);
    return columns;
  }

  public void resetTrainMetrics() {
    session.run(resetTrainMetrics);
  }

  public Map<String, Double> readTrainMetrics() {
    return read(graph.trainMetrics());
  }

  private Map<String, Double> read(Map<String, MetricState> metrics) {
    Session.Runner runner = session.runner();
    for (MetricState state : metrics.values()) {
      runner.fetch(state.result());
    }
    Map<String, Double> values = new LinkedHashMap<>();
    try (Result result = runner.run()) {
      int index = 0;
      for (String name : metrics.keySet()) {
        values.put(name, ((TFloat64) result.get(index++)).getDouble());
      }
    }
    return values;
  }

  /**
   * Each step's learning rate (of its next update) and, when the loop keeps it ({@code
   * LoopOptions.gradientNorm()}), the global norm of its last update's gradients: {@code
   * learning_rate} and {@code gradient_norm}, prefixed with {@code <step>/} when the loop has
   * several steps. One session run; call it at log intervals.
   */
  public Map<String, Double> stepScalars() {
    requireOpen();
    List<LoopGraph.TrainStep> trainSteps = graph.steps();
    Session.Runner runner = session.runner();
    for (LoopGraph.TrainStep step : trainSteps) {
      runner.fetch(step.learningRate());
      if (step.gradientNorm() != null) {
        runner.fetch(step.gradientNorm());
      }
    }
    Map<String, Double> values = new LinkedHashMap<>();
    try (Result result = runner.run()) {
      int index = 0;
      for (LoopGraph.TrainStep step : trainSteps) {
        String prefix = trainSteps.size() == 1 ? "" : step.name() + "/";
        values.put(prefix + "learning_rate", (double) ((TFloat32) result.get(index++)).getFloat());
        if (step.gradientNorm() != null) {
          values.put(
              prefix + "gradient_norm", (double) ((TFloat32) result.get(index++)).getFloat());
        }
      }
    }
    return values;
  }

  /**
   * The learning rate the step {@code step} will use on its next update, computed from its schedule
   * and update count.
   *
   * @throws IllegalArgumentException naming the steps there are, if there is none of that name
   */
  public double learningRate(String step) {
    requireOpen();
    for (LoopGraph.TrainStep trainStep : graph.steps()) {
      if (trainStep.name().equals(step)) {
        try (Result result = session.runner().fetch(trainStep.learningRate()).run()) {
          return ((TFloat32) result.get(0)).getFloat();
        }
      }
    }
    throw new IllegalArgumentException(
        "no step '"
            + step
            + "'; the steps are "
            + graph.steps().stream().map(LoopGraph.TrainStep::name).toList());
  }

  /** Training steps run since the loop was created. */
  public long globalStep() {
    requireOpen();
    try (Result result = session.runner().fetch(graph.globalStep()).run()) {
      return ((TInt64) result.get(0)).getLong();
    }
  }

  /**
   * The first floating-point variable (weight, model state or optimizer slot) holding a NaN or an
   * infinity, or {@code null} if all are finite. One session run over every variable: for
   * checkpoints, not steps.
   */
  public String firstNonFiniteVariable() {
    requireOpen();
    if (finiteChecks == null) {
      Ops tf = tf().withSubScope("finite_checks");
      finiteChecks = new LinkedHashMap<>();
      for (VariableStore.Variable<?> variable : graph.variables().all()) {
        if (variable.kind() != VariableStore.Kind.METRIC
            && variable.kind() != VariableStore.Kind.MONITOR
            && (variable.type() == TFloat32.class || variable.type() == TFloat64.class)) {
          finiteChecks.put(
              variable.name(), NonFiniteGuard.allFinite(tf, variable.read().asOutput()));
        }
      }
    }
    if (finiteChecks.isEmpty()) {
      return null;
    }
    Session.Runner runner = session.runner();
    finiteChecks.values().forEach(runner::fetch);
    try (Result result = runner.run()) {
      int index = 0;
      for (String name : finiteChecks.keySet()) {
        if (!((TBool) result.get(index++)).getBoolean()) {
          return name;
        }
      }
    }
    return null;
  }

  /** A copy of the trainable variables and model state; see {@link WeightSnapshot}. */
  public WeightSnapshot snapshotWeights() {
    requireOpen();
    return weightCopies().snapshot(batchesTrained);
  }

  /** Puts the weights and model state of {@code snapshot} back. */
  public void restoreWeights(WeightSnapshot snapshot) {
    requireOpen();
    weightCopies().restore(snapshot);
  }

  private WeightCopies weightCopies() {
    if (weightCopies == null) {
      weightCopies = new WeightCopies(graph.graph(), session, graph.variables());
    }
    return weightCopies;
  }

  /** The current value of the variable {@code name}, flat, as doubles (for tests and debugging). */
  public double[] variableValues(String name) {
    requireOpen();
    VariableStore.Variable<?> variable = graph.variables().find(name);
    if (variable == null) {
      throw new IllegalArgumentException("no variable '" + name + "'");
    }
    try (Result result =
        session.runner().fetch(tf().dtypes.cast(variable.read(), TFloat64.class)).run()) {
      TFloat64 values = (TFloat64) result.get(0);
      double[] copy = new double[(int) values.size()];
      values.asRawTensor().data().asDoubles().read(copy);
      return copy;
    }
  }

  private Ops tf() {
    return Ops.create(graph.graph());
  }

  public int epochsDone() {
    return epochsDone;
  }

  /** Sets the Java-side counters to those of a restored checkpoint. */
  public void restoreProgress(int epochs, long batches) {
    epochsDone = epochs;
    batchesTrained = batches;
  }

  public List<InputSpec> inputs() {
    return graph.inputs();
  }

  public NonFinite nonFinitePolicy() {
    return graph.nonFiniteGuard().policy();
  }

  public List<NonFiniteGuard.StepGuard> nonFiniteGuards() {
    return graph.nonFiniteGuard().steps();
  }

  /** The first non-finite tensor {@code guard} checks, for the batch in {@code batch}; or null. */
  public String firstNonFinite(NonFiniteGuard.StepGuard guard, Batch batch) {
    return guard.firstNonFinite(Ops.create(graph.graph()), batchRunner(batch));
  }

  /** A runner with {@code batch} fed to the inputs and the training flag on. */
  public Session.Runner batchRunner(Batch batch) {
    Session.Runner runner = session.runner();
    for (int slot = 0; slot < graph.inputs().size(); slot++) {
      runner.feed(graph.placeholders().get(slot), batch.tensor(slot));
    }
    return runner.feed(graph.training(), trainingFlag);
  }

  /** Batches skipped as non-finite since the loop was created; 0 unless the policy skips. */
  public long skippedBatches() {
    if (nonFinitePolicy() != NonFinite.SKIP) {
      return 0;
    }
    Session.Runner runner = session.runner();
    List<NonFiniteGuard.StepGuard> guards = nonFiniteGuards();
    guards.forEach(guard -> runner.fetch(guard.skippedBatches()));
    long skipped = 0;
    try (Result result = runner.run()) {
      for (int i = 0; i < guards.size(); i++) {
        skipped += ((TInt64) result.get(i)).getLong();
      }
    }
    return skipped;
  }

  private LabelRanges labelRanges() {
    if (labelRanges == null) {
      labelRanges = new LabelRanges(graph.graph(), graph.inputs(), graph.placeholders());
    }
    return labelRanges;
  }

  private VariableSaver saver() {
    if (saver == null) {
      saver = new VariableSaver(graph.graph(), graph.variables());
    }
    return saver;
  }

  /** Writes every variable to the checkpoint files at {@code prefix}. */
  public void saveVariables(Path prefix) {
    saver().save(session, prefix.toString());
  }

  /** Sets every variable to its value in the checkpoint files at {@code prefix}. */
  public void restoreVariables(Path prefix) {
    saver().restore(session, prefix.toString());
  }

  /** Every variable's name, type and shape, as checkpoints record them. */
  public Map<String, String> variableInventory() {
    return saver().inventory();
  }

  /**
   * Exports the model as a SavedModel in {@code directory}, which must not exist: the prediction's
   * graph from the feature inputs, with the weights as they are now frozen into constants, and a
   * {@code serving_default} signature from each feature's name to {@code output}. See {@link
   * SavedModelExport}.
   */
  public void exportSavedModel(Path directory) {
    requireOpen();
    Map<String, String> inputs = new LinkedHashMap<>();
    for (int slot = 0; slot < graph.inputs().size(); slot++) {
      if (graph.inputs().get(slot).role() == InputSpec.Role.FEATURE) {
        inputs.put(graph.inputs().get(slot).name(), graph.placeholders().get(slot).op().name());
      }
    }
    List<VariableStore.Variable<?>> frozen = graph.variables().weights();
    Session.Runner runner = session.runner();
    frozen.forEach(variable -> runner.fetch(variable.read()));
    try (Result values = runner.run()) {
      Map<String, Tensor> byOp = new LinkedHashMap<>();
      for (int i = 0; i < frozen.size(); i++) {
        byOp.put(frozen.get(i).read().op().name(), values.get(i));
      }
      SavedModelExport.export(
          graph.graph(),
          inputs,
          Map.entry("output", graph.prediction().op().name()),
          byOp,
          directory,
          options.precision() != Precision.FLOAT32);
    }
  }

  /** The value of every trainable variable, flat, as floats; one session run. */
  public Map<String, float[]> trainableWeights() {
    requireOpen();
    List<VariableStore.Variable<?>> trainable =
        graph.variables().ofKind(VariableStore.Kind.TRAINABLE);
    if (weightsAsFloats == null) {
      weightsAsFloats = new ArrayList<>();
      for (VariableStore.Variable<?> variable : trainable) {
        weightsAsFloats.add(tf().dtypes.cast(numeric(variable.read()), TFloat32.class));
      }
    }
    Session.Runner runner = session.runner();
    weightsAsFloats.forEach(runner::fetch);
    Map<String, float[]> weights = new LinkedHashMap<>();
    try (Result result = runner.run()) {
      for (int i = 0; i < trainable.size(); i++) {
        var values = ((TFloat32) result.get(i)).asRawTensor().data().asFloats();
        float[] flat = new float[(int) values.size()];
        values.read(flat);
        weights.put(trainable.get(i).name(), flat);
      }
    }
    return weights;
  }

  @SuppressWarnings("unchecked")
  private static Operand<? extends TNumber> numeric(Operand<?> operand) {
    return (Operand<? extends TNumber>) operand;
  }

  public void epochDone() {
    epochsDone++;
  }

  String stepName(int index) {
    return graph.steps().get(index).name();
  }

  /**
   * Starts {@code call} (for example {@code "fit"}) on the calling thread: the engine's other
   * public methods may be called until the matching {@link #exit}. The thread already inside a call
   * may enter again (a listener calling back into the loop); any other thread is refused.
   *
   * @throws IllegalStateException if another thread is inside a call, naming that call and thread,
   *     or if the loop is closed or closing
   */
  public void enter(String call) {
    Thread current = Thread.currentThread();
    if (caller.get() == current) {
      depth++;
      return;
    }
    if (!caller.compareAndSet(null, current)) {
      throw busy(call);
    }
    if (closeRequested) {
      caller.set(null);
      signalCallEnded();
      throw closedException(call);
    }
    this.call = call;
    this.depth = 1;
  }

  /**
   * Ends the call the calling thread entered last. When the outermost call ends after {@link
   * #close} was asked for during it, frees everything.
   */
  public void exit() {
    if (caller.get() != Thread.currentThread()) {
      return; // enter failed: nothing to end
    }
    if (--depth > 0) {
      return;
    }
    call = null;
    if (closeRequested && !closed) {
      release();
    }
    caller.set(null);
    if (closeRequested) {
      signalCallEnded();
    }
  }

  /**
   * Whether {@link #close} was asked for while a call runs: long calls (a fit, an evaluation) check
   * it between batches and end with {@link #closedDuring}.
   */
  public boolean closeRequested() {
    return closeRequested;
  }

  /** The exception a call that stopped because the loop was closed ends with. */
  public IllegalStateException closedDuring(String what) {
    return new IllegalStateException(
        graph.name()
            + "Loop was closed during "
            + what
            + "; it stopped after its last complete batch and frees its session now");
  }

  private IllegalStateException busy(String attempted) {
    if (closeRequested) {
      return closedException(attempted);
    }
    Thread owner = caller.get();
    String running = call;
    return new IllegalStateException(
        graph.name()
            + "Loop."
            + attempted
            + " called while "
            + (running == null ? "another call" : running)
            + " is running on thread '"
            + (owner == null ? "?" : owner.getName())
            + "': a loop runs one call at a time; use one loop per thread, or wait for the"
            + " call to return");
  }

  private IllegalStateException closedException(String attempted) {
    return new IllegalStateException(
        graph.name() + "Loop." + attempted + " called after close(): the loop is closed");
  }

  /** Throws unless the calling thread is inside a call of this open loop. */
  private void requireOpen() {
    if (caller.get() != Thread.currentThread()) {
      throw closed ? closedException("call") : busy("call");
    }
  }

  private void signalCallEnded() {
    synchronized (callEnded) {
      callEnded.notifyAll();
    }
  }

  /**
   * Frees the session, the graph and every tensor; the loop cannot be used afterwards. If a call is
   * running on another thread, asks it to stop at its next batch and waits until it has; from
   * inside a call (a listener), frees everything when that call returns.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closeRequested = true;
    Thread current = Thread.currentThread();
    if (caller.get() == current) {
      return; // released by the outermost exit
    }
    boolean interrupted = false;
    synchronized (callEnded) {
      while (!closed && !caller.compareAndSet(null, current)) {
        try {
          callEnded.wait(100);
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    }
    if (!closed) {
      release();
      caller.set(null);
    }
    signalCallEnded();
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Registers {@code resource} to be closed with the loop, before its session. */
  public void closeWith(AutoCloseable resource) {
    alsoClose.add(resource);
  }

  private void release() {
    closed = true;
    for (AutoCloseable resource : alsoClose) {
      closeQuietly(resource);
    }
    for (Program program : steps) {
      program.close();
    }
    for (Program program : stepsWithLoss) {
      program.close();
    }
    evaluation.close();
    if (inGraph != null) {
      inGraph.close();
    }
    batch.close();
    otherBatches.values().forEach(Batch::close);
    otherBatches.clear();
    trainingFlag.close();
    session.close();
    NativeResources.sessionClosed();
    graph.graph().close();
  }

  private static void closeQuietly(AutoCloseable resource) {
    try {
      resource.close();
    } catch (Exception ignored) {
      // already failing: the first exception is the one to report
    }
  }
}
