package io.github.tfloop.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tensorflow.Operand;
import org.tensorflow.exceptions.TFInvalidArgumentException;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.StdArrays;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TUint8;

/** Embedding and Conv1D against plain-Java values, Keras's layout and numeric gradients. */
class SequenceLayersTest {

  private final LayerHarness harness = new LayerHarness();

  @AfterEach
  void close() {
    harness.close();
  }

  @Test
  void embeddingLooksUpOneRowPerTokenId() {
    int[][] ids = {{3, 0, 9}, {9, 9, 1}};
    Operand<TFloat32> vectors = harness.layers("m").embedding(harness.tf.constant(ids), 10, 4);
    assertEquals(Shape.of(2, 3, 4), vectors.shape());
    double[] table = harness.weight("m/embedding/embeddings");
    double[] expected = new double[2 * 3 * 4];
    for (int b = 0; b < 2; b++) {
      for (int t = 0; t < 3; t++) {
        System.arraycopy(table, ids[b][t] * 4, expected, (b * 3 + t) * 4, 4);
      }
    }
    assertArrayEquals(expected, harness.eval(vectors), 0);
  }

  @Test
  void embeddingTakesInt64AndNarrowerIntegerIds() {
    Layers nn = harness.layers("m");
    Operand<TFloat32> fromLong = nn.embedding(harness.tf.constant(new long[][] {{2, 1}}), 3, 2);
    Operand<TFloat32> fromByte =
        harness
            .layers("m")
            .embedding(
                harness.tf.dtypes.cast(harness.tf.constant(new int[][] {{2, 1}}), TUint8.class),
                3,
                2);
    double[] table = harness.weight("m/embedding/embeddings");
    double[] expected = {table[4], table[5], table[2], table[3]};
    assertArrayEquals(expected, harness.eval(fromLong), 0);
    assertArrayEquals(expected, harness.eval(fromByte), 0);
  }

  @Test
  void embeddingStartsUniformInKerasRange() {
    harness.layers("m").embedding(harness.tf.constant(new int[][] {{0}}), 500, 64);
    assertEquals(Shape.of(500, 64), harness.variable("m/embedding/embeddings").shape());
    double[] table = harness.weight("m/embedding/embeddings");
    double low = 1;
    double high = -1;
    double sum = 0;
    for (double value : table) {
      low = Math.min(low, value);
      high = Math.max(high, value);
      sum += value;
    }
    assertTrue(low >= -0.05 && low < -0.049, "min " + low);
    assertTrue(high < 0.05 && high > 0.049, "max " + high);
    assertEquals(0, sum / table.length, 0.001);
  }

  @Test
  void anOutOfRangeTokenIdFailsTheRunNamingIt() {
    Placeholder<TInt32> ids =
        harness.tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(-1, 2)));
    Operand<TFloat32> vectors = harness.layers("m").embedding(ids, 10, 4);
    harness.session();
    try (TInt32 bad = TInt32.tensorOf(StdArrays.ndCopyOf(new int[][] {{0, 12}}))) {
      TFInvalidArgumentException error =
          assertThrows(
              TFInvalidArgumentException.class,
              () -> harness.session().runner().feed(ids, bad).fetch(vectors).run().close());
      assertTrue(
          error.getMessage().contains("indices[0,1] = 12 is not in [0, 10)"), error.getMessage());
    }
  }

  @Test
  void embeddingGradientsMatchNumericGradients() {
    Operand<TFloat64> vectors =
        harness
            .layers("m")
            .embedding(
                harness.tf.constant(new int[][] {{1, 1, 4}, {0, 4, 2}}), 5, 3, TFloat64.class);
    harness.assertGradientsMatchNumeric(vectors, List.of());
  }

  @ParameterizedTest
  @CsvSource({"3, 1, SAME", "4, 1, SAME", "3, 2, SAME", "4, 2, SAME", "3, 1, VALID", "2, 3, VALID"})
  void conv1dMatchesAPlainJavaConvolution(int size, int stride, Padding padding) {
    int batch = 2;
    int steps = 7;
    int channels = 3;
    int filters = 4;
    double[] x = LayerHarness.random(batch * steps * channels, 1, 40);
    Operand<TFloat32> output =
        harness
            .layers("m")
            .conv1d(
                harness.floats(x, batch, steps, channels),
                filters,
                size,
                stride,
                padding,
                Activation.LINEAR);
    harness.assign("m/conv1d/bias", LayerHarness.random(filters, 1, 41));
    double[] expected =
        Reference.conv1d(
            x,
            batch,
            steps,
            channels,
            harness.weight("m/conv1d/kernel"),
            harness.weight("m/conv1d/bias"),
            size,
            filters,
            stride,
            padding == Padding.SAME);
    int outSteps =
        padding == Padding.SAME ? (steps + stride - 1) / stride : (steps - size) / stride + 1;
    assertEquals(Shape.of(batch, outSteps, filters), output.shape());
    assertArrayEquals(expected, harness.eval(output), 2e-6);
  }

  @Test
  void conv1dWeightsAreLaidOutAsKerasLaysThemOut() {
    Operand<TFloat32> x = harness.floats(new double[2 * 9 * 5], 2, 9, 5);
    Layers nn = harness.layers("m");
    nn.conv1d(nn.conv1d(x, 8, 3, Activation.RELU), 2, 1, Activation.TANH);
    assertEquals(
        List.of(
            "m/conv1d/kernel [3, 5, 8]",
            "m/conv1d/bias [8]",
            "m/conv1d_1/kernel [1, 8, 2]",
            "m/conv1d_1/bias [2]"),
        harness.store.all().stream().map(Object::toString).toList());
  }

  @Test
  void conv1dAppliesItsActivationAndTheKernelRegularizer() {
    Operand<TFloat32> x = harness.floats(LayerHarness.random(1 * 5 * 2, 1, 42), 1, 5, 2);
    Layers nn = harness.layers("m").kernelRegularizer(Regularizer.l2(0.5));
    double[] relu = harness.eval(nn.conv1d(x, 6, 3, Activation.RELU));
    boolean someZero = false;
    for (double value : relu) {
      assertTrue(value >= 0);
      someZero |= value == 0;
    }
    assertTrue(someZero, "relu clips some outputs");
    double[] kernel = harness.weight("m/conv1d/kernel");
    double squares = 0;
    for (double value : kernel) {
      squares += value * value;
    }
    List<Operand<TFloat32>> penalties = harness.store.penalties(List.of("m"));
    assertEquals(1, penalties.size());
    assertEquals(0.5 * squares, harness.eval(penalties.get(0))[0], 1e-5);
  }

  @Test
  void conv1dGradientsMatchNumericGradients() {
    Operand<TFloat64> x = harness.doubles(LayerHarness.random(2 * 5 * 2, 1, 43), 2, 5, 2);
    Operand<TFloat64> output =
        harness.layers("m").conv1d(x, 3, 3, 2, Padding.SAME, Activation.TANH);
    harness.assertGradientsMatchNumeric(output, List.of(x));
  }

  @Test
  void conv1dRejectsBadInputsWithTheLayerNamed() {
    Layers nn = harness.layers("m");
    IllegalArgumentException image =
        assertThrows(
            IllegalArgumentException.class,
            () -> nn.conv1d(harness.floats(new double[16], 1, 2, 2, 4), 3, 2, Activation.RELU));
    assertTrue(
        image
            .getMessage()
            .startsWith("conv1d layer 'm/conv1d': expected an input [batch, timesteps, features]"),
        image.getMessage());
    assertTrue(image.getMessage().endsWith("found [1, 2, 2, 4]"), image.getMessage());
    IllegalArgumentException shortInput =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                nn.conv1d(
                    harness.floats(new double[4], 1, 2, 2),
                    3,
                    5,
                    1,
                    Padding.VALID,
                    Activation.RELU));
    assertEquals(
        "conv1d layer 'm/conv1d_1': with VALID padding the input needs at least kernelSize = 5"
            + " steps, found [1, 2, 2]",
        shortInput.getMessage());
  }

  @Test
  void layersKeepAnUnknownBatchAndKnowEveryOtherDimension() {
    Placeholder<TInt64> tokens =
        harness.tf.placeholder(TInt64.class, Placeholder.shape(Shape.of(-1, 12)));
    Layers nn = harness.layers("m");
    Operand<TFloat32> x = nn.embedding(tokens, 100, 16);
    assertEquals("[-1, 12, 16]", x.shape().toString());
    x = nn.conv1d(x, 8, 3, 2, Padding.SAME, Activation.RELU);
    assertEquals("[-1, 6, 8]", x.shape().toString());
    Operand<TFloat32> attended = nn.multiHeadAttention(x, x, 2, 4, true);
    assertEquals("[-1, 6, 8]", attended.shape().toString());
    x = nn.layerNorm(nn.add(x, attended));
    assertEquals("[-1, 6, 8]", x.shape().toString());
    Operand<TFloat32> sequences = nn.gru(nn.lstm(x, 5, true), 3, true);
    assertEquals("[-1, 6, 3]", sequences.shape().toString());
    assertEquals("[-1, 6, 11]", nn.concatenate(sequences, x).shape().toString());
    assertEquals("[-1, 3]", nn.globalAvgPool(sequences).shape().toString());
    assertEquals("[-1, 8]", nn.globalMaxPool(x).shape().toString());
    assertEquals("[-1, 4]", nn.lstm(x, 4).shape().toString());
  }
}
