package io.github.tfloop.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;

/** Multi-head attention against a plain-Java forward pass, Keras's layout and numeric gradients. */
class AttentionLayersTest {

  private static final String[] WEIGHTS = {
    "query/kernel",
    "query/bias",
    "key/kernel",
    "key/bias",
    "value/kernel",
    "value/bias",
    "attention_output/kernel",
    "attention_output/bias"
  };

  private final LayerHarness harness = new LayerHarness();

  @AfterEach
  void close() {
    harness.close();
  }

  /** Random biases too, so that a bias added in the wrong place shows. */
  private double[][] randomiseBiasesAndRead(String layer) {
    double[][] weights = new double[WEIGHTS.length][];
    for (int i = 0; i < WEIGHTS.length; i++) {
      String name = "m/" + layer + "/" + WEIGHTS[i];
      if (WEIGHTS[i].endsWith("bias")) {
        int size = (int) harness.variable(name).shape().size();
        harness.assign(name, LayerHarness.random(size, 0.5, 20 + i));
      }
      weights[i] = harness.weight(name);
    }
    return weights;
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void selfAttentionMatchesAPlainJavaForwardPass(boolean causal) {
    int batch = 2;
    int timesteps = 5;
    int features = 6;
    int heads = 3;
    int keyDim = 4;
    double[] x = LayerHarness.random(batch * timesteps * features, 1, 3);
    Operand<TFloat32> input = harness.floats(x, batch, timesteps, features);
    Operand<TFloat32> output =
        harness.layers("m").multiHeadAttention(input, input, heads, keyDim, causal);
    assertEquals(List.of(2L, 5L, 6L), shapeOf(output));
    double[][] weights = randomiseBiasesAndRead("multi_head_attention");
    double[] expected =
        Reference.multiHeadAttention(
            x, x, batch, timesteps, features, timesteps, features, heads, keyDim, causal, weights);
    assertArrayEquals(expected, harness.eval(output), 2e-6);
  }

  @Test
  void crossAttentionOverLongerValuesMatchesAPlainJavaForwardPass() {
    int batch = 2;
    double[] query = LayerHarness.random(batch * 3 * 4, 1, 4);
    double[] value = LayerHarness.random(batch * 7 * 5, 1, 5);
    Operand<TFloat32> output =
        harness
            .layers("m")
            .multiHeadAttention(
                harness.floats(query, batch, 3, 4), harness.floats(value, batch, 7, 5), 2, 3);
    assertEquals(List.of(2L, 3L, 4L), shapeOf(output));
    double[][] weights = randomiseBiasesAndRead("multi_head_attention");
    double[] expected =
        Reference.multiHeadAttention(query, value, batch, 3, 4, 7, 5, 2, 3, false, weights);
    assertArrayEquals(expected, harness.eval(output), 2e-6);
  }

  private static List<Long> shapeOf(Operand<?> operand) {
    long[] dims = operand.shape().asArray();
    return java.util.Arrays.stream(dims).boxed().toList();
  }

  @Test
  void aCausalLayerIgnoresLaterSteps() {
    double[] x = LayerHarness.random(1 * 6 * 4, 1, 6);
    double[] changedTail = x.clone();
    for (int i = 3 * 4; i < x.length; i++) {
      changedTail[i] += 5; // steps 3, 4, 5
    }
    Operand<TFloat32> a = harness.floats(x, 1, 6, 4);
    Operand<TFloat32> b = harness.floats(changedTail, 1, 6, 4);
    double[] outA = harness.eval(harness.layers("m").multiHeadAttention(a, a, 2, 2, true));
    double[] outB = harness.eval(harness.layers("m").multiHeadAttention(b, b, 2, 2, true));
    for (int i = 0; i < 3 * 4; i++) {
      assertEquals(outA[i], outB[i], 1e-6, "steps 0-2 do not see steps 3-5: " + i);
    }
    boolean laterDiffer = false;
    for (int i = 3 * 4; i < x.length; i++) {
      laterDiffer |= Math.abs(outA[i] - outB[i]) > 1e-3;
    }
    assertTrue(laterDiffer, "steps 3-5 see themselves");
  }

  @Test
  void weightsAreNamedAndShapedAsKerasLaysThemOut() {
    Operand<TFloat32> query = harness.floats(new double[2 * 5 * 8], 2, 5, 8);
    Operand<TFloat32> value = harness.floats(new double[2 * 7 * 6], 2, 7, 6);
    Layers nn = harness.layers("m");
    nn.multiHeadAttention(query, value, 4, 16);
    nn.multiHeadAttention(query, query, 2, 3);
    assertEquals(
        List.of(
            "m/multi_head_attention/query/kernel [8, 4, 16]",
            "m/multi_head_attention/query/bias [4, 16]",
            "m/multi_head_attention/key/kernel [6, 4, 16]",
            "m/multi_head_attention/key/bias [4, 16]",
            "m/multi_head_attention/value/kernel [6, 4, 16]",
            "m/multi_head_attention/value/bias [4, 16]",
            "m/multi_head_attention/attention_output/kernel [4, 16, 8]",
            "m/multi_head_attention/attention_output/bias [8]"),
        harness.store.all().stream().limit(8).map(Object::toString).toList());
    assertEquals(
        "m/multi_head_attention_1/query/kernel [8, 2, 3]",
        harness.store.all().stream().skip(8).findFirst().orElseThrow().toString());
  }

  /**
   * Kernels are glorot_uniform with Keras's fans for a {@code [d, heads, dim]} kernel: fan-in
   * {@code heads · d}, fan-out {@code dim · d}; biases start at zero.
   */
  @Test
  void initialWeightsFollowKeras() {
    Operand<TFloat32> x = harness.floats(new double[20 * 32], 1, 20, 32);
    harness.layers("m").multiHeadAttention(x, x, 8, 16);
    double[] kernel = harness.weight("m/multi_head_attention/query/kernel");
    double limit = Math.sqrt(6.0 / (8 * 32 + 16 * 32));
    double largest = 0;
    double squares = 0;
    for (double value : kernel) {
      largest = Math.max(largest, Math.abs(value));
      squares += value * value;
    }
    assertTrue(largest <= limit && largest > 0.95 * limit, largest + " vs " + limit);
    assertEquals(limit / Math.sqrt(3), Math.sqrt(squares / kernel.length), 0.03 * limit);
    assertArrayEquals(new double[8 * 16], harness.weight("m/multi_head_attention/query/bias"), 0);
    assertArrayEquals(
        new double[32], harness.weight("m/multi_head_attention/attention_output/bias"), 0);
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void gradientsMatchNumericGradients(boolean causal) {
    Operand<TFloat64> x = harness.doubles(LayerHarness.random(2 * 4 * 3, 1, 30), 2, 4, 3);
    Operand<TFloat64> output = harness.layers("m").multiHeadAttention(x, x, 2, 2, causal);
    randomiseBiasesAndRead("multi_head_attention");
    harness.assertGradientsMatchNumeric(output, List.of(x));
  }

  @Test
  void crossAttentionGradientsMatchNumericGradients() {
    Operand<TFloat64> query = harness.doubles(LayerHarness.random(2 * 2 * 3, 1, 31), 2, 2, 3);
    Operand<TFloat64> key = harness.doubles(LayerHarness.random(2 * 3 * 2, 1, 32), 2, 3, 2);
    Operand<TFloat64> value = harness.doubles(LayerHarness.random(2 * 3 * 4, 1, 33), 2, 3, 4);
    Operand<TFloat64> output =
        harness.layers("m").multiHeadAttention(query, key, value, 2, 2, false);
    harness.assertGradientsMatchNumeric(output, List.of(query, key, value));
  }

  @Test
  void mismatchedKeyAndValueAreRejectedWithTheLayerNamed() {
    Operand<TFloat32> query = harness.floats(new double[2 * 5 * 8], 2, 5, 8);
    Operand<TFloat32> key = harness.floats(new double[2 * 4 * 8], 2, 4, 8);
    Operand<TFloat32> value = harness.floats(new double[2 * 6 * 8], 2, 6, 8);
    Layers nn = harness.layers("decoder");
    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class,
            () -> nn.multiHeadAttention(query, key, value, 2, 4, false));
    assertEquals(
        "multiHeadAttention layer 'decoder/multi_head_attention': expected key and value of the"
            + " same timesteps, found key [2, 4, 8] and value [2, 6, 8]",
        error.getMessage());
    Operand<TFloat32> flat = harness.floats(new double[16], 2, 8);
    IllegalArgumentException notSequence =
        assertThrows(
            IllegalArgumentException.class, () -> nn.multiHeadAttention(query, flat, 2, 4));
    assertTrue(
        notSequence
            .getMessage()
            .startsWith(
                "multiHeadAttention layer 'decoder/multi_head_attention_1': expected the key"
                    + " [batch, timesteps, features] with known timesteps and features"),
        notSequence.getMessage());
    assertTrue(notSequence.getMessage().endsWith("found [2, 8]"), notSequence.getMessage());
  }
}
