package io.github.tfloop.internal.build;

import io.github.tfloop.data.InputSpec;
import io.github.tfloop.graph.VariableStore;
import io.github.tfloop.graph.VariableStore.Variable;
import io.github.tfloop.metrics.MetricState;
import io.github.tfloop.nn.ModelSummary;
import io.github.tfloop.train.LoopOptions;
import io.github.tfloop.weights.InitialWeights;
import io.github.tfloop.weights.WeightPlan;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Op;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TNumber;

/**
 * Everything {@link LoopBuilder} put in the graph that the {@code LoopEngine} runs; {@code
 * syncReplicas} is {@code null} unless the loop trains on a cluster, {@code countAccumulatedBatch}
 * unless it accumulates gradients (it counts a batch that only accumulates), {@code initialWeights}
 * unless the options give pretrained weights (and this process loads them); {@code summary}
 * describes the models' layers.
 */
public record LoopGraph(
    String name,
    LoopOptions options,
    int batchSize,
    long seed,
    Graph graph,
    List<InputSpec> inputs,
    List<Operand<?>> placeholders,
    Operand<TBool> training,
    Operand<? extends TNumber> prediction,
    java.util.Set<InputSpec> predictionInputs,
    List<TrainStep> steps,
    Op countBatch,
    Operand<TInt64> globalStep,
    Map<String, MetricState> trainMetrics,
    Map<String, MetricState> evalMetrics,
    Op initialize,
    VariableStore variables,
    NonFiniteGuard nonFiniteGuard,
    SyncReplicasGraph syncReplicas,
    Op countAccumulatedBatch,
    ModelSummary summary,
    InitialLoad initialWeights) {

  /**
   * Pretrained weights to load once the variables are initialised: the weights' file and mapping,
   * the plan checked against the graph's variables while it was built, and each planned variable's
   * handle.
   */
  public record InitialLoad(
      InitialWeights weights, WeightPlan plan, Map<String, Operand<?>> handles) {

    /** Copies the handles. */
    public InitialLoad {
      handles = Map.copyOf(handles);
    }

    /** Assigns every planned variable its value from the file. */
    public void load(Session session) {
      weights.load(session, plan, handles);
    }
  }

  /**
   * One built {@code @Step}: its update op, the loss it minimises, the learning rate of its next
   * update and the global norm of the gradients of its last update (before any clipping), kept in a
   * variable ({@code null} when nothing reads it: see {@code LoopOptions.gradientNorm()}). It runs
   * on every {@code every}-th batch. With gradient accumulation, {@code accumulate} adds a batch's
   * gradients to the sums and {@code update} applies their mean with the batch's own (else {@code
   * accumulate} is {@code null}); with a listener that adjusts learning rates, {@code
   * learningRateScale} multiplies the schedule's rate (else it is {@code null}).
   */
  public record TrainStep(
      String name,
      String lossName,
      Operand<? extends TNumber> loss,
      Op update,
      List<Variable<?>> variables,
      Operand<TFloat32> learningRate,
      Operand<TFloat32> gradientNorm,
      int every,
      Op accumulate,
      Variable<TFloat32> learningRateScale) {}
}
