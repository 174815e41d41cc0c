package io.github.tfloop.internal.build;

import io.github.tfloop.distributed.Cluster;
import io.github.tfloop.graph.VariableStore.Variable;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.DeviceSpec;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.ReadVariableOp;
import org.tensorflow.op.core.VarHandleOp;
import org.tensorflow.op.io.FifoQueue;
import org.tensorflow.op.train.ResourceConditionalAccumulator;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TNumber;
import org.tensorflow.types.family.TType;

/**
 * The graph of synchronous data-parallel training, built the way TensorFlow 1's {@code
 * SyncReplicasOptimizer} built it, in every worker's graph alike:
 *
 * <ul>
 *   <li>a gradient accumulator ({@code ConditionalAccumulator}) per trained variable, on that
 *       variable's parameter server, shared by every worker through its {@code shared_name};
 *   <li>each worker's <em>contribution</em>: its gradients, added to the accumulators, tagged with
 *       the <em>round</em> it computed them in (an accumulator silently drops gradients of a round
 *       older than its own, so a late or restarted worker cannot corrupt a step);
 *   <li>the chief's update: take the average of every worker's gradients from the accumulators
 *       (this waits until all have arrived, and moves the accumulators to the next round), apply it
 *       once, count the global step, advance the {@code round} variable and put a <em>token</em>
 *       {@code [round, global step]} in each other worker's token queue;
 *   <li>each other worker's wait: after contributing, it takes a token from its own queue to start
 *       the next round. A queue per worker, so that no worker can take a token meant for another
 *       (one that passes over a stale token would otherwise take the next worker's).
 * </ul>
 *
 * <p>The round is not the global step: a restarted chief rewinds the global step to its newest
 * checkpoint, but always moves the round forward, so gradients computed before it restarted are
 * stale. {@code SyncReplicas} runs these ops.
 */
public final class SyncReplicasGraph {

  /** What an accumulator holds: the variable it serves and the ops on it the protocol runs. */
  public record Accumulator(
      Variable<?> variable,
      Op setRound,
      Operand<TInt32> accumulated,
      Op take,
      Placeholder<TInt32> takeCount) {}

  private final Ops sync;
  private final ClusterPlacement placement;
  private final String sharedPrefix;
  private final int workers;
  private final int taskIndex;
  private final Placeholder<TInt64> round;
  private final Placeholder<TInt64> newRound;
  private final List<Accumulator> accumulators = new ArrayList<>();
  private final List<Op> contributions = new ArrayList<>();
  private final List<Operand<? extends TType>> queues = new ArrayList<>();

  // The protocol's state on parameter server 0, built by finish().
  private Operand<? extends TType> roundVariable;
  private Op contribute;
  private Op advance;
  private Operand<TInt64> nextToken;
  private Operand<TInt64> anyToken;
  private Operand<TBool> roundInitialized;
  private Operand<TInt64> currentRound;
  private Op setRound;
  private Placeholder<TInt64> token;
  private Op enqueueToken;

  SyncReplicasGraph(Ops tf, ClusterPlacement placement, String loopName, Cluster cluster) {
    this.sync = tf.withSubScope("sync");
    this.placement = placement;
    this.sharedPrefix = loopName + "/sync/";
    this.workers = cluster.workers().size();
    this.taskIndex = cluster.taskIndex();
    Ops here = sync.withDevice(placement.compute());
    this.round =
        here.withName("round").placeholder(TInt64.class, Placeholder.shape(Shape.scalar()));
    this.newRound =
        sync.withDevice(placement.coordinator())
            .withName("new_round")
            .placeholder(TInt64.class, Placeholder.shape(Shape.scalar()));
  }

  /**
   * Adds this worker's contribution of {@code gradients} (one per variable) to the accumulators,
   * and returns what the chief applies instead: the average over every worker.
   */
  List<Operand<? extends TNumber>> aggregate(
      List<Variable<?>> variables, List<Operand<? extends TNumber>> gradients) {
    List<Operand<? extends TNumber>> averages = new ArrayList<>();
    for (int i = 0; i < variables.size(); i++) {
      Variable<?> variable = variables.get(i);
      Ops there =
          sync.withDevice(deviceOf(variable))
              .withSubScope(variable.name().replaceAll("[^A-Za-z0-9_.-]", "_"));
      Operand<? extends TType> handle =
          there
              .withName("accumulator")
              .train
              .resourceConditionalAccumulator(
                  variable.type(),
                  variable.shape(),
                  ResourceConditionalAccumulator.sharedName(sharedPrefix + variable.name()),
                  ResourceConditionalAccumulator.reductionType("MEAN"));
      contributions.add(
          there
              .withName("contribute")
              .train
              .resourceAccumulatorApplyGradient(handle, round, gradients.get(i)));
      averages.add(
          numeric(
              there
                  .withName("average")
                  .train
                  .resourceAccumulatorTakeGradient(
                      handle, there.constant(workers), variable.type())));
      Placeholder<TInt32> count =
          there
              .withName("drain_count")
              .placeholder(TInt32.class, Placeholder.shape(Shape.scalar()));
      accumulators.add(
          new Accumulator(
              variable,
              there.withName("set_round").train.resourceAccumulatorSetGlobalStep(handle, newRound),
              there.withName("accumulated").train.resourceAccumulatorNumAccumulated(handle),
              there
                  .withName("drain")
                  .train
                  .resourceAccumulatorTakeGradient(handle, count, variable.type()),
              count));
    }
    return averages;
  }

  /**
   * Builds the round variable, the token queue and the ops around the step, once every step is
   * built.
   *
   * @param countBatch the op counting the global step, which runs after the update
   * @param globalStep the global step variable
   */
  void finish(Op countBatch, Variable<TInt64> globalStep) {
    Ops coordinator = sync.withDevice(placement.coordinator());
    roundVariable =
        coordinator
            .withName("round_variable")
            .varHandleOp(
                TInt64.class, Shape.scalar(), VarHandleOp.sharedName(sharedPrefix + "round"));
    for (int worker = 1; worker < workers; worker++) {
      queues.add(
          coordinator
              .withName("tokens_" + worker)
              .io
              .fifoQueue(
                  List.of(TInt64.class),
                  FifoQueue.shapes(Shape.of(2)),
                  FifoQueue.sharedName(sharedPrefix + "tokens/" + worker)));
    }
    contribute =
        sync.withDevice(placement.compute())
            .withControlDependencies(contributions)
            .withName("contribute")
            .noOp();

    // The chief, once the update is applied and counted: the next round, and its tokens.
    Op nextRound =
        coordinator
            .withControlDependencies(List.of(countBatch))
            .withName("next_round")
            .assignAddVariableOp(roundVariable, coordinator.constant(1L));
    ReadVariableOp<TInt64> roundAfter =
        coordinator
            .withControlDependencies(List.of(nextRound))
            .readVariableOp(roundVariable, TInt64.class);
    Operand<TInt64> stepAfter =
        coordinator
            .withControlDependencies(List.of(countBatch))
            .readVariableOp(globalStep.handle(), TInt64.class);
    List<Op> told =
        enqueueEverywhere(coordinator, coordinator.stack(List.of(roundAfter, stepAfter)));
    told.add(roundAfter); // the round moves on even with no other worker to tell
    advance = coordinator.withControlDependencies(told).withName("advance").noOp();

    // A worker other than the chief: after contributing, the token of the next round (or a stop).
    if (taskIndex > 0) {
      Operand<? extends TType> own = queues.get(taskIndex - 1);
      nextToken =
          numeric(
              coordinator
                  .withControlDependencies(List.of(contribute))
                  .withName("next_token")
                  .io
                  .queueDequeue(own, List.of(TInt64.class))
                  .components()
                  .get(0));
      anyToken =
          numeric(
              coordinator
                  .withName("any_token")
                  .io
                  .queueDequeue(own, List.of(TInt64.class))
                  .components()
                  .get(0));
    }

    // Starting and stopping.
    roundInitialized = coordinator.withName("round_initialized").varIsInitializedOp(roundVariable);
    currentRound =
        coordinator.withName("current_round").readVariableOp(roundVariable, TInt64.class);
    setRound = coordinator.withName("set_round").assignVariableOp(roundVariable, newRound);
    token =
        coordinator.withName("new_token").placeholder(TInt64.class, Placeholder.shape(Shape.of(2)));
    enqueueToken =
        coordinator
            .withControlDependencies(enqueueEverywhere(coordinator, token))
            .withName("enqueue_token")
            .noOp();
  }

  /** Puts {@code token} in every other worker's queue; returns the ops that do. */
  private List<Op> enqueueEverywhere(Ops coordinator, Operand<TInt64> token) {
    List<Op> enqueues = new ArrayList<>();
    for (Operand<? extends TType> queue : queues) {
      enqueues.add(coordinator.io.queueEnqueue(queue, List.of(token)));
    }
    return enqueues;
  }

  private static DeviceSpec deviceOf(Variable<?> variable) {
    return Devices.parse(((GraphOperation) variable.handle().op()).device());
  }

  @SuppressWarnings("unchecked")
  private static <T extends TNumber> Operand<T> numeric(Operand<?> operand) {
    return (Operand<T>) operand;
  }

  /** Workers that contribute to each step, the chief included. */
  public int workers() {
    return workers;
  }

  /** The round a worker's gradients belong to; fed on every step. */
  public Placeholder<TInt64> round() {
    return round;
  }

  /** A new round for the accumulators or the round variable; fed when starting. */
  public Placeholder<TInt64> newRound() {
    return newRound;
  }

  public List<Accumulator> accumulators() {
    return accumulators;
  }

  /** This worker's gradients, added to the accumulators. */
  public Op contribute() {
    return contribute;
  }

  /** The chief's last op of a step: the next round and its tokens. */
  public Op advance() {
    return advance;
  }

  /**
   * This worker's next token, taken after its contribution: {@code [round, global step]}; {@code
   * null} on the chief.
   */
  public Operand<TInt64> nextToken() {
    return nextToken;
  }

  /** This worker's next token, without contributing: to pass over stale ones. */
  public Operand<TInt64> anyToken() {
    return anyToken;
  }

  public Operand<TBool> roundInitialized() {
    return roundInitialized;
  }

  public Operand<TInt64> currentRound() {
    return currentRound;
  }

  /** Sets the round variable to {@link #newRound()}. */
  public Op setRound() {
    return setRound;
  }

  /** A token {@code [round, global step]} for {@link #enqueueToken()}. */
  public Placeholder<TInt64> token() {
    return token;
  }

  /** Puts {@link #token()} in every other worker's queue. */
  public Op enqueueToken() {
    return enqueueToken;
  }
}
