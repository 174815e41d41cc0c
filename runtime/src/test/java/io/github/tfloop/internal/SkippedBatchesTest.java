package io.github.tfloop.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tfloop.data.Dataset;
import io.github.tfloop.train.History;
import io.github.tfloop.train.LoopOptions;
import io.github.tfloop.train.NonFinite;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Under {@link NonFinite#SKIP}, a batch holding a NaN leaves no trace: the epoch's loss and
 * metrics, batch normalisation's moving statistics and the weights are exactly those of a fit on
 * the same data without that batch.
 */
class SkippedBatchesTest {

  private static final Dataset DATA = Classifier.data(128, 1);

  /** Example 35 is in the third batch of 16 (no shuffling). */
  private static final Dataset WITH_NAN = Normalised.withNaN(DATA, 35);

  private static final Dataset WITHOUT_THAT_BATCH = Normalised.without(DATA, 32, 48);

  private record Outcome(
      History history, double[] mean, double[] variance, Map<String, float[]> weights) {}

  private static Outcome fit(Dataset data, int stepsPerExecution) {
    LoopOptions options =
        LoopOptions.builder()
            .epochs(2)
            .shuffle(false)
            .nonFinite(NonFinite.SKIP)
            .stepsPerExecution(stepsPerExecution)
            .build();
    try (Trainer loop = Normalised.build(options)) {
      History history = loop.fit(data, null);
      return new Outcome(
          history,
          loop.variableValues(Normalised.MOVING_MEAN),
          loop.variableValues(Normalised.MOVING_VARIANCE),
          loop.trainableWeights());
    }
  }

  @ParameterizedTest(name = "stepsPerExecution {0}")
  @ValueSource(ints = {1, 4})
  void aSkippedBatchCountsNowhere(int stepsPerExecution) {
    Outcome skipped = fit(WITH_NAN, stepsPerExecution);
    Outcome without = fit(WITHOUT_THAT_BATCH, stepsPerExecution);
    for (int epoch = 0; epoch < 2; epoch++) {
      Map<String, Double> withNan = skipped.history().epochs().get(epoch).metrics();
      Map<String, Double> clean = without.history().epochs().get(epoch).metrics();
      assertEquals(1.0, withNan.get("skipped_batches"), withNan.toString());
      assertEquals(0.0, clean.get("skipped_batches"), clean.toString());
      assertTrue(Double.isFinite(withNan.get("loss")), withNan.toString());
      assertEquals(clean.get("loss"), withNan.get("loss"), "epoch " + (epoch + 1) + " loss");
      assertEquals(clean.get("accuracy"), withNan.get("accuracy"), "epoch " + (epoch + 1));
    }
    assertArrayEquals(without.mean(), skipped.mean(), "moving mean");
    assertArrayEquals(without.variance(), skipped.variance(), "moving variance");
    without
        .weights()
        .forEach((name, values) -> assertArrayEquals(values, skipped.weights().get(name), name));
  }
}
