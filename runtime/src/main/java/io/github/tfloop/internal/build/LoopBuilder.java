package io.github.tfloop.internal.build;

import io.github.tfloop.data.InputSpec;
import io.github.tfloop.distributed.Cluster;
import io.github.tfloop.gradients.MissingGradients;
import io.github.tfloop.graph.VariableStore;
import io.github.tfloop.graph.VariableStore.Kind;
import io.github.tfloop.graph.VariableStore.Variable;
import io.github.tfloop.metrics.Metric;
import io.github.tfloop.metrics.MetricContext;
import io.github.tfloop.metrics.MetricState;
import io.github.tfloop.metrics.WeightedMean;
import io.github.tfloop.nn.Layers;
import io.github.tfloop.nn.ModelSummary;
import io.github.tfloop.optim.UpdateContext;
import io.github.tfloop.train.LoopOptions;
import io.github.tfloop.train.TensorFlowLogs;
import io.github.tfloop.weights.InitialWeights;
import io.github.tfloop.weights.WeightPlan;
import io.github.tfloop.weights.WeightTarget;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gradients;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.SwitchCond;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TNumber;
import org.tensorflow.types.family.TType;

/**
 * Builds a loop's graph, once, as the generated {@code create} method declares it: inputs, the
 * models' outputs, losses, metrics and steps; then {@link #build()} adds gradients and optimizer
 * updates, and returns the {@link LoopGraph} a {@code Trainer} runs.
 */
public final class LoopBuilder {

  private final String loopName;
  private final int batchSize;
  private final long seed;
  private final LoopOptions options;
  private final Graph graph;
  private final Ops tf;
  private final VariableStore store;
  private final Operand<TBool> training;
  private final Variable<TInt64> globalStep;
  private final Map<InputSpec, Operand<?>> inputs = new LinkedHashMap<>();
  private final Map<String, Operand<? extends TNumber>> outputs = new LinkedHashMap<>();
  private final Map<String, Operand<? extends TNumber>> losses = new LinkedHashMap<>();
  private final List<MetricBinding> metrics = new ArrayList<>();
  private final List<StepSpec> steps = new ArrayList<>();
  private final Map<String, Layers> modelLayers = new LinkedHashMap<>();
  private final NonFiniteGuard nonFiniteGuard;
  private final ClusterPlacement placement;
  private final SyncReplicasGraph syncReplicas;

  private record MetricBinding(
      Metric metric, Operand<? extends TNumber> predictions, Operand<? extends TNumber> labels) {}

  private LoopBuilder(String loopName, int batchSize, long declaredSeed, LoopOptions options) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be positive, got " + batchSize);
    }
    Cluster cluster = options.cluster();
    if (cluster != null) {
      ClusterPlacement.requireTrainable(loopName, cluster, options);
    }
    this.loopName = loopName;
    // On a cluster, each worker trains on its share of the (global) batch.
    int globalBatch = options.batchSize().orElse(batchSize);
    this.batchSize =
        cluster == null
            ? globalBatch
            : ClusterPlacement.replicaBatch(loopName, globalBatch, cluster);
    this.options = options;
    this.seed = options.seed().orElse(declaredSeed);
    MixedPrecision.check(loopName, options);
    MissingGradients.register();
    this.graph = new Graph();
    Ops root = Ops.create(graph);
    this.placement = cluster == null ? null : new ClusterPlacement(cluster, options.device());
    if (placement != null) {
      this.tf = root.withDevice(placement.compute());
      this.store = new VariableStore(tf, placement);
      this.syncReplicas = new SyncReplicasGraph(root, placement, loopName, cluster);
    } else {
      this.tf = options.device() == null ? root : root.withDevice(Devices.parse(options.device()));
      this.store = new VariableStore(tf);
      this.syncReplicas = null;
    }
    store.freeze(options.frozen());
    store.multiplyLearningRate(options.learningRateMultipliers());
    this.nonFiniteGuard =
        new NonFiniteGuard(graph, store, options.nonFinite(), options.debugNumerics() != null);
    this.training =
        tf.withName("training").placeholderWithDefault(tf.constant(false), Shape.scalar());
    this.globalStep =
        store.create(
            "global_step", "loop", Kind.OPTIMIZER, TInt64.class, Shape.scalar(), tf.constant(0L));
  }

  /**
   * Starts the graph of the loop generated for {@code loopName}.
   *
   * @param declaredSeed the seed of {@code @TrainingLoop}, unless the options override it
   */
  public static LoopBuilder create(
      String loopName, int batchSize, long declaredSeed, LoopOptions options) {
    // Before the first graph loads TensorFlow's library: its start-up log lines (JDK 22+).
    TensorFlowLogs.quiet();
    return new LoopBuilder(loopName, batchSize, declaredSeed, options);
  }

  /** Every TensorFlow operation, for {@code @Loss} methods. */
  public Ops ops() {
    return tf;
  }

  /** The placeholder of {@code input}: a batch of its examples, batch size left open. */
  public <T extends TType> Operand<T> input(InputSpec input, Class<T> type) {
    if (input.dtype().tensorType() != type) {
      throw new IllegalArgumentException(input + " cannot be fed as " + type.getSimpleName());
    }
    if (inputs.containsKey(input)) {
      throw new IllegalArgumentException(input + " is declared twice");
    }
    Placeholder<T> placeholder =
        tf.withName(input.name()).placeholder(type, Placeholder.shape(input.batchShape(-1)));
    inputs.put(input, placeholder);
    return placeholder;
  }

  /**
   * The layers of the {@code @Model} method {@code model}, whose variables form its group; in a
   * mixed-precision loop they compute in its low precision.
   */
  public Layers layers(String model) {
    Layers layers =
        new Layers(
            tf.withSubScope(model),
            store,
            model,
            training,
            globalStep.read(),
            seed,
            MixedPrecision.computeType(options.precision()));
    // A model built again (a GAN's discriminator on real and generated data) shares the first
    // build's variables: the summary lists its first build.
    modelLayers.putIfAbsent(model, layers);
    return layers;
  }

  /**
   * Records {@code output} as what {@code model} computes; the first one is what predict returns.
   */
  public <T extends TNumber> Operand<T> output(String model, Operand<T> output) {
    requireNotNull(output, "@Model " + model);
    outputs.put(model, output);
    return output;
  }

  /**
   * Records the scalar loss {@code name}.
   *
   * @throws IllegalArgumentException if it is not a scalar
   */
  public <T extends TNumber> Operand<T> loss(String name, Operand<T> loss) {
    requireNotNull(loss, "@Loss " + name);
    Shape shape = loss.shape();
    if (!shape.isUnknown() && shape.numDimensions() != 0) {
      throw new IllegalArgumentException(
          "@Loss "
              + name
              + " must return a scalar, but its result has shape "
              + shape
              + "; reduce it over the batch, for example with tf.math.mean");
    }
    if (loss.type() != TFloat32.class && loss.type() != org.tensorflow.types.TFloat64.class) {
      throw new IllegalArgumentException(
          "@Loss " + name + " must be TFloat32 or TFloat64, got " + loss.type().getSimpleName());
    }
    losses.put(name, loss);
    return loss;
  }

  /**
   * Computes {@code metric} from {@code predictions} and {@code labels} in training and evaluation.
   */
  public void metric(
      Metric metric, Operand<? extends TNumber> predictions, Operand<? extends TNumber> labels) {
    metrics.add(new MetricBinding(metric, predictions, labels));
  }

  /** Adds a training step; steps run in the order they are added. */
  public void step(StepSpec step) {
    step.requireComplete();
    if (!losses.containsKey(step.loss())) {
      throw new IllegalArgumentException(
          "step '"
              + step.name()
              + "' minimises '"
              + step.loss()
              + "', which is not a loss; the"
              + " losses are "
              + losses.keySet());
    }
    steps.add(step);
  }

  /**
   * Adds gradients and optimizer updates: the finished graph, which {@code Trainer.start} opens.
   *
   * @throws IllegalStateException if nothing can be trained
   */
  public LoopGraph build() {
    if (outputs.isEmpty() || losses.isEmpty() || steps.isEmpty()) {
      throw new IllegalStateException(loopName + " needs a model output, a loss and a step");
    }
    if (steps.stream().noneMatch(step -> step.every() == 1)) {
      throw new IllegalStateException(
          loopName + ": at least one step must run on every batch (every = 1)");
    }
    if (syncReplicas != null && steps.size() > 1) {
      throw new IllegalStateException(
          loopName
              + ": training on a cluster supports loops with one"
              + " @Step; this one has "
              + steps.size()
              + ": "
              + steps.stream().map(StepSpec::name).toList());
    }
    List<String> unusedRules = store.unusedRules();
    if (!unusedRules.isEmpty()) {
      throw new IllegalArgumentException(
          loopName
              + ": LoopOptions name what the loop does not have: "
              + String.join("; ", unusedRules)
              + ". Its layers are "
              + layerPaths());
    }
    // Checked now, before any session opens: every mismatch is listed at once.
    LoopGraph.InitialLoad initialLoad = planInitialWeights();
    List<LoopGraph.TrainStep> trainSteps = new ArrayList<>();
    Set<Op> updatesRun = new HashSet<>();
    for (StepSpec step : steps) {
      trainSteps.add(buildStep(step, updatesRun));
    }
    // Counted after the step that runs on every batch has updated everything it reads.
    LoopGraph.TrainStep counting =
        trainSteps.stream().filter(step -> step.every() == 1).findFirst().orElseThrow();
    Op countBatch =
        tf.withControlDependencies(List.of(counting.update()))
            .withName("count_batch")
            .assignAddVariableOp(globalStep.handle(), tf.constant(1L));
    if (syncReplicas != null) {
      syncReplicas.finish(countBatch, globalStep);
    }
    // With accumulation, a batch that only accumulates is counted after its accumulation.
    Op countAccumulated =
        counting.accumulate() == null
            ? null
            : tf.withControlDependencies(List.of(counting.accumulate()))
                .withName("count_accumulated_batch")
                .assignAddVariableOp(globalStep.handle(), tf.constant(1L));

    Map<String, MetricState> trainMetrics =
        buildMetrics("train", countsInMetrics(trainSteps.indexOf(counting)));
    Map<String, MetricState> evalMetrics = buildMetrics("eval", null);

    List<Op> initializers = new ArrayList<>();
    for (Variable<?> variable : store.all()) {
      if (placement == null || placement.initializesHere(variable.kind())) {
        initializers.add(variable.initializer());
      }
    }
    LoopGraph loopGraph =
        new LoopGraph(
            loopName,
            options,
            batchSize,
            seed,
            graph,
            new ArrayList<>(inputs.keySet()),
            new ArrayList<>(inputs.values()),
            training,
            outputs.values().iterator().next(),
            inputsOf(outputs.values().iterator().next()),
            trainSteps,
            countBatch,
            globalStep.read(),
            trainMetrics,
            evalMetrics,
            tf.withControlDependencies(initializers).withName("initialize").noOp(),
            store,
            nonFiniteGuard,
            syncReplicas,
            countAccumulated,
            ModelSummary.of(loopName, new ArrayList<>(modelLayers.values()), store),
            initialLoad);
    return loopGraph;
  }

  /**
   * The plan of the options' initial weights over the loop's weights (trainable variables and model
   * state, frozen or not), or {@code null} if there are none or another process loads them (on a
   * cluster, the chief).
   *
   * @throws io.github.tfloop.weights.WeightMappingException listing every mismatch
   */
  private LoopGraph.InitialLoad planInitialWeights() {
    InitialWeights weights = options.initialWeights();
    Cluster cluster = options.cluster();
    if (weights == null || (cluster != null && !cluster.isChief())) {
      return null;
    }
    List<WeightTarget> targets = new ArrayList<>();
    Map<String, Operand<?>> handles = new LinkedHashMap<>();
    for (Variable<?> variable : store.weights()) {
      targets.add(WeightTarget.of(variable.name(), variable.type(), variable.shape()));
      handles.put(variable.name(), variable.handle());
    }
    WeightPlan plan = weights.plan(targets);
    return new LoopGraph.InitialLoad(weights, plan, handles);
  }

  /** Every layer (a variable's name without its last part), in creation order, for messages. */
  private List<String> layerPaths() {
    Set<String> layers = new java.util.LinkedHashSet<>();
    for (Variable<?> variable : store.weights()) {
      int slash = variable.name().lastIndexOf('/');
      layers.add(slash < 0 ? variable.name() : variable.name().substring(0, slash));
    }
    return new ArrayList<>(layers);
  }

  /** The inputs whose placeholders {@code output} depends on, found by walking the graph back. */
  private Set<InputSpec> inputsOf(Operand<?> output) {
    org.tensorflow.GraphOperation op = (org.tensorflow.GraphOperation) output.op();
    Set<org.tensorflow.GraphOperation> seen = new HashSet<>(graph.subgraphToOps(Set.of(op)));
    seen.add(op); // subgraphToOps leaves out the ops it starts from
    Set<InputSpec> needed = new java.util.LinkedHashSet<>();
    inputs.forEach(
        (input, placeholder) -> {
          if (seen.contains(placeholder.op())) {
            needed.add(input);
          }
        });
    return needed;
  }

  /** Closes the graph of a loop whose building failed. */
  public void abort() {
    graph.close();
  }

  private LoopGraph.TrainStep buildStep(StepSpec step, Set<Op> updatesRun) {
    Ops scope = tf.withSubScope(step.name());
    Operand<? extends TNumber> loss = losses.get(step.loss());
    Operand<? extends TNumber> objective = withPenalties(scope, loss, step.variableGroups());
    List<Variable<?>> candidates = store.trainable(step.variableGroups());
    if (candidates.isEmpty()) {
      long frozen =
          store.ofKind(Kind.TRAINABLE).stream()
              .filter(
                  v -> step.variableGroups().isEmpty() || step.variableGroups().contains(v.group()))
              .filter(Variable::frozen)
              .count();
      throw new IllegalStateException(
          "step '"
              + step.name()
              + "' has no variables to train"
              + (step.variableGroups().isEmpty() ? "" : " in the models " + step.variableGroups())
              + (frozen > 0
                  ? ": all " + frozen + " of its weights are frozen"
                  : step.variableGroups().isEmpty() ? ": the models create none" : ""));
    }
    List<Operand<?>> reads = new ArrayList<>();
    for (Variable<?> variable : candidates) {
      reads.add(variable.read());
    }
    // Float16 keeps small gradients from flushing to zero by scaling the loss (and so every
    // gradient) up, and the gradients back down before they are applied.
    LossScale lossScale =
        MixedPrecision.scalesLoss(options.precision())
            ? LossScale.create(
                tf, store, step.name(), options.initialLossScale(), options.lossScaleGrowthSteps())
            : null;
    Operand<? extends TNumber> differentiated =
        lossScale == null ? objective : lossScale.scale(scope, objective);
    Gradients gradients = scope.withName("gradients").gradients(differentiated, reads);
    List<Variable<?>> trained = new ArrayList<>();
    List<Operand<? extends TNumber>> raw = new ArrayList<>();
    for (int i = 0; i < candidates.size(); i++) {
      Output<?> gradient = gradients.dy(i);
      if (gradient != null) { // null: this loss does not depend on the variable
        trained.add(candidates.get(i));
        raw.add(numeric(gradient));
      }
    }
    if (trained.isEmpty()) {
      throw new IllegalStateException(
          "step '"
              + step.name()
              + "': loss '"
              + step.loss()
              + "' depends on none of "
              + candidates);
    }
    Operand<TBool> scaledFinite = null;
    if (lossScale != null) {
      scaledFinite = lossScale.allFinite(scope, raw);
      raw = lossScale.unscale(scope, raw);
    }
    List<Operand<? extends TNumber>> own = raw;
    Ops updateScope = scope;
    if (syncReplicas != null) {
      // On a cluster the update applies the average of every worker's gradients, once, beside
      // the global step.
      raw = syncReplicas.aggregate(trained, own);
      updateScope = scope.withDevice(placement.coordinator());
    }
    // Model state updates (batch normalisation's moving averages) of the models this step trains,
    // unless an earlier step already runs them.
    List<Op> stateUpdates = new ArrayList<>();
    for (Op update : store.updates(step.variableGroups())) {
      if (updatesRun.add(update)) {
        stateUpdates.add(update);
      }
    }
    // With accumulation, the update applies the mean of the last n batches' gradients.
    GradientAccumulation accumulation = null;
    if (options.accumulate() > 1) {
      accumulation =
          new GradientAccumulation(
              updateScope.withSubScope("accumulation"),
              store,
              step.name(),
              options.accumulate(),
              trained,
              raw,
              stateUpdates);
      raw = accumulation.meanGradients();
      own = raw;
    }
    // The global norm costs a pass over every gradient: only when something reads it.
    boolean keepNorm = options.gradientNorm() || step.clipping().needsGlobalNorm();
    Operand<TFloat32> gradientNorm =
        keepNorm
            ? updateScope
                .withName("gradient_norm")
                .identity(io.github.tfloop.optim.Gradients.globalNorm(updateScope, raw))
            : null;
    List<Operand<? extends TNumber>> clipped = step.clipping().clip(updateScope, raw, gradientNorm);
    // Updates apply only once the loss and that norm (so every gradient) are known to be finite.
    // Under loss scaling an overflowing gradient is routine (the step is skipped, the scale
    // halved): the non-finite check then watches the loss only.
    NonFiniteGuard.StepGuard finite =
        nonFiniteGuard.forStep(
            updateScope, step.name(), loss, gradientNorm, lossScale == null, trained, own);

    Variable<TInt64> iterations =
        store.create(
            step.name() + "/iterations",
            step.name(),
            Kind.OPTIMIZER,
            TInt64.class,
            Shape.scalar(),
            tf.constant(0L));
    Operand<TFloat32> learningRate = step.learningRate().value(updateScope, iterations.read());
    // A listener that adjusts learning rates (ReduceLROnPlateau) scales the schedule's value.
    Variable<TFloat32> scale = null;
    if (options.learningRateScaled()) {
      scale =
          store.create(
              step.name() + "/learning_rate_scale",
              step.name(),
              Kind.OPTIMIZER,
              TFloat32.class,
              Shape.scalar(),
              tf.constant(1f));
      learningRate = updateScope.withName("learning_rate").math.mul(learningRate, scale.read());
    }
    UpdateContext context =
        new UpdateContext(updateScope, store, step.name(), learningRate, iterations.read());
    // Variables with a learning-rate multiplier (LoopOptions.learningRateMultiplier) are updated
    // with their own multiple of the step's learning rate; one context per multiplier.
    Map<Double, UpdateContext> scaledContexts = new LinkedHashMap<>();
    List<Op> updates = new ArrayList<>();
    for (int i = 0; i < trained.size(); i++) {
      double multiplier = trained.get(i).learningRateMultiplier();
      UpdateContext variableContext = multiplier == 1.0 ? context : scaledContexts.get(multiplier);
      if (variableContext == null) {
        variableContext =
            new UpdateContext(
                updateScope,
                store,
                step.name(),
                updateScope.math.mul(learningRate, updateScope.constant((float) multiplier)),
                iterations.read());
        scaledContexts.put(multiplier, variableContext);
      }
      Operand<?> gradient = finite.gate(clipped.get(i));
      if (lossScale != null) {
        gradient = lossScale.gate(updateScope, gradient, scaledFinite);
      }
      updates.add(apply(step, variableContext, trained.get(i), numeric(gradient)));
    }
    // The model state updates (batch normalisation's moving averages) wait for the non-finite
    // check, like the weights: a skipped batch leaves them as they are.
    for (Op update : stateUpdates) {
      updates.add(finite.gateUpdate(updateScope, update));
    }
    // The global norm of this update's gradients, kept for monitoring without a fetch per step.
    Operand<TFloat32> lastNorm = null;
    if (gradientNorm != null) {
      Variable<TFloat32> lastGradientNorm =
          store.create(
              step.name() + "/last_gradient_norm",
              step.name(),
              Kind.MONITOR,
              TFloat32.class,
              Shape.scalar(),
              tf.constant(0f));
      updates.add(updateScope.assignVariableOp(lastGradientNorm.handle(), gradientNorm));
      lastNorm = lastGradientNorm.read();
    }
    Op update =
        finite.done(
            updateScope
                .withControlDependencies(updates)
                .withName("update")
                .assignAddVariableOp(iterations.handle(), updateScope.constant(1L)));
    if (accumulation != null) {
      update = accumulation.reset(update);
    }
    if (lossScale != null) {
      update =
          lossScale.done(
              updateScope, update, lossScale.update(updateScope, scaledFinite), scaledFinite);
    }
    return new LoopGraph.TrainStep(
        step.name(),
        step.loss(),
        loss,
        update,
        trained,
        learningRate,
        lastNorm,
        step.every(),
        accumulation == null ? null : accumulation.accumulate(),
        scale);
  }

  /** {@code loss} plus the regularisation penalties of the models the step trains. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private Operand<? extends TNumber> withPenalties(
      Ops scope, Operand<? extends TNumber> loss, List<String> groups) {
    List<Operand<TFloat32>> penalties = store.penalties(groups);
    if (penalties.isEmpty()) {
      return loss;
    }
    Operand total = scope.math.addN(penalties);
    return scope
        .withName("objective")
        .math
        .add((Operand) loss, scope.dtypes.cast(total, loss.type()));
  }

  @SuppressWarnings("unchecked")
  private static Operand<? extends TNumber> numeric(Operand<?> gradient) {
    return (Operand<? extends TNumber>) gradient;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Op apply(
      StepSpec step,
      UpdateContext context,
      Variable<?> variable,
      Operand<? extends TNumber> gradient) {
    return step.optimizer().apply(context, (Variable) variable, (Operand) gradient);
  }

  /**
   * Whether a training batch counts in the epoch's loss and metrics, or {@code null} if every batch
   * does. Under {@link io.github.tfloop.train.NonFinite#SKIP}, a batch counts when every loss is
   * finite and the step that runs on every batch (number {@code countingStep}) applied its update;
   * on a cluster, where that is known only on the chief once every worker's gradients are in, when
   * every loss of this worker's share is finite.
   */
  private Operand<TBool> countsInMetrics(int countingStep) {
    if (nonFiniteGuard.policy() != io.github.tfloop.train.NonFinite.SKIP) {
      return null;
    }
    Ops scope = tf.withSubScope("train_metrics_gate");
    Operand<TBool> counts =
        syncReplicas == null ? nonFiniteGuard.steps().get(countingStep).applies() : null;
    for (Operand<? extends TNumber> loss : losses.values()) {
      Operand<TBool> finite = scope.math.isFinite(loss);
      counts = counts == null ? finite : scope.math.logicalAnd(counts, finite);
    }
    return scope.withName("counts").identity(counts);
  }

  /**
   * The states of every loss and metric, for training or evaluation; when {@code counts} is given,
   * each update takes its inputs only when it holds, and completes either way.
   */
  private Map<String, MetricState> buildMetrics(String prefix, Operand<TBool> counts) {
    Ops scope = tf.withSubScope(prefix);
    MetricContext context = new MetricContext(scope, store, prefix);
    MetricInputs in = new MetricInputs(scope, counts);
    Operand<?> batchReference = in.gate(inputs.values().iterator().next());
    Map<String, MetricState> states = new LinkedHashMap<>();
    losses.forEach(
        (name, loss) ->
            states.put(name, WeightedMean.of(context, name, in.gate(loss), batchReference)));
    for (MetricBinding binding : metrics) {
      states.put(
          binding.metric().name(),
          binding
              .metric()
              .build(context, in.gate(binding.predictions()), in.gate(binding.labels())));
    }
    if (counts != null) {
      states.replaceAll(
          (name, state) -> new MetricState(in.done(state.update()), state.result(), state.reset()));
    }
    return states;
  }

  /**
   * Gates a metric's inputs on {@code counts}: a batch that does not count makes them dead, so no
   * update runs; {@link #done} completes whether it ran or not (a graph function must never end on
   * a dead op).
   */
  private record MetricInputs(Ops scope, Operand<TBool> counts) {

    <T extends TType> Operand<T> gate(Operand<T> input) {
      return counts == null ? input : scope.switchCond(input, counts).outputTrue();
    }

    Op done(Op update) {
      SwitchCond<TBool> branch = scope.switchCond(counts, counts);
      Operand<TBool> updated =
          scope.withControlDependencies(List.of(update)).identity(branch.outputTrue());
      return scope.withName("update_or_skip").merge(List.of(updated, branch.outputFalse()));
    }
  }

  private static void requireNotNull(Operand<?> operand, String method) {
    if (operand == null) {
      throw new IllegalStateException(method + " returned null");
    }
  }
}
