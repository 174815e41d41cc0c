package io.github.tfloop.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tfloop.checkpoint.Checkpoint;
import io.github.tfloop.checkpoint.CheckpointPolicy;
import io.github.tfloop.checkpoint.CheckpointStore;
import io.github.tfloop.data.DType;
import io.github.tfloop.data.Dataset;
import io.github.tfloop.data.InputSpec;
import io.github.tfloop.internal.build.StepSpec;
import io.github.tfloop.loss.Losses;
import io.github.tfloop.nn.Activation;
import io.github.tfloop.nn.Layers;
import io.github.tfloop.optim.LearningRate;
import io.github.tfloop.optim.Optimizers;
import io.github.tfloop.train.History;
import io.github.tfloop.train.LoopOptions;
import io.github.tfloop.weights.WeightEntry;
import io.github.tfloop.weights.WeightMappingException;
import io.github.tfloop.weights.WeightPlan;
import io.github.tfloop.weights.WeightSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.StdArrays;
import org.tensorflow.op.Ops;
import org.tensorflow.op.train.Restore;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TString;
import org.tensorflow.types.family.TType;

/**
 * The best checkpoints by a monitored value, kept besides the last ones, and the model's weights
 * saved and loaded alone: in TensorFlow's checkpoint format, read back by tfloop, by the {@code
 * weights} package and by TensorFlow's own {@code RestoreV2}.
 */
class BestCheckpointsTest {

  private static final Dataset TRAIN = Regression.data(48, 1);

  /**
   * The training targets negated: as the model learns them, it scores worse here, so the best
   * validation losses are the first epochs' and not the last.
   */
  private static final Dataset OPPOSITE = opposite(Regression.data(24, 2));

  private static Dataset opposite(Dataset data) {
    float[] x = ((io.github.tfloop.data.FloatColumn) data.column("x")).values().clone();
    float[] y = ((io.github.tfloop.data.FloatColumn) data.column("y")).values().clone();
    for (int i = 0; i < y.length; i++) {
      y[i] = -y[i];
    }
    return Dataset.builder().add(Regression.X, x).add(Regression.Y, y).build();
  }

  private static LoopOptions.Builder options() {
    return LoopOptions.builder().intraOpThreads(1).interOpThreads(1);
  }

  @Test
  void keepsTheLastAndTheBestByTheMonitoredValue(@TempDir Path root) {
    Path directory = root.resolve("checkpoints");
    CheckpointPolicy policy =
        CheckpointPolicy.in(directory).everyEpochs(0).keepLast(1).keepBest(2, "val_loss");
    History history;
    try (Trainer loop = Regression.sgd(options().epochs(6).checkpoints(policy).build(), 0.05)) {
      history = loop.fit(TRAIN, OPPOSITE);
    }
    double[] losses = history.values("val_loss");
    List<Integer> byLoss =
        IntStream.rangeClosed(1, 6)
            .boxed()
            .sorted(Comparator.comparingDouble(epoch -> losses[epoch - 1]))
            .toList();
    Set<Integer> expected = new TreeSet<>(byLoss.subList(0, 2));
    expected.add(6);
    assertFalse(expected.size() < 3, "premise: the best epochs are not the last " + history);

    Map<Integer, Checkpoint> kept = new LinkedHashMap<>();
    for (CheckpointStore.Entry entry : CheckpointStore.open(directory).scan()) {
      Checkpoint checkpoint = entry.checkpoint();
      kept.put((int) checkpoint.getLong("epoch") - 1, checkpoint);
    }
    assertEquals(expected, new TreeSet<>(kept.keySet()), "epochs kept; losses " + history);
    for (Map.Entry<Integer, Checkpoint> entry : kept.entrySet()) {
      Checkpoint checkpoint = entry.getValue();
      assertEquals("val_loss", checkpoint.get(CheckpointStore.MONITOR_NAME));
      assertEquals("min", checkpoint.get(CheckpointStore.MONITOR_MODE));
      assertEquals(
          losses[entry.getKey() - 1],
          Double.parseDouble(checkpoint.get(CheckpointStore.MONITOR_VALUE)),
          0.0);
    }

    Checkpoint best = CheckpointStore.open(directory).best().orElseThrow();
    assertEquals(byLoss.get(0), (int) best.getLong("epoch") - 1);
    try (Trainer fresh = Regression.sgd(options().build(), 0.05)) {
      WeightPlan plan = fresh.loadWeights(best.directory());
      assertEquals(4, plan.assignments().size(), plan.report());
      assertEquals(0, fresh.globalStep(), "weights alone: the counters stay");
      assertEquals(losses[byLoss.get(0) - 1], fresh.evaluate(OPPOSITE).get("loss"), 1e-12);
    }
  }

  @Test
  void higherIsBetterForAccuracyLikeNames() {
    assertTrue(
        CheckpointPolicy.in(Path.of("x")).keepBest(1, "val_accuracy").monitorHigherIsBetter());
    assertFalse(CheckpointPolicy.in(Path.of("x")).keepBest(1, "val_loss").monitorHigherIsBetter());
    CheckpointPolicy policy =
        CheckpointPolicy.in(Path.of("x")).keepBest(3, "val_auc").everySteps(5).keepLast(2);
    assertEquals(3, policy.keepBest(), "kept through later settings");
    assertEquals("val_auc", policy.monitor());
  }

  private static final InputSpec FEATURES = InputSpec.feature("features", DType.FLOAT32, 3);
  private static final InputSpec TARGET = InputSpec.label("target", DType.FLOAT32, 1);

  /** A network with batch normalisation: model state besides trainable weights. */
  private static Trainer normalised() {
    return TestLoops.build(
        "Normalised",
        8,
        5L,
        options().build(),
        loop -> {
          Operand<TFloat32> features = loop.input(FEATURES, TFloat32.class);
          Operand<TFloat32> target = loop.input(TARGET, TFloat32.class);
          Layers nn = loop.layers("net");
          Operand<TFloat32> hidden = nn.batchNorm(nn.dense(features, 4, Activation.RELU));
          Operand<TFloat32> output = loop.output("net", nn.dense(hidden, 1));
          loop.loss("loss", Losses.meanSquaredError(loop.ops(), output, target));
          loop.step(
              StepSpec.named("train")
                  .minimizing("loss")
                  .optimizer(Optimizers.adam(0.9, 0.999, 1e-7))
                  .learningRate(LearningRate.constant(0.01)));
        });
  }

  private static Dataset normalisedData(int size, long seed) {
    java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
    float[] x = new float[3 * size];
    float[] y = new float[size];
    for (int i = 0; i < size; i++) {
      for (int j = 0; j < 3; j++) {
        x[3 * i + j] = (float) random.nextDouble(-2, 2);
      }
      y[i] = x[3 * i] * x[3 * i + 1] - x[3 * i + 2];
    }
    return Dataset.builder().add(FEATURES, x).add(TARGET, y).build();
  }

  private static final List<String> WEIGHTS =
      List.of(
          "net/dense/kernel",
          "net/dense/bias",
          "net/batch_norm/gamma",
          "net/batch_norm/beta",
          "net/dense_1/kernel",
          "net/dense_1/bias",
          "net/batch_norm/moving_mean",
          "net/batch_norm/moving_variance");

  @Test
  void savedWeightsLoadBackAndTensorFlowReadsThem(@TempDir Path root) {
    Path prefix = root.resolve("saved").resolve("weights");
    Dataset data = normalisedData(64, 9);
    Map<String, double[]> saved = new LinkedHashMap<>();
    try (Trainer loop = normalised()) {
      loop.fit(data, null);
      loop.saveWeights(prefix);
      for (String name : WEIGHTS) {
        saved.put(name, loop.variableValues(name));
      }
      assertTrue(Files.isRegularFile(Path.of(prefix + ".index")));
      assertTrue(Files.isRegularFile(Path.of(prefix + ".data-00000-of-00001")));
      loop.fit(data, null);
      assertFalse(
          java.util.Arrays.equals(
              saved.get("net/dense/kernel"), loop.variableValues("net/dense/kernel")),
          "premise: training changed the weights");
      double[] movedMean = loop.variableValues("net/batch_norm/moving_mean");
      assertFalse(java.util.Arrays.equals(saved.get("net/batch_norm/moving_mean"), movedMean));
      long step = loop.globalStep();
      double[] slot = loop.variableValues("train/net/dense/kernel/m");
      WeightPlan plan = loop.loadWeights(prefix);
      assertEquals(WEIGHTS.size(), plan.assignments().size(), plan.report());
      for (String name : WEIGHTS) {
        assertArrayEquals(saved.get(name), loop.variableValues(name), 0.0, name);
      }
      assertEquals(step, loop.globalStep());
      assertArrayEquals(slot, loop.variableValues("train/net/dense/kernel/m"), 0.0, "slots stay");
    }
    // the weights package lists exactly the weights and the model state, no optimizer state
    try (WeightSource source = WeightSource.checkpoint(prefix)) {
      List<String> names = new ArrayList<>();
      for (WeightEntry entry : source.entries()) {
        names.add(entry.name());
      }
      assertEquals(new TreeSet<>(WEIGHTS), new TreeSet<>(names));
      float[] kernel = source.readFloats("net/dense/kernel");
      for (int i = 0; i < kernel.length; i++) {
        assertEquals(saved.get("net/dense/kernel")[i], kernel[i], 0.0);
      }
    }
    // TensorFlow's own RestoreV2, in a graph of its own
    try (Graph graph = new Graph();
        Session session = new Session(graph)) {
      Ops tf = Ops.create(graph);
      String[] names = WEIGHTS.toArray(String[]::new);
      List<Class<? extends TType>> types = new ArrayList<>();
      for (int i = 0; i < names.length; i++) {
        types.add(TFloat32.class);
      }
      Operand<TString> tensorNames = tf.constant(StdArrays.ndCopyOf(names));
      Restore restore =
          tf.train.restore(
              tf.constant(prefix.toString()), tensorNames, tf.zerosLike(tensorNames), types);
      Session.Runner runner = session.runner();
      restore.tensors().forEach(runner::fetch);
      try (Result values = runner.run()) {
        for (int i = 0; i < names.length; i++) {
          TFloat32 value = (TFloat32) values.get(i);
          double[] expected = saved.get(names[i]);
          assertEquals(expected.length, value.size(), names[i]);
          float[] flat = new float[expected.length];
          value.asRawTensor().data().asFloats().read(flat);
          for (int j = 0; j < flat.length; j++) {
            assertEquals(expected[j], flat[j], 0.0, names[i]);
          }
        }
      }
    }
  }

  @Test
  void weightsOfAnotherModelAreRefusedListingEveryMismatch(@TempDir Path root) {
    Path prefix = root.resolve("curve");
    try (Trainer curve = Regression.sgd(options().build(), 0.05)) {
      curve.saveWeights(prefix);
    }
    try (Trainer other = normalised()) {
      double[] before = other.variableValues("net/dense/kernel");
      WeightMappingException refused =
          assertThrows(WeightMappingException.class, () -> other.loadWeights(prefix));
      assertEquals(WEIGHTS.size(), refused.problems().size(), refused.getMessage());
      assertTrue(refused.getMessage().contains("missing: variable net/dense/kernel"));
      assertArrayEquals(before, other.variableValues("net/dense/kernel"), 0.0, "nothing loaded");
    }
  }

  @Test
  void saveWeightsRefusesADirectory(@TempDir Path root) {
    try (Trainer curve = Regression.sgd(options().build(), 0.05)) {
      IllegalArgumentException refused =
          assertThrows(IllegalArgumentException.class, () -> curve.saveWeights(root));
      assertTrue(refused.getMessage().contains("takes a file prefix"), refused.getMessage());
    }
  }
}
