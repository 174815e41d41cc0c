package io.github.tfloop.internal.build;

import io.github.tfloop.distributed.Cluster;
import io.github.tfloop.graph.VariableStore;
import io.github.tfloop.graph.VariableStore.Kind;
import io.github.tfloop.train.LastBatch;
import io.github.tfloop.train.LoopOptions;
import org.tensorflow.DeviceSpec;
import org.tensorflow.op.Ops;

/**
 * Where the ops of a loop trained on a {@link Cluster} run, as TensorFlow's replica device setter
 * placed them: the forward and backward passes on this worker's task; weights and model state on
 * the parameter servers, one after the other (round robin); optimizer slots on the parameter server
 * of the weight they serve (TensorFlow's placer keeps ops that share a resource together, and a
 * slot asks for any {@code ps} task); loss and metric accumulators, and values kept for monitoring,
 * on this worker, so each worker measures its own shard. The optimizer's update, which every step
 * runs once for all workers, runs on parameter server 0 beside the global step.
 */
final class ClusterPlacement implements VariableStore.Placement {

  private final Cluster cluster;
  private final DeviceSpec compute;
  private int nextParameterServer;

  ClusterPlacement(Cluster cluster, String device) {
    this.cluster = cluster;
    this.compute = computeDevice(cluster, device);
  }

  /**
   * This worker's task, with the device type of {@code device} (such as {@code /GPU:0}) if given.
   *
   * @throws IllegalArgumentException if {@code device} names a job or task of its own
   */
  private static DeviceSpec computeDevice(Cluster cluster, String device) {
    DeviceSpec.Builder builder =
        DeviceSpec.newBuilder().job(Cluster.WORKER).task(cluster.taskIndex());
    if (device != null) {
      DeviceSpec local = Devices.parse(device);
      if (local.job() != null || local.task() != null || local.replica() != null) {
        throw new IllegalArgumentException(
            "device '"
                + device
                + "' names a job or task; in a"
                + " cluster each worker's ops run on its own task, so give only a device such as"
                + " /GPU:0");
      }
      builder.deviceType(local.deviceType());
      if (local.deviceIndex() != null) {
        builder.deviceIndex(local.deviceIndex());
      }
    }
    return builder.build();
  }

  /** This worker's task: where it computes. */
  DeviceSpec compute() {
    return compute;
  }

  /** Parameter server {@code index}. */
  static DeviceSpec parameterServer(int index) {
    return DeviceSpec.newBuilder().job(Cluster.PS).task(index).build();
  }

  /** Where the once-per-step update runs: parameter server 0, which holds the global step. */
  DeviceSpec coordinator() {
    return parameterServer(0);
  }

  @Override
  public Ops place(Ops scope, Kind kind) {
    return switch (kind) {
      case TRAINABLE, MODEL_STATE ->
          scope.withDevice(
              parameterServer(nextParameterServer++ % cluster.parameterServers().size()));
      case OPTIMIZER -> scope.withDevice(DeviceSpec.newBuilder().job(Cluster.PS).build());
      case METRIC, MONITOR -> scope.withDevice(compute);
    };
  }

  /**
   * Whether this process initialises {@code kind}'s variables: the chief initialises them all, the
   * other workers only their own accumulators and monitored values; the weights they wait for.
   */
  boolean initializesHere(Kind kind) {
    return cluster.isChief() || kind == Kind.METRIC || kind == Kind.MONITOR;
  }

  /**
   * Each worker's share of the global batch {@code batchSize}.
   *
   * @throws IllegalArgumentException if the workers cannot share it equally
   */
  static int replicaBatch(String loopName, int batchSize, Cluster cluster) {
    int workers = cluster.workers().size();
    if (batchSize % workers != 0) {
      throw new IllegalArgumentException(
          loopName
              + ": the global batch of "
              + batchSize
              + " examples does not divide among "
              + workers
              + " workers; each worker trains on an"
              + " equal share of every batch, so use a batchSize that is a multiple of "
              + workers);
    }
    return batchSize / workers;
  }

  /**
   * Rejects what a cluster cannot run: a parameter-server task, and the options it does not
   * support.
   */
  static void requireTrainable(String loopName, Cluster cluster, LoopOptions options) {
    if (cluster.isParameterServer()) {
      throw new IllegalArgumentException(
          loopName
              + ": this process is "
              + cluster.describeTask()
              + ", a parameter server; it runs io.github.tfloop.distributed.ParameterServer, not a"
              + " training loop");
    }
    if (options.lastBatch() == LastBatch.PARTIAL) {
      throw new IllegalArgumentException(
          loopName
              + ": LastBatch.PARTIAL trains a smaller last"
              + " batch; on a cluster every step is a full global batch, so leave lastBatch at DROP");
    }
    if (options.stepsPerExecution() > 1) {
      throw new IllegalArgumentException(
          loopName
              + ": stepsPerExecution runs several steps in one"
              + " call of this process alone; on a cluster every step is a round with the other"
              + " workers, so leave it at 1");
    }
    if (options.accumulate() > 1) {
      throw new IllegalArgumentException(
          loopName
              + ": accumulate("
              + options.accumulate()
              + ") sums one process's gradients over batches; on a cluster every step is a round"
              + " with the other workers, so leave it at 1 and grow the global batch instead");
    }
    if (options.debugNumerics() != null) {
      throw new IllegalArgumentException(
          loopName
              + ": debugNumerics checks one process's ops;"
              + " debug the model on one process, without a cluster");
    }
  }
}
