package io.github.tfloop.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tfloop.train.LoopOptions;
import io.github.tfloop.train.NonFinite;
import io.github.tfloop.train.NonFiniteException;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.tensorflow.exceptions.TFInvalidArgumentException;

/**
 * {@code step()} names what is wrong with its batch, as {@code fit} does, instead of letting
 * TensorFlow's exception out; the failed batch changes nothing, and the loop trains on.
 */
class StepBoundaryTest {

  private static final float[] POINTS = {0.5f, -0.5f, -0.25f, 0.75f};
  private static final int[] SIDES = {1, 0};

  private static float step(Trainer loop, float[] points, int[] sides) {
    return TestLoops.step(loop, sides.length, Classifier.POINT, points, Classifier.SIDE, sides);
  }

  @ParameterizedTest
  @EnumSource(NonFinite.class)
  void aLabelOutsideTheClassesIsNamed(NonFinite policy) {
    try (Trainer loop = Normalised.build(LoopOptions.builder().nonFinite(policy).build())) {
      step(loop, POINTS, SIDES);
      IllegalArgumentException error =
          assertThrows(IllegalArgumentException.class, () -> step(loop, POINTS, new int[] {0, 7}));
      assertEquals(
          "NormalisedLoop.step at global step 2: label 'side' of example 1 is 7, outside [0, 2):"
              + " the model's logits have 2 classes",
          error.getMessage());
      assertInstanceOf(TFInvalidArgumentException.class, error.getCause());
      assertEquals(1, loop.globalStep(), "the failed batch is not counted");
      step(loop, POINTS, SIDES);
      assertEquals(2, loop.globalStep());
    }
  }

  @ParameterizedTest
  @EnumSource(NonFinite.class)
  void aBatchWithoutExamplesIsRefused(NonFinite policy) {
    try (Trainer loop = Normalised.build(LoopOptions.builder().nonFinite(policy).build())) {
      IllegalArgumentException error =
          assertThrows(IllegalArgumentException.class, () -> step(loop, new float[0], new int[0]));
      assertEquals(
          "NormalisedLoop.step: the batch has no examples; a step trains on at least one",
          error.getMessage());
      assertEquals(0, loop.globalStep());
    }
  }

  /** Under STOP, a NaN batch ends step() as it ends fit, and leaves every variable as it was. */
  @org.junit.jupiter.api.Test
  void stopEndsStepWithANonFiniteExceptionAndChangesNothing() {
    try (Trainer loop = Normalised.build(LoopOptions.builder().nonFinite(NonFinite.STOP).build())) {
      step(loop, POINTS, SIDES);
      Map<String, float[]> weights = loop.trainableWeights();
      double[] mean = loop.variableValues(Normalised.MOVING_MEAN);
      double[] variance = loop.variableValues(Normalised.MOVING_VARIANCE);

      float[] nan = POINTS.clone();
      nan[2] = Float.NaN;
      NonFiniteException error =
          assertThrows(NonFiniteException.class, () -> step(loop, nan, SIDES));
      assertEquals(
          "Normalised: step 'train' met a non-finite value at global step 2 (a step() call): the"
              + " first is loss of step 'train' (NaN); the update was not applied",
          error.getMessage());
      assertEquals("train", error.step());
      assertEquals(2, error.globalStep());
      assertEquals(0, error.epoch());
      assertEquals(0, error.batch());
      assertInstanceOf(TFInvalidArgumentException.class, error.getCause());

      assertArrayEquals(mean, loop.variableValues(Normalised.MOVING_MEAN), "moving mean");
      assertArrayEquals(variance, loop.variableValues(Normalised.MOVING_VARIANCE));
      loop.trainableWeights()
          .forEach((name, values) -> assertArrayEquals(weights.get(name), values, name));
      assertEquals(1, loop.globalStep());
      assertTrue(Float.isFinite(step(loop, POINTS, SIDES)));
      assertEquals(2, loop.globalStep());
    }
  }
}
