package io.github.tfloop.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;

/**
 * Layer normalisation, add, concatenate and global pooling against plain-Java values, with their
 * shape errors.
 */
class NormalizationAndMergingTest {

  private final LayerHarness harness = new LayerHarness();

  @AfterEach
  void close() {
    harness.close();
  }

  @Test
  void layerNormNormalisesEachExampleOverItsFeatures() {
    double[] x = LayerHarness.random(2 * 3 * 5, 4, 50);
    for (int i = 0; i < x.length; i++) {
      x[i] += i % 5; // a different mean per feature
    }
    Layers nn = harness.layers("m");
    Operand<TFloat32> normalised = nn.layerNorm(harness.floats(x, 2, 3, 5));
    Operand<TFloat32> loose = nn.layerNorm(harness.floats(x, 6, 5), 0.5);
    assertArrayEquals(new double[] {1, 1, 1, 1, 1}, harness.weight("m/layer_norm/gamma"), 0);
    assertArrayEquals(new double[5], harness.weight("m/layer_norm/beta"), 0);
    harness.assign("m/layer_norm/gamma", LayerHarness.random(5, 2, 51));
    harness.assign("m/layer_norm/beta", LayerHarness.random(5, 2, 52));
    double[] expected =
        Reference.layerNorm(
            x, 5, harness.weight("m/layer_norm/gamma"), harness.weight("m/layer_norm/beta"), 1e-3);
    assertArrayEquals(expected, harness.eval(normalised), 2e-5);
    assertArrayEquals(expected, harness.eval(normalised, true), 2e-5, "the same when training");
    double[] one = {1, 1, 1, 1, 1};
    assertArrayEquals(
        Reference.layerNorm(x, 5, one, new double[5], 0.5), harness.eval(loose), 2e-6);
    assertEquals(
        List.of(
            "m/layer_norm/gamma [5]",
            "m/layer_norm/beta [5]",
            "m/layer_norm_1/gamma [5]",
            "m/layer_norm_1/beta [5]"),
        harness.store.all().stream().map(Object::toString).toList());
  }

  @Test
  void layerNormGradientsMatchNumericGradients() {
    Operand<TFloat64> x = harness.doubles(LayerHarness.random(3 * 4, 2, 53), 3, 4);
    Operand<TFloat64> output = harness.layers("m").layerNorm(x);
    harness.assign("m/layer_norm/gamma", LayerHarness.random(4, 2, 54));
    harness.assertGradientsMatchNumeric(output, List.of(x));
  }

  @Test
  void layerNormRejectsAVectorWithTheLayerNamed() {
    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class,
            () -> harness.layers("m").layerNorm(harness.floats(new double[4], 4)));
    assertEquals(
        "layerNorm layer 'm/layer_norm': expected an input [batch, ..., features] with known"
            + " features, found [4]",
        error.getMessage());
  }

  @Test
  void addSumsInputsOfOneShape() {
    double[] a = LayerHarness.random(6, 1, 60);
    double[] b = LayerHarness.random(6, 1, 61);
    double[] c = LayerHarness.random(6, 1, 62);
    Layers nn = harness.layers("m");
    Operand<TFloat32> sum2 = nn.add(harness.floats(a, 2, 3), harness.floats(b, 2, 3));
    Operand<TFloat32> sum3 =
        nn.add(List.of(harness.floats(a, 2, 3), harness.floats(b, 2, 3), harness.floats(c, 2, 3)));
    double[] two = new double[6];
    double[] three = new double[6];
    for (int i = 0; i < 6; i++) {
      two[i] = a[i] + b[i];
      three[i] = a[i] + b[i] + c[i];
    }
    assertArrayEquals(two, harness.eval(sum2), 1e-6);
    assertArrayEquals(three, harness.eval(sum3), 1e-6);
  }

  @Test
  void addExplainsAResidualOfAnotherWidth() {
    Layers nn = harness.layers("block");
    Operand<TFloat32> x = harness.floats(new double[2 * 4 * 8], 2, 4, 8);
    Operand<TFloat32> y = harness.floats(new double[2 * 4 * 16], 2, 4, 16);
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> nn.add(x, y));
    assertEquals(
        "add in model 'block': expected inputs of one shape, found input 0 [2, 4, 8] and input 1"
            + " [2, 4, 16]; for a residual connection, project the narrower input to the other's"
            + " width first (dense, or conv1d with kernelSize 1)",
        error.getMessage());
    IllegalArgumentException one =
        assertThrows(IllegalArgumentException.class, () -> nn.add(List.of(x)));
    assertEquals("add in model 'block': expected at least 2 inputs, found 1", one.getMessage());
  }

  @Test
  void concatenateJoinsAlongTheGivenAxis() {
    double[] a = {1, 2, 3, 4}; // [2, 1, 2]
    double[] b = {5, 6, 7, 8, 9, 10, 11, 12}; // [2, 2, 2]
    Layers nn = harness.layers("m");
    Operand<TFloat32> alongSteps =
        nn.concatenate(List.of(harness.floats(a, 2, 1, 2), harness.floats(b, 2, 2, 2)), 1);
    assertArrayEquals(
        new double[] {1, 2, 5, 6, 7, 8, 3, 4, 9, 10, 11, 12}, harness.eval(alongSteps), 0);
    Operand<TFloat32> alongFeatures =
        nn.concatenate(harness.floats(a, 2, 2), harness.floats(new double[] {0, -1}, 2, 1));
    assertArrayEquals(new double[] {1, 2, 0, 3, 4, -1}, harness.eval(alongFeatures), 0);
  }

  @Test
  void concatenateNamesWhatDoesNotFit() {
    Layers nn = harness.layers("m");
    Operand<TFloat32> a = harness.floats(new double[2 * 3 * 4], 2, 3, 4);
    Operand<TFloat32> b = harness.floats(new double[2 * 5 * 4], 2, 5, 4);
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> nn.concatenate(a, b));
    assertEquals(
        "concatenate in model 'm': expected inputs that differ only along axis 2, found input 0"
            + " [2, 3, 4] and input 1 [2, 5, 4]",
        error.getMessage());
    IllegalArgumentException batchAxis =
        assertThrows(IllegalArgumentException.class, () -> nn.concatenate(List.of(a, b), 0));
    assertEquals(
        "concatenate in model 'm': axis 0 is outside the example dimensions of [2, 3, 4] (axis 0"
            + " is the batch; use 1..2 or -1..-2)",
        batchAxis.getMessage());
  }

  @Test
  void globalPoolingReducesStepsOrPixelsPerChannel() {
    double[] sequence = {1, -2, 3, 4, -5, 6}; // [1, 3 steps, 2 channels]
    double[] image = {1, 2, 3, 4, 5, 6, 7, -8}; // [1, 2, 2, 2]
    Layers nn = harness.layers("m");
    assertArrayEquals(
        new double[] {-1 / 3.0, 8 / 3.0},
        harness.eval(nn.globalAvgPool(harness.floats(sequence, 1, 3, 2))),
        1e-6);
    assertArrayEquals(
        new double[] {3, 6}, harness.eval(nn.globalMaxPool(harness.floats(sequence, 1, 3, 2))), 0);
    assertArrayEquals(
        new double[] {4, 1}, harness.eval(nn.globalAvgPool(harness.floats(image, 1, 2, 2, 2))), 0);
    assertArrayEquals(
        new double[] {7, 6}, harness.eval(nn.globalMaxPool(harness.floats(image, 1, 2, 2, 2))), 0);
  }

  @Test
  void globalPoolingRejectsAFlatInput() {
    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class,
            () -> harness.layers("m").globalMaxPool(harness.floats(new double[6], 2, 3)));
    assertEquals(
        "globalMaxPool in model 'm': expected an input [batch, steps, channels] or [batch, height,"
            + " width, channels], found [2, 3]",
        error.getMessage());
  }
}
