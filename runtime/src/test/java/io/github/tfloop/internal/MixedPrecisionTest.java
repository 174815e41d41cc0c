package io.github.tfloop.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tfloop.checkpoint.CheckpointPolicy;
import io.github.tfloop.checkpoint.CheckpointStore;
import io.github.tfloop.data.DType;
import io.github.tfloop.data.Dataset;
import io.github.tfloop.data.InputSpec;
import io.github.tfloop.export.SavedModelExport;
import io.github.tfloop.internal.build.LoopBuilder;
import io.github.tfloop.internal.build.LoopGraph;
import io.github.tfloop.internal.build.StepSpec;
import io.github.tfloop.internal.engine.LoopEngine;
import io.github.tfloop.loss.Losses;
import io.github.tfloop.nn.Activation;
import io.github.tfloop.nn.Layers;
import io.github.tfloop.optim.LearningRate;
import io.github.tfloop.optim.Optimizers;
import io.github.tfloop.train.LoopOptions;
import io.github.tfloop.train.Precision;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Loops trained in mixed precision: what their graphs compute in, that they train, repeat and
 * resume bit for bit in every precision, that {@code MIXED_FLOAT16} scales its loss, and that the
 * precision travels with checkpoints and stays out of exported models.
 *
 * <p>{@code MIXED_FLOAT16} runs here on {@code /GPU:0}, which soft placement puts on this machine's
 * CPU (TensorFlow's generic float16 kernels): the same graph a GPU runs, slowly.
 */
class MixedPrecisionTest {

  private static final InputSpec IMAGE = InputSpec.feature("image", DType.FLOAT32, 6, 6, 1);
  private static final InputSpec LABEL = InputSpec.label("label", DType.INT32);

  /** A small CNN: convolution, max pooling, flatten, a hidden dense layer, logits. */
  private static LoopGraph cnn(LoopOptions options) {
    LoopBuilder loop = LoopBuilder.create("Tiny", 8, 5L, options);
    try {
      Operand<TFloat32> image = loop.input(IMAGE, TFloat32.class);
      Operand<TInt32> label = loop.input(LABEL, TInt32.class);
      Layers nn = loop.layers("logits");
      Operand<TFloat32> x = nn.maxPool(nn.conv2d(image, 4, 3, Activation.RELU), 2);
      x = nn.dense(nn.flatten(x), 8, Activation.RELU);
      Operand<TFloat32> logits = loop.output("logits", nn.dense(x, 3));
      loop.loss("loss", Losses.sparseCategoricalCrossentropy(loop.ops(), logits, label));
      loop.step(
          StepSpec.named("train")
              .minimizing("loss")
              .optimizer(Optimizers.adam(0.9, 0.999, 1e-7))
              .learningRate(LearningRate.constant(0.01)));
      return loop.build();
    } catch (RuntimeException e) {
      loop.abort();
      throw e;
    }
  }

  /**
   * Convolution, batch normalisation, ReLU and max pooling as {@code FashionCnn} builds them (ReLU
   * zeros tie in the pooling windows), pooled with {@code Layers.maxPool} or, as tfloop did before
   * mixed precision, with {@code tf.nn.maxPool} ({@code MaxPoolV2}).
   */
  private static LoopGraph normalisedCnn(LoopOptions options, boolean maxPoolV2) {
    LoopBuilder loop = LoopBuilder.create("Tiny", 8, 5L, options);
    try {
      Operand<TFloat32> image = loop.input(IMAGE, TFloat32.class);
      Operand<TInt32> label = loop.input(LABEL, TInt32.class);
      Layers nn = loop.layers("logits");
      Operand<TFloat32> x =
          nn.activation(nn.batchNorm(nn.conv2d(image, 4, 3, Activation.LINEAR)), Activation.RELU);
      x =
          maxPoolV2
              ? loop.ops()
                  .nn
                  .maxPool(
                      x,
                      loop.ops().constant(new int[] {1, 2, 2, 1}),
                      loop.ops().constant(new int[] {1, 2, 2, 1}),
                      "VALID")
              : nn.maxPool(x, 2);
      Operand<TFloat32> logits = loop.output("logits", nn.dense(nn.flatten(x), 3));
      loop.loss("loss", Losses.sparseCategoricalCrossentropy(loop.ops(), logits, label));
      loop.step(
          StepSpec.named("train")
              .minimizing("loss")
              .optimizer(Optimizers.adam(0.9, 0.999, 1e-7))
              .learningRate(LearningRate.constant(0.01)));
      return loop.build();
    } catch (RuntimeException e) {
      loop.abort();
      throw e;
    }
  }

  @Test
  void float32TrainsBitForBitAsWithTheMaxPoolTfloopUsedBefore() {
    Dataset train = images(64, 8);
    List<Map<String, float[]>> weights = new ArrayList<>();
    for (boolean maxPoolV2 : new boolean[] {true, false}) {
      try (Trainer trainer =
          Trainer.start(normalisedCnn(options(Precision.FLOAT32).epochs(3).build(), maxPoolV2))) {
        trainer.fit(train, null);
        weights.add(trainer.trainableWeights());
      }
    }
    weights
        .get(0)
        .forEach((name, values) -> assertArrayEquals(values, weights.get(1).get(name), 0f, name));
  }

  private static Dataset images(int size, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] pixels = new float[size * 36];
    int[] labels = new int[size];
    for (int i = 0; i < size; i++) {
      labels[i] = random.nextInt(3);
      for (int p = 0; p < 36; p++) {
        // class 0 bright on the left, 1 on the right, 2 everywhere, with noise
        int column = p % 6;
        boolean lit = labels[i] == 2 || (labels[i] == 0) == (column < 3);
        pixels[i * 36 + p] = (lit ? 0.8f : 0.1f) + (float) random.nextDouble(-0.1, 0.1);
      }
    }
    return Dataset.builder().add(IMAGE, pixels).add(LABEL, labels).build();
  }

  private static LoopOptions.Builder options(Precision precision) {
    LoopOptions.Builder options =
        LoopOptions.builder().precision(precision).intraOpThreads(1).interOpThreads(1);
    // MIXED_FLOAT16 is for GPUs: on this CPU, soft placement runs the GPU's graph.
    return precision == Precision.MIXED_FLOAT16 ? options.device("/GPU:0") : options;
  }

  /** Each op type of {@code graph} with the data types of its first outputs, sorted. */
  private static Map<String, List<DataType>> opTypes(LoopGraph graph) {
    Map<String, List<DataType>> types = new TreeMap<>();
    for (Iterator<GraphOperation> it = graph.graph().operations(); it.hasNext(); ) {
      GraphOperation op = it.next();
      if (op.numOutputs() > 0) {
        types.computeIfAbsent(op.type(), t -> new ArrayList<>()).add(op.output(0).dataType());
      }
    }
    return types;
  }

  @Test
  void bfloat16LoopsMultiplyAndConvolveInBfloat16ForwardAndBackward() {
    LoopGraph graph = cnn(options(Precision.MIXED_BFLOAT16).build());
    try {
      Map<String, List<DataType>> ops = opTypes(graph);
      // forward: two dense layers; backward: each layer's input and kernel gradients (the first
      // layer's input gradient is not needed).
      assertEquals(List.of(DataType.DT_BFLOAT16), distinct(ops.get("MatMul")));
      assertTrue(ops.get("MatMul").size() >= 5, ops.get("MatMul").toString());
      assertEquals(List.of(DataType.DT_BFLOAT16), ops.get("Conv2D"));
      assertEquals(List.of(DataType.DT_BFLOAT16), ops.get("Conv2DBackpropFilter"));
      assertEquals(List.of(DataType.DT_BFLOAT16), distinct((ops.get("MaxPool"))));
      assertTrue(ops.get("Relu").stream().allMatch(type -> type == DataType.DT_BFLOAT16));
      // the loss and the updates stay float32, and so does every variable
      assertEquals(
          List.of(DataType.DT_FLOAT), distinct((ops.get("SparseSoftmaxCrossEntropyWithLogits"))));
      assertFalse(ops.containsKey("Softmax") && ops.get("Softmax").contains(DataType.DT_BFLOAT16));
      graph
          .variables()
          .all()
          .forEach(
              variable ->
                  assertNotEquals("TBfloat16", variable.type().getSimpleName(), variable.name()));
      // between the layers the values stay bfloat16: what is cast to bfloat16 is the image, each
      // of the 6 weights, and the logits' gradient; never a value just cast from bfloat16
      Map<String, NodeDef> nodes = new TreeMap<>();
      graph.graph().toGraphDef().getNodeList().forEach(node -> nodes.put(node.getName(), node));
      List<String> castToBfloat16 = new ArrayList<>();
      for (NodeDef node : nodes.values()) {
        if (node.getOp().equals("Cast")
            && node.getAttrOrThrow("DstT").getType() == DataType.DT_BFLOAT16) {
          NodeDef input = nodes.get(node.getInput(0).split(":")[0]);
          castToBfloat16.add(input.getOp());
          assertFalse(
              input.getOp().equals("Cast")
                  && input.getAttrOrThrow("SrcT").getType() == DataType.DT_BFLOAT16,
              node.getName() + " casts back what " + input.getName() + " cast");
        }
      }
      castToBfloat16.sort(null);
      List<DataType> updates =
          nodes.values().stream()
              .filter(node -> node.getOp().equals("ResourceApplyAdam"))
              .map(node -> node.getAttrOrThrow("T").getType())
              .toList();
      assertEquals(
          java.util.Collections.nCopies(6, DataType.DT_FLOAT),
          updates,
          "one float32 update per kernel and bias");
      assertEquals(
          List.of(
              "Mul", // the loss's gradient with respect to the logits
              "Placeholder",
              "ReadVariableOp",
              "ReadVariableOp",
              "ReadVariableOp",
              "ReadVariableOp",
              "ReadVariableOp",
              "ReadVariableOp"),
          castToBfloat16);
    } finally {
      graph.graph().close();
    }
  }

  @Test
  void bfloat16KernelsRunInBfloat16AfterTensorFlowRewritesTheGraph() {
    LoopOptions options = options(Precision.MIXED_BFLOAT16).build();
    LoopGraph graph = cnn(options);
    try (LoopEngine engine = new LoopEngine(graph, options);
        var batch = new io.github.tfloop.internal.session.Batch(graph.inputs(), 8)) {
      Dataset data = images(8, 1);
      batch.put(IMAGE, data.column("image").values());
      batch.put(LABEL, data.column("label").values());
      RunOptions partitions = RunOptions.newBuilder().setOutputPartitionGraphs(true).build();
      try (Result result =
          engine
              .batchRunner(batch)
              .addTarget(graph.steps().get(0).update())
              .setOptions(partitions)
              .runAndFetchMetadata()) {
        RunMetadata metadata = result.getMetadata().orElseThrow();
        List<String> bfloat16 = new ArrayList<>();
        for (GraphDef partition : metadata.getPartitionGraphsList()) {
          for (NodeDef node : partition.getNodeList()) {
            if ((node.getOp().contains("MatMul") || node.getOp().contains("Conv2D"))
                && node.getAttrMap().containsKey("T")
                && node.getAttrMap().get("T").getType() == DataType.DT_BFLOAT16) {
              bfloat16.add(node.getOp());
            }
          }
        }
        // whatever TensorFlow fused or handed to oneDNN, the products it runs are bfloat16
        assertTrue(bfloat16.stream().anyMatch(op -> op.contains("MatMul")), bfloat16.toString());
        assertTrue(bfloat16.stream().anyMatch(op -> op.contains("Conv2D")), bfloat16.toString());
      }
    }
  }

  @Test
  void float32LoopsHoldNoLowPrecisionOp() {
    LoopGraph graph = cnn(options(Precision.FLOAT32).build());
    try {
      opTypes(graph)
          .forEach(
              (op, types) -> {
                assertFalse(types.contains(DataType.DT_BFLOAT16), op);
                assertFalse(types.contains(DataType.DT_HALF), op);
              });
    } finally {
      graph.graph().close();
    }
  }

  /** The distinct elements of {@code list}, in order. */
  private static <T> List<T> distinct(List<T> list) {
    return list.stream().distinct().toList();
  }

  @ParameterizedTest
  @EnumSource(Precision.class)
  void everyPrecisionTrainsAndRepeatsBitForBit(Precision precision) {
    Dataset train = images(64, 2);
    Map<String, float[]> first;
    double loss;
    try (Trainer trainer = Trainer.start(cnn(options(precision).epochs(4).build()))) {
      double before = trainer.evaluate(train).get("loss");
      trainer.fit(train, null);
      loss = trainer.evaluate(train).get("loss");
      assertTrue(loss < before * 0.7, precision + ": loss " + before + " -> " + loss);
      first = trainer.trainableWeights();
    }
    try (Trainer trainer = Trainer.start(cnn(options(precision).epochs(4).build()))) {
      trainer.fit(train, null);
      assertEquals(loss, trainer.evaluate(train).get("loss"));
      Map<String, float[]> second = trainer.trainableWeights();
      first.forEach((name, values) -> assertArrayEquals(values, second.get(name), 0f, name));
    }
  }

  @ParameterizedTest
  @EnumSource(Precision.class)
  void severalStepsPerCallTrainAsOneStepPerCall(Precision precision) {
    Dataset train = images(40, 9);
    List<Map<String, float[]>> weights = new ArrayList<>();
    List<double[]> scales = new ArrayList<>();
    for (int stepsPerExecution : new int[] {1, 4}) {
      LoopOptions options =
          options(precision)
              .epochs(2)
              .stepsPerExecution(stepsPerExecution)
              // float16: start high enough that the first steps overflow and are skipped
              .lossScale(Math.pow(2, 30), 3)
              .build();
      try (Trainer trainer = Trainer.start(cnn(options))) {
        trainer.fit(train, null);
        weights.add(trainer.trainableWeights());
        if (precision == Precision.MIXED_FLOAT16) {
          scales.add(trainer.variableValues("train/loss_scale"));
        }
      }
    }
    weights
        .get(0)
        .forEach((name, values) -> assertArrayEquals(values, weights.get(1).get(name), 0f, name));
    if (precision == Precision.MIXED_FLOAT16) {
      assertArrayEquals(scales.get(0), scales.get(1), 0);
      assertTrue(scales.get(0)[0] < Math.pow(2, 30), "overflowed at first: " + scales.get(0)[0]);
    }
  }

  @ParameterizedTest
  @EnumSource(Precision.class)
  void resumingInTheSamePrecisionEndsWithTheSameWeights(Precision precision, @TempDir Path root)
      throws IOException {
    Dataset train = images(40, 3);
    Map<String, float[]> uninterrupted;
    double[] scale = null;
    try (Trainer trainer = Trainer.start(cnn(options(precision).epochs(3).build()))) {
      trainer.fit(train, null);
      uninterrupted = trainer.trainableWeights();
      if (precision == Precision.MIXED_FLOAT16) {
        scale = trainer.variableValues("train/loss_scale");
      }
    }
    Path all = root.resolve("all");
    CheckpointPolicy policy = CheckpointPolicy.in(all).everySteps(4).keepLast(100);
    try (Trainer trainer =
        Trainer.start(cnn(options(precision).epochs(3).checkpoints(policy).build()))) {
      trainer.fit(train, null);
    }
    List<Path> checkpoints = CheckpointStore.open(all).checkpoints();
    Path middle = checkpoints.get(checkpoints.size() / 2);
    java.util.Properties manifest = new java.util.Properties();
    try (var in = Files.newInputStream(middle.resolve(CheckpointStore.MANIFEST))) {
      manifest.load(in);
    }
    assertEquals(precision.name(), manifest.getProperty("precision"));
    Path alone = root.resolve("alone");
    copy(middle, alone.resolve(middle.getFileName()));
    try (Trainer trainer =
        Trainer.start(
            cnn(options(precision).epochs(3).checkpoints(CheckpointPolicy.in(alone)).build()))) {
      trainer.resume(train, null);
      Map<String, float[]> resumed = trainer.trainableWeights();
      uninterrupted.forEach(
          (name, values) -> assertArrayEquals(values, resumed.get(name), 0f, name));
      if (scale != null) {
        assertArrayEquals(scale, trainer.variableValues("train/loss_scale"), 0);
      }
    }
  }

  private static void copy(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (Stream<Path> files = Files.list(from)) {
      for (Path file : files.toList()) {
        Files.copy(file, to.resolve(file.getFileName()));
      }
    }
  }

  @Test
  void float16ScalesItsLossAndSkipsOverflowingSteps() {
    Dataset train = images(8, 4);
    // 2^40: the float16 gradients overflow until the scale has halved about 25 times
    LoopOptions options = options(Precision.MIXED_FLOAT16).lossScale(Math.pow(2, 40), 2000).build();
    try (Trainer trainer = Trainer.start(cnn(options))) {
      float[] initial = Regression.weights(trainer);
      Object[] batch = {
        IMAGE, train.column("image").values(), LABEL, train.column("label").values()
      };
      double scale = Math.pow(2, 40);
      int skipped = 0;
      while (true) {
        assertEquals(scale, trainer.variableValues("train/loss_scale")[0]);
        TestLoops.step(trainer, 8, batch);
        double next = trainer.variableValues("train/loss_scale")[0];
        if (next == scale / 2) {
          skipped++;
          assertArrayEquals(initial, Regression.weights(trainer), 0f, "a skipped step");
          assertEquals(0, trainer.variableValues("train/loss_scale_good_steps")[0]);
          scale = next;
        } else {
          assertEquals(scale, next, "a finite step keeps the scale");
          assertEquals(1, trainer.variableValues("train/loss_scale_good_steps")[0]);
          assertFalse(java.util.Arrays.equals(initial, Regression.weights(trainer)));
          break;
        }
      }
      assertTrue(skipped >= 10 && skipped <= 40, "skipped " + skipped + " steps");
      assertEquals(skipped + 1, trainer.globalStep(), "every batch counts, skipped or not");
    }
  }

  @Test
  void resumingInAnotherPrecisionIsRefusedUnlessAllowed(@TempDir Path directory) {
    Dataset train = images(16, 5);
    CheckpointPolicy policy = CheckpointPolicy.in(directory);
    try (Trainer trainer =
        Trainer.start(cnn(options(Precision.FLOAT32).epochs(1).checkpoints(policy).build()))) {
      trainer.fit(train, null);
    }
    try (Trainer trainer =
        Trainer.start(
            cnn(options(Precision.MIXED_BFLOAT16).epochs(2).checkpoints(policy).build()))) {
      IllegalStateException refused =
          assertThrows(IllegalStateException.class, () -> trainer.resume(train, null));
      assertTrue(
          refused
              .getMessage()
              .endsWith(
                  " was written by a fit in precision FLOAT32, and this loop trains in"
                      + " MIXED_BFLOAT16: resume it in FLOAT32, or allow the change with"
                      + " LoopOptions.builder().resumeInOtherPrecision(true)"),
          refused.getMessage());
    }
    try (Trainer trainer =
        Trainer.start(
            cnn(
                options(Precision.MIXED_BFLOAT16)
                    .epochs(2)
                    .checkpoints(policy)
                    .resumeInOtherPrecision(true)
                    .build()))) {
      trainer.resume(train, null);
      assertEquals(4, trainer.globalStep(), "resumed after epoch 1 and trained epoch 2");
    }
  }

  @Test
  void exportsAFloat32ServingGraphFromABfloat16Loop(@TempDir Path directory) {
    Dataset train = images(32, 6);
    Dataset questions = images(5, 7);
    Path model = directory.resolve("model/1");
    float[] predicted;
    try (Trainer trainer =
        Trainer.start(cnn(options(Precision.MIXED_BFLOAT16).epochs(2).build()))) {
      trainer.fit(train, null);
      predicted = trainer.predictFloats(questions);
      trainer.exportSavedModel(model);
    }
    try (SavedModelBundle bundle = SavedModelBundle.load(model.toString(), SavedModelExport.TAG);
        TFloat32 input =
            TFloat32.tensorOf(
                Shape.of(5, 6, 6, 1),
                DataBuffers.of((float[]) questions.column("image").values()));
        Result result = bundle.function(SavedModelExport.SERVING).call(Map.of("image", input))) {
      for (NodeDef node : bundle.graph().toGraphDef().getNodeList()) {
        node.getAttrMap()
            .forEach(
                (name, value) -> {
                  assertNotEquals(DataType.DT_BFLOAT16, value.getType(), node.getName());
                  assertFalse(
                      value.getList().getTypeList().contains(DataType.DT_BFLOAT16), node.getName());
                });
      }
      float[] served = new float[15];
      ((TFloat32) result.get("output").orElseThrow()).asRawTensor().data().asFloats().read(served);
      // float32 against the loop's bfloat16: close, not equal
      assertArrayEquals(predicted, served, 0.05f);
      assertFalse(java.util.Arrays.equals(predicted, served), "served in float32");
    }
  }
}
