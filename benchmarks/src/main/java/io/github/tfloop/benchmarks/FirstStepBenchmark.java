package io.github.tfloop.benchmarks;

import io.github.tfloop.train.LoopOptions;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Time to first step: build the network (graph, session, initial weights) and train one batch, in a
 * JVM where the native library is already loaded (the warm-up shots load it). Closing is not timed.
 * MLP at batch 32, CNN at batch 64.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 10)
@Fork(
    value = 1,
    jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Dai.djl.offline=true", "-Xmx4g"})
public class FirstStepBenchmark {

  @Param({"MLP", "CNN"})
  public Network network;

  private int batchSize;
  private TrainingData data;
  private Contender created;

  @Setup(Level.Trial)
  public void loadData() {
    batchSize = network == Network.MLP ? 32 : 64;
    data = TrainingData.batches(batchSize, 1);
  }

  @Benchmark
  public float handWritten() {
    return firstStep(new HandWritten(network, batchSize));
  }

  @Benchmark
  public float tfloop() {
    return firstStep(Tfloop.create(network, LoopOptions.builder().batchSize(batchSize).build()));
  }

  @Benchmark
  public float djl() {
    return firstStep(new Djl(network, batchSize));
  }

  private float firstStep(Contender contender) {
    created = contender;
    return contender.step(data.images(0), data.labels(0));
  }

  @TearDown(Level.Invocation)
  public void close() {
    if (created != null) {
      created.close();
      created = null;
    }
  }
}
