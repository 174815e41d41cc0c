package io.github.tfloop.gradients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tfloop.graph.VariableStore;
import io.github.tfloop.loss.Losses;
import io.github.tfloop.loss.Reduction;
import io.github.tfloop.nn.Activation;
import io.github.tfloop.nn.Layers;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Every activation, layer and loss tfloop offers can be trained: TensorFlow builds a gradient
 * through it (natively or through {@link MissingGradients}) and the gradient is finite.
 */
class GradientCoverageTest {

  /** Builds {@code model} on a [4, 6, 6, 2] input in training mode and checks its gradients. */
  private static void assertTrainable(
      BiFunction<Layers, Operand<TFloat32>, Operand<TFloat32>> model) {
    MissingGradients.register();
    try (Graph graph = new Graph();
        Session session = new Session(graph)) {
      Ops tf = Ops.create(graph);
      VariableStore store = new VariableStore(tf);
      Layers nn = new Layers(tf, store, "m", tf.constant(true), tf.constant(3L), 1);
      float[] pixels = new float[4 * 6 * 6 * 2];
      for (int i = 0; i < pixels.length; i++) {
        pixels[i] = (float) Math.sin(i);
      }
      Operand<TFloat32> input =
          tf.reshape(tf.constant(pixels), tf.constant(new long[] {4, 6, 6, 2}));
      Operand<TFloat32> output = model.apply(nn, input);
      Operand<TFloat32> loss =
          Losses.sparseCategoricalCrossentropy(
              tf, nn.dense(nn.flatten(output), 3), tf.constant(new int[] {0, 1, 2, 1}));
      List<Operand<?>> weights = new ArrayList<>();
      store.all().forEach(variable -> weights.add(variable.read()));
      var gradients = tf.gradients(loss, weights);
      List<Op> initializers = new ArrayList<>();
      store.all().forEach(variable -> initializers.add(variable.initializer()));
      session.run(tf.withControlDependencies(initializers).noOp());
      for (int i = 0; i < weights.size(); i++) {
        Output<?> gradient = gradients.dy(i);
        assertNotNull(gradient, "gradient of " + weights.get(i));
        Operand<org.tensorflow.types.TBool> finite =
            tf.math.isFinite(tf.dtypes.cast(gradient, TFloat32.class));
        Operand<org.tensorflow.types.TBool> allFinite =
            tf.reduceAll(finite, tf.range(tf.constant(0), tf.rank(finite), tf.constant(1)));
        try (Result result = session.runner().fetch(allFinite).run()) {
          assertTrue(
              ((org.tensorflow.types.TBool) result.get(0)).getBoolean(),
              "finite gradient of " + weights.get(i));
        }
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Activation.class)
  void everyActivation(Activation activation) {
    assertTrainable((nn, x) -> nn.conv2d(x, 3, 3, activation));
  }

  /**
   * One case per layer and variant; a case's first word is the {@link Layers} method it builds,
   * which {@link #everyLayerMethodHasACase} checks.
   */
  static List<String> layerCases() {
    return List.of(
        "conv2d",
        "conv2d strided",
        "maxPool",
        "avgPool",
        "batchNorm",
        "dropout",
        "randomFlipHorizontal",
        "randomTranslation",
        "dense",
        "flatten",
        "reshape",
        "embedding",
        "lstm",
        "lstm sequences",
        "gru",
        "gru sequences",
        "conv1d",
        "conv1d strided",
        "layerNorm",
        "multiHeadAttention",
        "multiHeadAttention causal",
        "multiHeadAttention cross",
        "add",
        "concatenate",
        "globalAvgPool",
        "globalAvgPool image",
        "globalMaxPool",
        "globalMaxPool image");
  }

  @ParameterizedTest
  @MethodSource("layerCases")
  void everyLayer(String layer) {
    assertTrainable(
        (nn, image) -> {
          Ops tf = nn.ops();
          // the [4, 6, 6, 2] images as 4 sequences of 6 steps of 12 features
          Operand<TFloat32> x = nn.reshape(image, 6, 12);
          return switch (layer) {
            case "conv2d" -> nn.conv2d(image, 4, 3, Activation.RELU);
            case "conv2d strided" ->
                nn.conv2d(image, 4, 3, 2, io.github.tfloop.nn.Padding.VALID, Activation.RELU);
            case "maxPool" -> nn.maxPool(nn.conv2d(image, 4, 3, Activation.RELU), 2);
            case "avgPool" -> nn.avgPool(nn.conv2d(image, 4, 3, Activation.RELU), 2);
            case "batchNorm" -> nn.batchNorm(nn.conv2d(image, 4, 3, Activation.LINEAR));
            case "dropout" -> nn.dropout(nn.conv2d(image, 4, 3, Activation.RELU), 0.5);
            case "randomFlipHorizontal" ->
                nn.conv2d(nn.randomFlipHorizontal(image), 4, 3, Activation.RELU);
            case "randomTranslation" ->
                nn.conv2d(nn.randomTranslation(image, 0.2), 4, 3, Activation.RELU);
            case "dense" -> nn.dense(nn.flatten(image), 8, Activation.TANH);
            case "flatten" -> nn.flatten(nn.conv2d(image, 2, 3, Activation.RELU));
            case "reshape" -> nn.reshape(nn.conv2d(image, 2, 3, Activation.RELU), 36, 2);
            case "embedding" ->
                nn.embedding(
                    tf.constant(new int[][] {{1, 0, 9}, {2, 2, 3}, {9, 8, 7}, {0, 0, 0}}), 10, 5);
            case "lstm" -> nn.lstm(x, 5);
            case "lstm sequences" -> nn.lstm(x, 5, true);
            case "gru" -> nn.gru(x, 5);
            case "gru sequences" -> nn.gru(x, 5, true);
            case "conv1d" -> nn.conv1d(x, 4, 3, Activation.RELU);
            case "conv1d strided" ->
                nn.conv1d(x, 4, 3, 2, io.github.tfloop.nn.Padding.VALID, Activation.ELU);
            case "layerNorm" -> nn.layerNorm(nn.conv1d(x, 4, 3, Activation.RELU));
            case "multiHeadAttention" -> nn.multiHeadAttention(x, x, 2, 4);
            case "multiHeadAttention causal" -> nn.multiHeadAttention(x, x, 2, 4, true);
            case "multiHeadAttention cross" ->
                nn.multiHeadAttention(
                    nn.conv1d(x, 3, 2, 2, io.github.tfloop.nn.Padding.SAME, Activation.LINEAR),
                    nn.conv1d(x, 5, 3, Activation.TANH),
                    x,
                    2,
                    4,
                    false);
            case "add" -> nn.add(x, nn.conv1d(x, 12, 3, Activation.TANH));
            case "concatenate" -> nn.concatenate(x, nn.conv1d(x, 3, 3, Activation.TANH));
            case "globalAvgPool" -> nn.globalAvgPool(nn.conv1d(x, 4, 3, Activation.RELU));
            case "globalAvgPool image" -> nn.globalAvgPool(nn.conv2d(image, 4, 3, Activation.RELU));
            case "globalMaxPool" -> nn.globalMaxPool(nn.conv1d(x, 4, 3, Activation.RELU));
            case "globalMaxPool image" -> nn.globalMaxPool(nn.conv2d(image, 4, 3, Activation.RELU));
            default -> throw new IllegalArgumentException("no case " + layer);
          };
        });
  }

  /**
   * Layers methods that build no layer of their own: accessors, and helpers checked through the
   * cases that use them.
   */
  private static final Set<String> NOT_LAYERS =
      Set.of("variable", "regularize", "training", "activation");

  /** A layer added to {@link Layers} without a case here fails this test until it gets one. */
  @Test
  void everyLayerMethodHasACase() {
    Set<String> covered = new TreeSet<>();
    layerCases().forEach(name -> covered.add(name.split(" ")[0]));
    Set<String> missing = new TreeSet<>();
    for (Method method : Layers.class.getMethods()) {
      if (Operand.class.isAssignableFrom(method.getReturnType())
          && !NOT_LAYERS.contains(method.getName())
          && !covered.contains(method.getName())) {
        missing.add(method.getName());
      }
    }
    assertEquals(Set.of(), missing, "Layers methods without a gradient-coverage case");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "mse",
        "mae",
        "huber",
        "bceLogits",
        "bce",
        "cceLogits",
        "cce",
        "onesLikeTarget",
        "zerosLikeTarget"
      })
  void everyLoss(String loss) {
    MissingGradients.register();
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      VariableStore store = new VariableStore(tf);
      Layers nn = new Layers(tf, store, "m", tf.constant(true), tf.constant(0L), 1);
      Operand<TFloat32> x = tf.constant(new float[][] {{1, 2}, {3, -1}, {0.5f, 0.5f}});
      Operand<TFloat32> logits = nn.dense(x, 2);
      Operand<TFloat32> targets = tf.constant(new float[][] {{1, 0}, {0, 1}, {1, 0}});
      Operand<TFloat32> probabilities = tf.nn.softmax(logits);
      Operand<TFloat32> value =
          switch (loss) {
            case "mse" -> Losses.meanSquaredError(tf, logits, targets);
            case "mae" -> Losses.meanAbsoluteError(tf, logits, targets, Reduction.MEAN);
            case "huber" -> Losses.huber(tf, logits, targets, 1, Reduction.MEAN);
            case "bceLogits" ->
                Losses.binaryCrossentropy(tf, logits, targets, true, Reduction.MEAN);
            case "bce" ->
                Losses.binaryCrossentropy(tf, probabilities, targets, false, Reduction.SUM);
            case "cceLogits" ->
                Losses.categoricalCrossentropy(tf, logits, targets, true, Reduction.MEAN);
            // a GAN's losses: the targets are built from the very output they judge
            case "onesLikeTarget" ->
                Losses.binaryCrossentropy(tf, logits, tf.onesLike(logits), true, Reduction.MEAN);
            case "zerosLikeTarget" ->
                Losses.binaryCrossentropy(tf, logits, tf.zerosLike(logits), true, Reduction.MEAN);
            default ->
                Losses.categoricalCrossentropy(tf, probabilities, targets, false, Reduction.MEAN);
          };
      List<Operand<?>> weights = new ArrayList<>();
      store.all().forEach(variable -> weights.add(variable.read()));
      var gradients = tf.gradients(value, weights);
      for (int i = 0; i < weights.size(); i++) {
        assertNotNull(gradients.dy(i), loss + ": gradient of " + weights.get(i));
      }
    }
  }
}
