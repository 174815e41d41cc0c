package io.github.tfloop.sample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tfloop.data.Dataset;
import io.github.tfloop.data.FloatColumn;
import io.github.tfloop.data.IntColumn;
import io.github.tfloop.train.Evaluation;
import io.github.tfloop.train.History;
import io.github.tfloop.train.LoopOptions;
import io.github.tfloop.train.NativeResources;
import java.io.IOException;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The generated FashionMlpLoop trained on the bundled Fashion-MNIST subset. */
class FashionMlpTest {

  /**
   * Test accuracy after two epochs on the 6,000 bundled training images. Measured: 0.822 (seed 42,
   * batch 32); chance is 0.10. The floor leaves room for other CPUs' rounding.
   */
  private static final double ACCURACY_FLOOR = 0.75;

  private static FashionMnist data;

  @BeforeAll
  static void load() throws IOException {
    data = FashionMnist.bundled();
  }

  @Test
  void trainsWellAboveChanceAndClosesItsSession() {
    int openBefore = NativeResources.openSessions();
    LoopOptions options = LoopOptions.builder().epochs(2).build();
    try (FashionMlpLoop loop = FashionMlpLoop.create(new FashionMlp(), options)) {
      assertEquals(openBefore + 1, NativeResources.openSessions());
      History history = loop.fit(data.train());
      assertEquals(2, history.epochs().size());
      assertTrue(history.values("loss")[1] < history.values("loss")[0], history.toString());

      Evaluation test = loop.evaluate(data.test());
      assertEquals(1000, test.examples());
      assertTrue(test.get("accuracy") > ACCURACY_FLOOR, test.toString());
      assertEquals(2 * (6000 / 32), loop.globalStep());
    }
    assertEquals(openBefore, NativeResources.openSessions());
  }

  @Test
  void predictAgreesWithEvaluate() {
    try (FashionMlpLoop loop = FashionMlpLoop.create(new FashionMlp())) {
      loop.fit(data.train());
      Dataset test = data.test();
      float[] logits = loop.predict(((FloatColumn) test.column("image")).values());
      int[] labels = ((IntColumn) test.column("label")).values();
      assertEquals(test.size() * 10, logits.length);
      int correct = 0;
      for (int i = 0; i < labels.length; i++) {
        if (argMax(logits, i * 10, 10) == labels[i]) {
          correct++;
        }
      }
      assertEquals(loop.evaluate(test).get("accuracy"), correct / (double) labels.length, 1e-9);
    }
  }

  @Test
  void stepLowersTheLossOfItsBatch() {
    Dataset batch = data.train().take(32);
    float[] images = ((FloatColumn) batch.column("image")).values();
    int[] labels = ((IntColumn) batch.column("label")).values();
    try (FashionMlpLoop loop = FashionMlpLoop.create(new FashionMlp())) {
      float first = loop.step(images, labels);
      float last = first;
      for (int i = 0; i < 20; i++) {
        last = loop.step(images, labels);
      }
      assertTrue(Float.isFinite(first));
      assertTrue(last < first / 4, "loss went from " + first + " to " + last);
      IllegalArgumentException mismatch =
          assertThrows(
              IllegalArgumentException.class, () -> loop.step(images, Arrays.copyOf(labels, 31)));
      assertEquals(
          "label: expected 32 values (32 examples of scalar), got 31", mismatch.getMessage());
    }
  }

  @Test
  void sameSeedTrainsToTheSameWeights() {
    float[][] predictions = new float[2][];
    for (int run = 0; run < 2; run++) {
      try (FashionMlpLoop loop = FashionMlpLoop.create(new FashionMlp())) {
        loop.fit(data.train().take(2000));
        predictions[run] =
            loop.predict(((FloatColumn) data.test().take(50).column("image")).values());
      }
    }
    assertArrayEquals(predictions[0], predictions[1], 0f);
  }

  private static int argMax(float[] values, int from, int length) {
    int best = 0;
    for (int i = 1; i < length; i++) {
      if (values[from + i] > values[from + best]) {
        best = i;
      }
    }
    return best;
  }
}
