package io.github.tfloop.benchmarks;

import io.github.tfloop.data.Dataset;
import io.github.tfloop.train.Execution;
import io.github.tfloop.train.LoopOptions;
import io.github.tfloop.train.Precision;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Training steps per second, one operation = one batch, each contender in its own JVM fork on the
 * same batches of Fashion-MNIST:
 *
 * <ul>
 *   <li>{@code handWritten}: the baseline, {@link HandWritten};
 *   <li>{@code tfloopStep}: the generated {@code step(images, labels)}, which returns the loss as
 *       the baseline does, with {@code Execution.NATIVE} or {@code RUNNER};
 *   <li>{@code tfloopFit}: the generated {@code fit}, which reads the loss once per epoch, with
 *       {@code stepsPerExecution} batches per call into TensorFlow;
 *   <li>{@code djl}: the peer, {@link Djl}.
 * </ul>
 *
 * <p>{@code bfloat16Rewriter} switches Grappler's bfloat16 rewriter on in the baseline's session;
 * {@code precision} trains tfloop's loops in {@code Precision.MIXED_BFLOAT16} (both off by default;
 * {@code Report --precision bf16} runs both settings).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Dai.djl.offline=true", "-Xmx4g"})
public class TrainingStepBenchmark {

  /** Batches of data each contender cycles through. */
  static final int BATCHES = 16;

  /** Epochs of {@link #BATCHES} batches one {@code fit} invocation trains. */
  static final int FIT_EPOCHS = 2;

  @Param({"MLP"})
  public Network network;

  @Param({"32", "128", "512"})
  public int batchSize;

  /** A contender trained batch after batch with {@link Contender#step}. */
  public abstract static class Stepping {
    private Contender contender;
    private TrainingData data;
    private int next;

    abstract Contender create(TrainingStepBenchmark run);

    @Setup(Level.Trial)
    public void open(TrainingStepBenchmark run) {
      data = TrainingData.batches(run.batchSize, BATCHES);
      contender = create(run);
    }

    float step() {
      float loss = contender.step(data.images(next), data.labels(next));
      next = (next + 1) % data.count();
      return loss;
    }

    @TearDown(Level.Trial)
    public void close() {
      contender.close();
    }
  }

  @State(Scope.Benchmark)
  public static class HandWrittenLoop extends Stepping {
    /** Whether the session switches on Grappler's oneDNN bfloat16 rewriter. */
    @Param({"false"})
    public boolean bfloat16Rewriter;

    @Override
    Contender create(TrainingStepBenchmark run) {
      return new HandWritten(run.network, run.batchSize, bfloat16Rewriter);
    }
  }

  @State(Scope.Benchmark)
  public static class TfloopStep extends Stepping {
    @Param({"NATIVE", "RUNNER"})
    public Execution execution;

    @Param({"FLOAT32"})
    public Precision precision;

    @Override
    Contender create(TrainingStepBenchmark run) {
      return Tfloop.create(
          run.network,
          LoopOptions.builder()
              .batchSize(run.batchSize)
              .execution(execution)
              .precision(precision)
              .build());
    }
  }

  @State(Scope.Benchmark)
  public static class DjlLoop extends Stepping {
    @Override
    Contender create(TrainingStepBenchmark run) {
      return new Djl(run.network, run.batchSize);
    }
  }

  /** The generated loop trained with {@code fit}. */
  @State(Scope.Benchmark)
  public static class TfloopFit {
    @Param({"1", "16"})
    public int stepsPerExecution;

    /** Session threads, {@code intra:inter}; 0 is TensorFlow's choice. */
    @Param({"0:0"})
    public String threads;

    @Param({"false"})
    public boolean xla;

    @Param({"FLOAT32"})
    public Precision precision;

    private Tfloop loop;
    private Dataset data;

    @Setup(Level.Trial)
    public void open(TrainingStepBenchmark run) {
      LoopOptions options =
          Tfloop.threads(LoopOptions.builder(), threads)
              .batchSize(run.batchSize)
              .epochs(FIT_EPOCHS)
              .stepsPerExecution(stepsPerExecution)
              .xla(xla)
              .precision(precision)
              .build();
      data = TrainingData.batches(run.batchSize, BATCHES).asDataset();
      loop = Tfloop.create(run.network, options);
    }

    @TearDown(Level.Trial)
    public void close() {
      loop.close();
    }
  }

  @Benchmark
  public float handWritten(HandWrittenLoop loop) {
    return loop.step();
  }

  @Benchmark
  public float tfloopStep(TfloopStep loop) {
    return loop.step();
  }

  @Benchmark
  @OperationsPerInvocation(BATCHES * FIT_EPOCHS)
  public void tfloopFit(TfloopFit fit) {
    fit.loop.fit(fit.data);
  }

  @Benchmark
  public float djl(DjlLoop loop) {
    return loop.step();
  }
}
