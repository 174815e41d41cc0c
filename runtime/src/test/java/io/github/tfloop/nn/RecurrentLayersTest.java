package io.github.tfloop.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;

/**
 * LSTM and GRU layers against Keras's published results, a plain-Java forward pass, Keras's
 * initialisers, and numeric gradients.
 */
class RecurrentLayersTest {

  private final LayerHarness harness = new LayerHarness();

  @AfterEach
  void close() {
    harness.close();
  }

  /** {@code np.arange(72).reshape((3, 6, 4))}, the input of Keras's own correctness tests. */
  private Operand<TFloat32> kerasSequence() {
    double[] values = new double[72];
    for (int i = 0; i < values.length; i++) {
      values[i] = i;
    }
    return harness.floats(values, 3, 6, 4);
  }

  /**
   * keras/src/layers/rnn/lstm_test.py, {@code test_correctness}: {@code LSTM(3)} with every kernel
   * element 0.01, recurrent kernel 0.02, bias initialiser 0.03 (so the forget quarter is 1, by
   * {@code unit_forget_bias}); and with {@code unit_forget_bias=False} (bias 0.03 throughout).
   */
  @Test
  void lstmReproducesKerasPublishedOutputs() {
    Operand<TFloat32> output = harness.layers("m").lstm(kerasSequence(), 3);
    harness.fill("m/lstm/kernel", 0.01);
    harness.fill("m/lstm/recurrent_kernel", 0.02);
    harness.assign(
        "m/lstm/bias", new double[] {.03, .03, .03, 1, 1, 1, .03, .03, .03, .03, .03, .03});
    assertArrayEquals(
        new double[] {
          0.6288687, 0.6288687, 0.6288687,
          0.86899155, 0.86899155, 0.86899155,
          0.9460773, 0.9460773, 0.9460773
        },
        harness.eval(output),
        1e-5);
    harness.fill("m/lstm/bias", 0.03);
    assertArrayEquals(
        new double[] {
          0.57019705, 0.57019705, 0.57019705,
          0.8661914, 0.8661914, 0.8661914,
          0.9459622, 0.9459622, 0.9459622
        },
        harness.eval(output),
        1e-5);
  }

  /** keras/src/layers/rnn/gru_test.py, {@code test_correctness}: {@code GRU(3)}, the same setup. */
  @Test
  void gruReproducesKerasPublishedOutputs() {
    Operand<TFloat32> output = harness.layers("m").gru(kerasSequence(), 3);
    harness.fill("m/gru/kernel", 0.01);
    harness.fill("m/gru/recurrent_kernel", 0.02);
    harness.fill("m/gru/bias", 0.03);
    assertArrayEquals(
        new double[] {
          0.5217289, 0.5217289, 0.5217289,
          0.6371659, 0.6371659, 0.6371659,
          0.39384964, 0.39384964, 0.3938496
        },
        harness.eval(output),
        1e-5);
  }

  @Test
  void lstmMatchesAPlainJavaForwardPassAtEveryStep() {
    int batch = 3;
    int timesteps = 5;
    int features = 4;
    int units = 6;
    double[] x = LayerHarness.random(batch * timesteps * features, 1.5, 7);
    Layers nn = harness.layers("m");
    Operand<TFloat32> sequences =
        nn.lstm(harness.floats(x, batch, timesteps, features), units, true);
    assertEquals(3, sequences.shape().numDimensions());
    assertEquals(timesteps, sequences.shape().get(1));
    assertEquals(units, sequences.shape().get(2));
    // random weights (the initial bias is too regular to catch a mixed-up gate)
    harness.assign("m/lstm/bias", LayerHarness.random(4 * units, 1, 8));
    double[] expected =
        Reference.lstm(
            x,
            batch,
            timesteps,
            features,
            units,
            harness.weight("m/lstm/kernel"),
            harness.weight("m/lstm/recurrent_kernel"),
            harness.weight("m/lstm/bias"));
    assertArrayEquals(expected, harness.eval(sequences), 2e-6);
  }

  @Test
  void gruMatchesAPlainJavaForwardPassAtEveryStep() {
    int batch = 2;
    int timesteps = 7;
    int features = 3;
    int units = 5;
    double[] x = LayerHarness.random(batch * timesteps * features, 1.5, 9);
    Layers nn = harness.layers("m");
    Operand<TFloat32> input = harness.floats(x, batch, timesteps, features);
    Operand<TFloat32> sequences = nn.gru(input, units, true);
    Operand<TFloat32> last =
        harness.layers("m").gru(input, units); // shares the first build's weights
    harness.assign("m/gru/bias", LayerHarness.random(2 * 3 * units, 1, 10));
    double[] expected =
        Reference.gru(
            x,
            batch,
            timesteps,
            features,
            units,
            harness.weight("m/gru/kernel"),
            harness.weight("m/gru/recurrent_kernel"),
            harness.weight("m/gru/bias"));
    assertArrayEquals(expected, harness.eval(sequences), 2e-6);
    assertArrayEquals(
        Reference.lastStep(expected, batch, timesteps, units), harness.eval(last), 2e-6);
  }

  @Test
  void weightsAreNamedAndShapedAsKerasLaysThemOut() {
    Layers nn = harness.layers("forecast");
    Operand<TFloat32> x = harness.floats(new double[2 * 5 * 3], 2, 5, 3);
    Operand<TFloat32> first = nn.lstm(x, 8, true);
    nn.lstm(first, 4);
    nn.gru(x, 6);
    assertEquals(
        List.of(
            "forecast/lstm/kernel [3, 32]",
            "forecast/lstm/recurrent_kernel [8, 32]",
            "forecast/lstm/bias [32]",
            "forecast/lstm_1/kernel [8, 16]",
            "forecast/lstm_1/recurrent_kernel [4, 16]",
            "forecast/lstm_1/bias [16]",
            "forecast/gru/kernel [3, 18]",
            "forecast/gru/recurrent_kernel [6, 18]",
            "forecast/gru/bias [2, 18]"),
        harness.store.all().stream().map(Object::toString).toList());
  }

  @Test
  void initialWeightsFollowKeras() {
    int units = 16;
    int features = 40;
    Layers nn = harness.layers("m");
    Operand<TFloat32> x = harness.floats(new double[features], 1, 1, features);
    nn.lstm(x, units);
    nn.gru(x, units);
    // unit_forget_bias: the forget gate's quarter of the bias is one, the rest zero
    double[] bias = harness.weight("m/lstm/bias");
    for (int i = 0; i < 4 * units; i++) {
      assertEquals(i >= units && i < 2 * units ? 1 : 0, bias[i], 0, "lstm bias " + i);
    }
    assertArrayEquals(new double[2 * 3 * units], harness.weight("m/gru/bias"), 0);
    // glorot_uniform kernels
    for (String kernel : List.of("m/lstm/kernel", "m/gru/kernel")) {
      double[] values = harness.weight(kernel);
      double limit = Math.sqrt(6.0 / (features + values.length / features));
      double largest = 0;
      for (double value : values) {
        largest = Math.max(largest, Math.abs(value));
      }
      assertTrue(
          largest <= limit && largest > 0.9 * limit, kernel + ": " + largest + " vs " + limit);
    }
    // orthogonal recurrent kernels [units, k * units]: orthonormal rows
    assertOrthonormalRows(harness.weight("m/lstm/recurrent_kernel"), units, 4 * units);
    assertOrthonormalRows(harness.weight("m/gru/recurrent_kernel"), units, 3 * units);
  }

  private static void assertOrthonormalRows(double[] matrix, int rows, int columns) {
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < rows; j++) {
        double dot = 0;
        for (int c = 0; c < columns; c++) {
          dot += matrix[i * columns + c] * matrix[j * columns + c];
        }
        assertEquals(i == j ? 1 : 0, dot, 1e-5, "row " + i + " · row " + j);
      }
    }
  }

  @Test
  void orthogonalInitialiserMakesOrthonormalColumnsOfATallKernel() {
    Operand<TFloat32> kernel =
        harness
            .layers("m")
            .variable("w", Shape.of(3, 4, 5), TFloat32.class, Initializer.orthogonal());
    double[] values = harness.eval(kernel); // flattened to [12, 5]: orthonormal columns
    for (int a = 0; a < 5; a++) {
      for (int b = 0; b < 5; b++) {
        double dot = 0;
        for (int r = 0; r < 12; r++) {
          dot += values[r * 5 + a] * values[r * 5 + b];
        }
        assertEquals(a == b ? 1 : 0, dot, 1e-5);
      }
    }
  }

  @Test
  void lstmGradientsMatchNumericGradients() {
    Operand<TFloat64> x = harness.doubles(LayerHarness.random(2 * 4 * 3, 1, 11), 2, 4, 3);
    Operand<TFloat64> output = harness.layers("m").lstm(x, 3, true);
    harness.assertGradientsMatchNumeric(output, List.of(x));
  }

  @Test
  void gruGradientsMatchNumericGradients() {
    Operand<TFloat64> x = harness.doubles(LayerHarness.random(2 * 4 * 3, 1, 12), 2, 4, 3);
    Layers nn = harness.layers("m");
    Operand<TFloat64> output = nn.gru(x, 3, true);
    harness.assign(
        "m/gru/bias", LayerHarness.random(18, 0.5, 13)); // non-zero: its gradient matters
    harness.assertGradientsMatchNumeric(output, List.of(x));
  }

  @Test
  void stackedRecurrentLayersGradientsMatchNumericGradients() {
    Operand<TFloat64> x = harness.doubles(LayerHarness.random(2 * 3 * 2, 1, 14), 2, 3, 2);
    Layers nn = harness.layers("m");
    Operand<TFloat64> output = nn.gru(nn.lstm(x, 3, true), 2);
    harness.assertGradientsMatchNumeric(output, List.of(x));
  }

  @Test
  void aSequenceWithoutFeaturesIsRejectedWithTheLayerNamed() {
    Layers nn = harness.layers("forecast");
    nn.lstm(harness.floats(new double[6], 1, 2, 3), 2);
    Operand<TFloat32> flat = harness.floats(new double[12], 2, 6);
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> nn.lstm(flat, 4));
    assertEquals(
        "lstm layer 'forecast/lstm_1': expected an input [batch, timesteps, features] with known"
            + " timesteps and features (a sequence of single values needs a features dimension of"
            + " 1: @Feature(shape = {timesteps, 1}) or reshape(x, timesteps, 1)), found [2, 6]",
        error.getMessage());
    IllegalArgumentException units =
        assertThrows(
            IllegalArgumentException.class,
            () -> nn.gru(harness.floats(new double[6], 1, 2, 3), 0));
    assertEquals("gru layer 'forecast/gru': units must be positive, got 0", units.getMessage());
  }

  @Test
  void rebuildingWithAnotherWidthNamesTheVariable() {
    harness.layers("m").lstm(harness.floats(new double[6], 1, 2, 3), 2);
    Layers again = harness.layers("m");
    Operand<TFloat32> wider = harness.floats(new double[8], 1, 2, 4);
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> again.lstm(wider, 2));
    assertEquals(
        "variable 'm/lstm/kernel' was built as TFloat32 [3, 8] and is now asked for as TFloat32"
            + " [4, 8]",
        error.getMessage());
  }
}
