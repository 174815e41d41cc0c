package io.github.tfloop.internal.cluster;

import io.github.tfloop.distributed.Cluster;
import io.github.tfloop.internal.build.LoopGraph;
import io.github.tfloop.internal.build.SyncReplicasGraph;
import io.github.tfloop.internal.engine.LoopEngine;
import io.github.tfloop.internal.session.Batch;
import io.github.tfloop.internal.session.ClusterSession;
import io.github.tfloop.train.TrainingException;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.function.Supplier;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.op.Op;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * Runs the protocol of {@link SyncReplicasGraph}: one session run per step on every worker, with
 * the round each worker is in.
 *
 * <p>The chief starts the protocol: once the weights are initialised or restored, it moves the
 * accumulators to a new round (dropping whatever a previous chief left in them), and gives each
 * other worker a token of that round. A worker joins by reading the round from parameter server 0,
 * waiting until the chief has set one; a restarted worker joins the same way, in the middle of a
 * fit. When the chief's fit ends, it puts a stop token in each other worker's queue.
 *
 * <p>A worker that waits longer than the cluster's timeout (for the chief, for the other workers'
 * gradients) fails with a {@link TrainingException} that says what it waited for. A step that
 * TensorFlow's runtime aborts for a transient reason (a connection dropped and a request sent
 * twice, under heavy load) is recovered as TensorFlow's own monitored sessions recover: the chief
 * starts a new round and trains the batch again; another worker joins the round in progress.
 */
public final class SyncReplicas implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger("io.github.tfloop.distributed");

  /** The global step of a token telling workers that the chief's fit ended. */
  static final long STOP = -1;

  /** The global step of a token telling workers that the chief's fit failed or was interrupted. */
  static final long ABORT = -2;

  /** How many times the chief tries a step that fails for a transient reason. */
  private static final int ATTEMPTS = 3;

  /**
   * What a worker reads before each step: the round to contribute to and the global step it is at,
   * or a stop.
   */
  record Token(long round, long globalStep) {
    boolean stops() {
      return globalStep < 0;
    }

    /** Whether a worker that contributed to {@code lastRound} must still take this token. */
    boolean isFreshAfter(long lastRound) {
      return stops() ? round >= lastRound : round > lastRound;
    }
  }

  private final String name;
  private final Cluster cluster;
  private final LoopEngine engine;
  private final Session session;
  private final LoopGraph graph;
  private final SyncReplicasGraph sync;
  private final List<Op> trainMetricUpdates;
  private final TInt64 roundFeed = TInt64.scalarOf(0L);
  private long round = -1;

  /**
   * The protocol for {@code engine}, which runs in {@code session} over {@code graph}; every step
   * also runs {@code trainMetricUpdates}.
   */
  public SyncReplicas(
      LoopEngine engine,
      Session session,
      LoopGraph graph,
      Cluster cluster,
      List<Op> trainMetricUpdates) {
    this.name = graph.name() + ", " + cluster.describeTask();
    this.cluster = cluster;
    this.engine = engine;
    this.session = session;
    this.graph = graph;
    this.sync = graph.syncReplicas();
    this.trainMetricUpdates = trainMetricUpdates;
  }

  Cluster cluster() {
    return cluster;
  }

  /**
   * The chief's step on {@code batch}: contributes its gradients, waits for every other worker's,
   * applies their average and starts the next round.
   */
  void chiefStep(Batch batch) {
    if (round < 0) {
      start();
    }
    for (int attempt = 1; ; attempt++) {
      Session.Runner runner = stepRunner(batch);
      trainMetricUpdates.forEach(runner::addTarget);
      runner.addTarget(sync.advance());
      try {
        run(
                runner,
                () -> "the gradients of all " + sync.workers() + " workers for round " + round,
                "a worker may have stopped; restarted within the timeout, it rejoins")
            .close();
        round++;
        return;
      } catch (TensorFlowException e) {
        if (!isTransient(e) || attempt == ATTEMPTS) {
          throw e;
        }
        LOG.log(
            Level.WARNING,
            "{0}: round {1} was aborted ({2}); starting a new round for the" + " same batch",
            name,
            round,
            firstLine(e));
        start();
      }
    }
  }

  /**
   * A worker's step on {@code batch}: contributes its gradients to the current round and waits for
   * the token of the next one.
   *
   * @return the token: the next round, or a stop
   */
  Token workerStep(Batch batch) {
    try {
      Session.Runner runner = stepRunner(batch);
      trainMetricUpdates.forEach(runner::addTarget);
      Token token = take(runner.fetch(sync.nextToken()));
      while (!token.isFreshAfter(round)) {
        token = take(session.runner().fetch(sync.anyToken()));
      }
      round = token.round();
      return token;
    } catch (TensorFlowException e) {
      if (!isTransient(e)) {
        throw e;
      }
      LOG.log(
          Level.WARNING,
          "{0}: round {1} was aborted ({2}); joining the round in progress",
          name,
          round,
          firstLine(e));
      return join();
    }
  }

  private Session.Runner stepRunner(Batch batch) {
    roundFeed.setLong(round);
    return engine.batchRunner(batch).feed(sync.round(), roundFeed).addTarget(sync.contribute());
  }

  private Token take(Session.Runner runner) {
    try (Result result =
        run(
            runner,
            () -> "the next round from the chief after round " + round,
            "the chief, or a worker it waits for, may have stopped; a chief restarted within the"
                + " timeout resumes from its newest checkpoint")) {
      TInt64 token = (TInt64) result.get(0);
      return new Token(token.getLong(0), token.getLong(1));
    }
  }

  /**
   * A worker joins the fit: waits until the chief has started a round, and returns it.
   *
   * @throws TrainingException if the chief starts none within the cluster's timeout
   */
  Token join() {
    long deadline = System.nanoTime() + cluster.timeout().toNanos();
    long pause = 50;
    while (!roundSetYet()) {
      if (System.nanoTime() > deadline) {
        throw new TrainingException(
            name
                + ": the chief (worker 0 at "
                + cluster.workers().get(0)
                + ") did not start training within "
                + cluster.timeout().toSeconds()
                + " s; start it,"
                + " or give the cluster a longer timeout (Cluster.withTimeout)");
      }
      sleep(pause);
      pause = Math.min(1000, pause * 2);
    }
    try (Result result =
        session.runner().fetch(sync.currentRound()).fetch(graph.globalStep()).run()) {
      round = ((TInt64) result.get(0)).getLong();
      Token joined = new Token(round, ((TInt64) result.get(1)).getLong());
      LOG.log(
          Level.INFO,
          "{0} joined training in round {1}, at global step {2}",
          name,
          round,
          joined.globalStep());
      return joined;
    }
  }

  /** Whether the chief has set a round; not yet while parameter server 0 cannot be reached. */
  private boolean roundSetYet() {
    try {
      return roundSet();
    } catch (TensorFlowException unreachable) {
      return false;
    }
  }

  private boolean roundSet() {
    try (Result result = session.runner().fetch(sync.roundInitialized()).run()) {
      return ((TBool) result.get(0)).getBoolean();
    }
  }

  /**
   * The chief starts the protocol after the weights are initialised or restored: a round newer than
   * any before, accumulators emptied of older gradients, and a token of that round, with the global
   * step, for each other worker.
   */
  private void start() {
    long previous = roundSet() ? fetchLong(sync.currentRound()) : 0;
    // From here on, gradients of earlier rounds are dropped; those already accepted are drained.
    setAccumulatorRounds(previous + 1);
    drainAccumulators();
    round = previous + 2;
    setAccumulatorRounds(round);
    try (TInt64 value = TInt64.scalarOf(round)) {
      session.runner().feed(sync.newRound(), value).addTarget(sync.setRound()).run().close();
    }
    long globalStep = engine.globalStep();
    enqueueTokens(globalStep);
    LOG.log(
        Level.INFO,
        "{0} started round {1} at global step {2} for {3} workers",
        name,
        round,
        globalStep,
        sync.workers());
  }

  /**
   * The chief's fit is over: every other worker gets a token that stops it, {@link #STOP} if the
   * fit ended normally, else {@link #ABORT}.
   */
  void finish(boolean completed) {
    if (round < 0) {
      start();
    }
    enqueueTokens(completed ? STOP : ABORT);
  }

  private void enqueueTokens(long globalStep) {
    try (TInt64 token = TInt64.vectorOf(round, globalStep)) {
      session.runner().feed(sync.token(), token).addTarget(sync.enqueueToken()).run().close();
    }
  }

  private void setAccumulatorRounds(long value) {
    Session.Runner runner = session.runner();
    try (TInt64 feed = TInt64.scalarOf(value)) {
      runner.feed(sync.newRound(), feed);
      sync.accumulators().forEach(accumulator -> runner.addTarget(accumulator.setRound()));
      runner.run().close();
    }
  }

  private void drainAccumulators() {
    Session.Runner counts = session.runner();
    sync.accumulators().forEach(accumulator -> counts.fetch(accumulator.accumulated()));
    try (Result result = counts.run()) {
      for (int i = 0; i < sync.accumulators().size(); i++) {
        int accumulated = ((TInt32) result.get(i)).getInt();
        if (accumulated > 0) {
          SyncReplicasGraph.Accumulator accumulator = sync.accumulators().get(i);
          try (TInt32 count = TInt32.scalarOf(accumulated)) {
            session
                .runner()
                .feed(accumulator.takeCount(), count)
                .addTarget(accumulator.take())
                .run()
                .close();
          }
          LOG.log(
              Level.INFO,
              "{0} dropped {1} gradients of {2} left from before it started",
              name,
              accumulated,
              accumulator.variable().name());
        }
      }
    }
  }

  private long fetchLong(org.tensorflow.Operand<TInt64> value) {
    try (Result result = session.runner().fetch(value).run()) {
      return ((TInt64) result.get(0)).getLong();
    }
  }

  /**
   * Runs a step that waits for other workers.
   *
   * @param waitingFor what it waits for, for the message of a timeout (built only then)
   * @param hint what may have gone wrong, for that message
   * @throws TrainingException saying what it waited for, if it waited longer than allowed; other
   *     failures (such as the non-finite check's) as they are
   */
  private Result run(Session.Runner runner, Supplier<String> waitingFor, String hint) {
    try {
      return runner.run();
    } catch (TensorFlowException e) {
      if (isTimeout(e)) {
        throw new TrainingException(
            name
                + ": waited "
                + ClusterSession.waitLimit(cluster).toSeconds()
                + " s for "
                + waitingFor.get()
                + " in vain; "
                + hint
                + " (Cluster.withTimeout sets how long to wait)",
            e);
      }
      throw e;
    }
  }

  /**
   * Whether TensorFlow's runtime aborted a run for a reason that passes: a request it received
   * twice (its gRPC client retried it after a dropped connection), or a task briefly unavailable.
   * TensorFlow Java reports both codes as plain {@code TensorFlowException}s; the message tells.
   */
  static boolean isTransient(TensorFlowException e) {
    String message = String.valueOf(e.getMessage());
    return message.contains("ABORTED")
        || message.contains("UNAVAILABLE")
        || message.contains("request was received twice");
  }

  private static String firstLine(TensorFlowException e) {
    return String.valueOf(e.getMessage())
        .strip()
        .lines()
        .filter(line -> !line.isBlank() && !line.startsWith("="))
        .findFirst()
        .orElse("");
  }

  /** TensorFlow's deadline error, as a local run ("timed out") or a remote one reports it. */
  private static boolean isTimeout(TensorFlowException e) {
    String message = String.valueOf(e.getMessage());
    return message.contains("Deadline Exceeded") || message.contains("timed out");
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TrainingException("interrupted while waiting for the chief", e);
    }
  }

  @Override
  public void close() {
    roundFeed.close();
  }
}
