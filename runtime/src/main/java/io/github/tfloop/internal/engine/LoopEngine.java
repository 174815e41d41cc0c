package io.github.tfloop.internal.engine;

import io.github.tfloop.checkpoint.CheckpointStore;
import io.github.tfloop.checkpoint.VariableSaver;
import io.github.tfloop.data.Column;
import io.github.tfloop.data.DataStream;
import io.github.tfloop.data.Dataset;
import io.github.tfloop.data.InputSpec;
import io.github.tfloop.export.SavedModelExport;
import io.github.tfloop.graph.VariableStore;
import io.github.tfloop.internal.build.LoopGraph;
import io.github.tfloop.internal.build.NonFiniteGuard;
import io.github.tfloop.internal.session.Batch;
import io.github.tfloop.internal.session.BatchStream;
import io.github.tfloop.internal.session.ClusterSession;
import io.github.tfloop.internal.session.NativeProgram;
import io.github.tfloop.internal.session.Program;
import io.github.tfloop.internal.session.ProgramSpec;
import io.github.tfloop.internal.session.RunnerProgram;
import io.github.tfloop.internal.session.TensorFlowFailures;
import io.github.tfloop.metrics.MetricState;
import io.github.tfloop.nn.ModelSummary;
import io.github.tfloop.train.Evaluation;
import io.github.tfloop.train.Execution;
import io.github.tfloop.train.LoopOptions;
import io.github.tfloop.train.NativeResources;
import io.github.tfloop.train.NonFinite;
import io.github.tfloop.train.NonFiniteException;
import io.github.tfloop.train.Precision;
import io.github.tfloop.train.TrainingException;
import io.github.tfloop.train.WeightSnapshot;
import io.github.tfloop.weights.InitialWeights;
import io.github.tfloop.weights.WeightPlan;
import io.github.tfloop.weights.WeightTarget;
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
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
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
  private static final System.Logger WEIGHTS_LOG = System.getLogger("io.github.tfloop.weights");

  /** Begins the message of a failed {@code CheckNumerics} op ({@code debugNumerics}). */
  private static final String NUMERICS = "Tensor had ";

  private final LoopGraph graph;
  private final LoopOptions options;
  private final Session session;
  private final List<InputSpec> features = new ArrayList<>();
  private final Tensor trainingFlag;
  private final Program[] steps;
  private final Program[] stepsWithLoss;

  /**
   * With gradient accumulation, each step's program of a batch that only accumulates; else null.
   */
  private final Program[] accumulating;

  private final Program[] accumulatingWithLoss;
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
  private VariableSaver weightsSaver;
  private LabelRanges labelRanges;
  private List<Operand<TFloat32>> weightsAsFloats;
  private long batchesTrained;
  private Map<String, ScaleAssignment> scaleAssignments;

  // One caller at a time; see enter, exit and close.
  private final AtomicReference<Thread> caller = new AtomicReference<>();
  private final Object callEnded = new Object();
  private String call;
  private int depth;
  private volatile boolean closeRequested;
  private volatile boolean closed;
  private final List<AutoCloseable> alsoClose = new ArrayList<>();

  /**
   * Opens a session on {@code graph}, initialises every variable and loads the pretrained weights
   * the graph plans, if any.
   */
  public LoopEngine(LoopGraph graph, LoopOptions options) {
    this.graph = graph;
    this.options = options;
    this.trainsInGraph =
        options.stepsPerExecution() >= 2
            && options.accumulate() == 1
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
      if (options.cluster() == null) {
        opened.run(graph.initialize());
      } else {
        ClusterSession.initialize(
            opened,
            graph.initialize(),
            options.cluster(),
            graph.name() + ", " + options.cluster().describeTask());
      }
      if (graph.initialWeights() != null) {
        // After the initialisers, before anything trains; resume restores its checkpoint later.
        graph.initialWeights().load(opened);
        WEIGHTS_LOG.log(
            System.Logger.Level.INFO,
            "{0}: {1}",
            graph.name(),
            graph.initialWeights().plan().report().stripTrailing());
      }
      this.session = opened;
      this.trainingFlag = TBool.scalarOf(true);
      created.add(trainingFlag);
      Ops tf = Ops.create(graph.graph());
      this.resetTrainMetrics = group(tf, "reset_train_metrics", graph.trainMetrics());
      this.resetEvalMetrics = group(tf, "reset_eval_metrics", graph.evalMetrics());

      int stepCount = graph.steps().size();
      this.steps = new Program[stepCount];
      this.stepsWithLoss = new Program[stepCount];
      boolean accumulates = options.accumulate() > 1;
      this.accumulating = accumulates ? new Program[stepCount] : null;
      this.accumulatingWithLoss = accumulates ? new Program[stepCount] : null;
      for (int i = 0; i < stepCount; i++) {
        ProgramSpec spec = trainingProgram(i, false);
        steps[i] = compile(spec);
        created.add(steps[i]);
        Operand<TFloat32> loss = tf.dtypes.cast(graph.steps().get(i).loss(), TFloat32.class);
        stepsWithLoss[i] = compile(spec.withFetch(loss));
        created.add(stepsWithLoss[i]);
        if (accumulates) {
          ProgramSpec accumulate = trainingProgram(i, true);
          accumulating[i] = compile(accumulate);
          created.add(accumulating[i]);
          accumulatingWithLoss[i] = compile(accumulate.withFetch(loss));
          created.add(accumulatingWithLoss[i]);
        }
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
   * Step {@code i}: its update (or, with {@code accumulateOnly}, its accumulation of the batch's
   * gradients), plus the batch's metrics and count on the first step that runs on every batch.
   */
  private ProgramSpec trainingProgram(int i, boolean accumulateOnly) {
    List<Op> targets = new ArrayList<>();
    LoopGraph.TrainStep step = graph.steps().get(i);
    targets.add(accumulateOnly ? step.accumulate() : step.update());
    if (i == countingStep()) {
      targets.addAll(updates(graph.trainMetrics()));
      targets.add(accumulateOnly ? graph.countAccumulatedBatch() : graph.countBatch());
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
        stepTargets.add(trainingProgram(i, false).targets());
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
    if (batch.size() == 0) {
      throw new IllegalArgumentException(
          graph.name() + "Loop.step: the batch has no examples; a step trains on at least one");
    }
    long batchNumber = ++batchesTrained;
    float loss = Float.NaN;
    boolean fetched = false;
    try {
      for (int i = 0; i < steps.length; i++) {
        int every = graph.steps().get(i).every();
        if (batchNumber % every != 0) {
          continue;
        }
        boolean applies = applies(batchNumber / every);
        if (fetched) {
          bind(applies ? steps[i] : accumulating[i], batch).run();
        } else {
          Program program = applies ? stepsWithLoss[i] : accumulatingWithLoss[i];
          loss = bind(program, batch).runAndFetchScalar();
          fetched = true;
        }
      }
    } catch (RuntimeException e) {
      if (!fetched) {
        batchesTrained--; // the first step failed: nothing of this batch was applied or counted
      }
      throw TensorFlowFailures.isFromTensorFlow(e) ? stepFailure(e, batch, batchNumber) : e;
    }
    return loss;
  }

  /**
   * What {@code step()} throws when TensorFlow failed its batch: an {@link
   * IllegalArgumentException} for a label outside its model's classes (naming the input, the
   * example, the value and the range), a {@link NonFiniteException} when the non-finite check
   * refused the batch (naming the step and the first non-finite tensor), else a {@link
   * TrainingException} saying where, with TensorFlow's message.
   */
  private RuntimeException stepFailure(RuntimeException failure, Batch batch, long globalStep) {
    String where = graph.name() + "Loop.step at global step " + globalStep;
    try {
      labelRanges().check(batch, graph.inputs(), where);
    } catch (IllegalArgumentException badLabel) {
      badLabel.initCause(failure);
      return badLabel;
    }
    NonFiniteGuard.StepGuard guard = guardThatFailed(failure);
    if (guard != null) {
      String tensor = firstNonFiniteOrOverflow(guard, batch);
      return new NonFiniteException(
          graph.name()
              + ": step '"
              + guard.stepName()
              + "' met a non-finite value at global step "
              + globalStep
              + " (a step() call): the first is "
              + tensor
              + "; the update was not applied",
          guard.stepName(),
          globalStep,
          0,
          0,
          tensor,
          null,
          failure);
    }
    return new TrainingException(where + " failed: " + failure.getMessage(), failure);
  }

  /**
   * The guard whose assertion or numerics check made {@code failure}, or {@code null} if it came
   * from elsewhere.
   */
  public NonFiniteGuard.StepGuard guardThatFailed(RuntimeException failure) {
    String message = String.valueOf(failure.getMessage());
    List<NonFiniteGuard.StepGuard> guards = nonFiniteGuards();
    for (NonFiniteGuard.StepGuard guard : guards) {
      if (message.contains(NonFiniteGuard.MARKER + guard.stepName() + ">")) {
        return guard;
      }
    }
    if (message.contains(NUMERICS)) {
      for (NonFiniteGuard.StepGuard guard : guards) {
        if (message.contains("{{node " + guard.stepName() + "/")) {
          return guard;
        }
      }
      return guards.isEmpty() ? null : guards.get(0);
    }
    return null;
  }

  /**
   * The first non-finite tensor {@code guard} checks on {@code batch}; when all are finite, only
   * the sum of the gradients' squares overflowed, and that is what it says.
   */
  public String firstNonFiniteOrOverflow(NonFiniteGuard.StepGuard guard, Batch batch) {
    String tensor = firstNonFinite(guard, batch);
    if (tensor != null) {
      return tensor;
    }
    return "the global gradient norm of step '"
        + guard.stepName()
        + "' (infinite: every gradient is finite, but the sum of their squares overflows)";
  }

  /** Runs every step due on this batch without reading anything back. */
  public void trainStepWithoutFetch(Batch batch) {
    long batchNumber = ++batchesTrained;
    for (int i = 0; i < steps.length; i++) {
      int every = graph.steps().get(i).every();
      if (batchNumber % every == 0) {
        bind(applies(batchNumber / every) ? steps[i] : accumulating[i], batch).run();
      }
    }
  }

  /**
   * Whether a step's {@code run}-th run (from 1) applies an update: every run, or with gradient
   * accumulation over {@code n} batches every {@code n}-th (the others only accumulate).
   */
  private boolean applies(long run) {
    return accumulating == null || run % options.accumulate() == 0;
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

  /**
   * Loss and metrics over every example of {@code data}, which needs every input's column; a
   * streamed dataset is read in file order, once.
   */
  public Evaluation evaluate(Dataset data) {
    requireOpen();
    if (data != null && data.isStreamed()) {
      return evaluate(data.stream(), 0);
    }
    return evaluate(data, columns(data, "evaluation data", true));
  }

  /**
   * Loss and metrics over the first {@code maxBatches} batches of {@code stream} (all of it for 0),
   * read in file order, once.
   */
  public Evaluation evaluate(DataStream stream, int maxBatches) {
    requireOpen();
    session.run(resetEvalMetrics);
    long examples = 0;
    int done = 0;
    try (BatchStream batches =
        new BatchStream(stream, graph.inputs(), graph.batchSize(), this::batchOf)) {
      batches.start(new DataStream.Epoch(graph.seed(), 1, false, 0, -1), false);
      while ((maxBatches == 0 || done < maxBatches) && batches.hasNext()) {
        if (closeRequested) {
          throw closedDuring(call);
        }
        Batch current = batches.next();
        bind(evaluation, current).run();
        examples += current.size();
        done++;
      }
    }
    if (examples == 0) {
      throw new IllegalArgumentException("evaluation data is empty: " + stream);
    }
    return new Evaluation(read(graph.evalMetrics()), (int) Math.min(Integer.MAX_VALUE, examples));
  }

  /** Loss and metrics over every example of {@code data}, whose {@link #columns} are given. */
  public Evaluation evaluate(Dataset data, Column[] columns) {
    return evaluate(data, columns, 0);
  }

  /**
   * Loss and metrics over the first {@code maxBatches} batches of {@code data} (all of it for 0),
   * whose {@link #columns} are given.
   */
  public Evaluation evaluate(Dataset data, Column[] columns, int maxBatches) {
    requireOpen();
    session.run(resetEvalMetrics);
    int examples =
        maxBatches > 0
            ? (int) Math.min(data.size(), (long) maxBatches * graph.batchSize())
            : data.size();
    forEachBatchInOrder("evaluating", examples, columns, batch -> bind(evaluation, batch).run());
    return new Evaluation(read(graph.evalMetrics()), examples);
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
    if (data != null && data.isStreamed()) {
      throw streamed(data, "prediction data");
    }
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
        "predicting",
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

  /**
   * Feeds {@code columns} batch by batch in order, the last batch smaller if need be.
   *
   * @param doing what the batches are for, such as {@code "evaluating"}, for messages
   * @throws TrainingException if TensorFlow fails a batch, naming its examples
   */
  private void forEachBatchInOrder(String doing, int size, Column[] columns, BatchAction action) {
    int batchSize = graph.batchSize();
    for (int from = 0; from < size; from += batchSize) {
      if (closeRequested) {
        throw closedDuring(call);
      }
      int examples = Math.min(batchSize, size - from);
      Batch current = batchOf(examples);
      current.loadRange(columns, from);
      try {
        action.run(current);
      } catch (RuntimeException e) {
        if (!TensorFlowFailures.isFromTensorFlow(e)) {
          throw e;
        }
        throw new TrainingException(
            graph.name()
                + ": "
                + doing
                + " examples "
                + from
                + " to "
                + (from + examples - 1)
                + " of "
                + size
                + " (a batch of "
                + examples
                + ") failed: "
                + e.getMessage(),
            e);
      }
    }
  }

  /** The exception for a streamed dataset where its values must be in memory: prediction. */
  private static IllegalArgumentException streamed(Dataset data, String where) {
    return new IllegalArgumentException(
        where
            + " is streamed from files ("
            + data.stream()
            + "); predict needs its examples in memory: read them with IdxFile.dataset or"
            + " CsvTable.dataset");
  }

  /**
   * The column of {@code data} for each input, in input order. Without {@code requireLabels} (for
   * prediction) only the inputs the prediction depends on are needed; the others are {@code null}.
   */
  public Column[] columns(Dataset data, String where, boolean requireLabels) {
    if (data == null) {
      throw new IllegalArgumentException(where + " is null");
    }
    if (data.isStreamed()) {
      throw streamed(data, where);
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

  /** The names of the loop's steps, in the order they run. */
  public List<String> stepNames() {
    List<String> names = new ArrayList<>();
    graph.steps().forEach(step -> names.add(step.name()));
    return names;
  }

  /**
   * Each step's learning rate of its next update, as an epoch's log records it: {@code
   * learning_rate}, or {@code <step>/learning_rate} with several steps. One session run.
   */
  public Map<String, Double> learningRates() {
    requireOpen();
    Session.Runner runner = session.runner();
    graph.steps().forEach(step -> runner.fetch(step.learningRate()));
    Map<String, Double> rates = new LinkedHashMap<>();
    try (Result result = runner.run()) {
      for (int i = 0; i < graph.steps().size(); i++) {
        rates.put(
            learningRateName(graph.steps().get(i).name()),
            (double) ((TFloat32) result.get(i)).getFloat());
      }
    }
    return rates;
  }

  private String learningRateName(String step) {
    return graph.steps().size() == 1 ? "learning_rate" : step + "/learning_rate";
  }

  /**
   * The names of the values each epoch's log of a fit holds, in the order it holds them: each loss
   * and metric, {@code skipped_batches} when non-finite batches are skipped, the same with {@code
   * val_} before them when the fit has validation data, then each step's learning rate.
   */
  public List<String> reportedNames(boolean withValidation) {
    List<String> names = new ArrayList<>(graph.trainMetrics().keySet());
    if (nonFinitePolicy() == NonFinite.SKIP) {
      names.add("skipped_batches");
    }
    if (withValidation) {
      graph.evalMetrics().keySet().forEach(name -> names.add("val_" + name));
    }
    graph.steps().forEach(step -> names.add(learningRateName(step.name())));
    return names;
  }

  /** The losses the steps minimise, by their {@code @Loss} methods' names, in step order. */
  public List<String> lossNames() {
    List<String> names = new ArrayList<>();
    for (LoopGraph.TrainStep step : graph.steps()) {
      if (!names.contains(step.lossName())) {
        names.add(step.lossName());
      }
    }
    return names;
  }

  /** The factor {@code step}'s scheduled learning rate is multiplied by; 1 without a scale. */
  public double learningRateScale(String step) {
    requireOpen();
    LoopGraph.TrainStep trainStep = step(step);
    if (trainStep.learningRateScale() == null) {
      return 1;
    }
    try (Result result = session.runner().fetch(trainStep.learningRateScale().read()).run()) {
      return ((TFloat32) result.get(0)).getFloat();
    }
  }

  /**
   * Sets the factor {@code step}'s scheduled learning rate is multiplied by.
   *
   * @throws IllegalStateException if the loop keeps no scale (no listener adjusts learning rates)
   */
  public void setLearningRateScale(String step, double scale) {
    requireOpen();
    if (!(scale > 0) || Double.isInfinite(scale)) {
      throw new IllegalArgumentException(
          "a learning-rate scale must be positive and finite, got " + scale);
    }
    LoopGraph.TrainStep trainStep = step(step);
    if (trainStep.learningRateScale() == null) {
      throw new IllegalStateException(
          graph.name()
              + ": the learning rate of step '"
              + step
              + "' has no scale in the graph: a listener that sets it must say so in"
              + " adjustsLearningRate() (it is read when the loop is created)");
    }
    if (scaleAssignments == null) {
      scaleAssignments = new LinkedHashMap<>();
    }
    ScaleAssignment assignment =
        scaleAssignments.computeIfAbsent(step, name -> ScaleAssignment.of(tf(), trainStep));
    try (TFloat32 value = TFloat32.scalarOf((float) scale)) {
      session.runner().feed(assignment.value(), value).addTarget(assignment.assign()).run().close();
    }
  }

  /** A placeholder and the op that assigns it to a step's learning-rate scale. */
  private record ScaleAssignment(Operand<TFloat32> value, Op assign) {
    static ScaleAssignment of(Ops tf, LoopGraph.TrainStep step) {
      Ops scope = tf.withSubScope(step.name()).withSubScope("set_learning_rate_scale");
      Operand<TFloat32> value =
          scope.withName("value").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
      return new ScaleAssignment(
          value, scope.assignVariableOp(step.learningRateScale().handle(), value));
    }
  }

  private LoopGraph.TrainStep step(String step) {
    for (LoopGraph.TrainStep trainStep : graph.steps()) {
      if (trainStep.name().equals(step)) {
        return trainStep;
      }
    }
    throw new IllegalArgumentException("no step '" + step + "'; the steps are " + stepNames());
  }

  /** The loop's models, layer by layer. */
  public ModelSummary summary() {
    return graph.summary();
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

  /**
   * Writes {@code snapshot} to checkpoint files at {@code prefix} ({@code <prefix>.index}, {@code
   * <prefix>.data-*}), so that a listener's copy of the weights travels with a checkpoint.
   */
  public void saveSnapshot(WeightSnapshot snapshot, Path prefix) {
    requireOpen();
    weightCopies().save(snapshot, prefix);
  }

  /** Reads back a snapshot {@link #saveSnapshot} wrote, taken at {@code globalStep}. */
  public WeightSnapshot loadSnapshot(Path prefix, long globalStep) {
    requireOpen();
    return weightCopies().load(prefix, globalStep);
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

  /**
   * Writes the model's weights alone, the trainable variables and the model state (no optimizer
   * state, no counters), to {@code <prefix>.index} and {@code <prefix>.data-00000-of-00001}: a
   * TensorFlow checkpoint (a {@code SaveV2} bundle) holding each variable under its name, which
   * {@link #loadWeights}, TensorFlow's {@code RestoreV2} and Python's {@code
   * tf.train.load_checkpoint} read. The parent directory is created if need be; files of that
   * prefix are replaced.
   *
   * @throws IllegalArgumentException if {@code prefix} is an existing directory
   */
  public void saveWeights(Path prefix) {
    requireOpen();
    if (java.nio.file.Files.isDirectory(prefix)) {
      throw new IllegalArgumentException(
          prefix
              + " is a directory; saveWeights takes a file prefix, such as "
              + prefix.resolve("weights")
              + " (it writes weights.index and weights.data-00000-of-00001)");
    }
    Path parent = prefix.toAbsolutePath().getParent();
    try {
      java.nio.file.Files.createDirectories(parent);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(
          "cannot create " + parent + " to save weights: " + e.getMessage(), e);
    }
    if (weightsSaver == null) {
      weightsSaver = new VariableSaver(graph.graph(), graph.variables().weights(), "weights");
    }
    weightsSaver.save(session, prefix.toString());
  }

  /**
   * Sets the model's weights (trainable variables and model state) from {@code weights}: a prefix
   * {@link #saveWeights} wrote, a checkpoint directory a fit wrote ({@code ckpt-<n>}, verified
   * against its manifest first), or anything {@link io.github.tfloop.weights.WeightSource#open}
   * reads, mapped as {@code weights} says. Optimizer state and counters are left as they are. Every
   * mismatch (a weight missing, another shape or type) is reported before any weight changes.
   *
   * @return what was loaded into what
   * @throws io.github.tfloop.weights.WeightMappingException listing every mismatch
   * @throws io.github.tfloop.weights.WeightFileException if the file cannot be read
   * @throws io.github.tfloop.checkpoint.CheckpointException if a checkpoint directory fails
   *     verification
   */
  public WeightPlan loadWeights(InitialWeights weights) {
    requireOpen();
    Path file = weights.file();
    if (java.nio.file.Files.isRegularFile(file.resolve(CheckpointStore.MANIFEST))) {
      try {
        CheckpointStore.verify(file);
      } catch (java.io.IOException | RuntimeException e) {
        throw new io.github.tfloop.checkpoint.CheckpointException(
            "cannot load weights from checkpoint " + file + ": " + e.getMessage(),
            file,
            e instanceof java.io.IOException io ? io : new java.io.IOException(e));
      }
    }
    List<WeightTarget> targets = new ArrayList<>();
    Map<String, Operand<?>> handles = new LinkedHashMap<>();
    for (VariableStore.Variable<?> variable : graph.variables().weights()) {
      targets.add(WeightTarget.of(variable.name(), variable.type(), variable.shape()));
      handles.put(variable.name(), variable.handle());
    }
    WeightPlan plan = weights.plan(targets);
    weights.load(session, plan, handles);
    return plan;
  }

  /** Every variable's name, type and shape, as checkpoints record them. */
  public Map<String, String> variableInventory() {
    return saver().inventory();
  }

  /**
   * Exports the model as a SavedModel in {@code directory}, which must not exist: the prediction's
   * graph as {@code predict} runs it (the training flag fixed to false, so no dropout, augmentation
   * or batch statistics, and no global step), from the features it reads, with the weights and
   * model state as they are now frozen into constants, and a {@code serving_default} signature from
   * each of those features' names to {@code output}. See {@link SavedModelExport}.
   */
  public void exportSavedModel(Path directory) {
    requireOpen();
    Map<String, String> inputs = new LinkedHashMap<>();
    for (int slot = 0; slot < graph.inputs().size(); slot++) {
      // only the features the prediction reads: a GAN's generator is served without real samples
      if (graph.predictionInputs().contains(graph.inputs().get(slot))) {
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
          Map.of(graph.training().op().name(), false),
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
    if (accumulating != null) {
      for (int i = 0; i < accumulating.length; i++) {
        accumulating[i].close();
        accumulatingWithLoss[i].close();
      }
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
