package io.github.tfloop.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tfloop.data.FloatColumn;
import io.github.tfloop.train.Evaluation;
import io.github.tfloop.train.LastBatch;
import io.github.tfloop.train.LoopOptions;
import java.io.IOException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** The Auto MPG regression: its weighted loss, its schedule and what it learns. */
class FuelEfficiencyTest {

  private static AutoMpg data;

  @BeforeAll
  static void load() throws IOException {
    data = AutoMpg.load(0.2, 1);
  }

  @Test
  void theDataIsEveryCompleteCarSplitFourToOne() {
    assertEquals(392, data.train().size() + data.test().size());
    assertEquals(78, data.test().size());
    float min = Float.MAX_VALUE;
    float max = -Float.MAX_VALUE;
    for (float target : ((FloatColumn) data.train().column("target")).values()) {
      min = Math.min(min, target);
      max = Math.max(max, target);
    }
    assertEquals(0f, min);
    assertEquals(1f, max);
  }

  @Test
  void theLossWeighsErrorsOnEfficientCarsTwice() {
    float[][] predictions = {{0.2f}, {0.9f}, {0.55f}, {0.1f}};
    float[][] targets = {{0.4f}, {0.6f}, {0.5f}, {0.8f}};
    double expected = 0;
    for (int i = 0; i < targets.length; i++) {
      double error = predictions[i][0] - targets[i][0];
      expected += (targets[i][0] > 0.5f ? 2 : 1) * error * error / targets.length;
    }
    try (Graph graph = new Graph();
        Session session = new Session(graph)) {
      Ops tf = Ops.create(graph);
      Operand<TFloat32> loss =
          new FuelEfficiency().weightedMse(tf, tf.constant(predictions), tf.constant(targets));
      try (Result result = session.runner().fetch(loss).run()) {
        assertEquals(expected, ((TFloat32) result.get(0)).getFloat(), 1e-7);
      }
    }
  }

  @Test
  void learnsFarBetterThanTheMeanAndDecaysItsLearningRate() {
    LoopOptions options = LoopOptions.builder().epochs(50).lastBatch(LastBatch.PARTIAL).build();
    try (FuelEfficiencyLoop loop = FuelEfficiencyLoop.create(new FuelEfficiency(), options)) {
      assertEquals(3e-3, loop.learningRate(), 1e-9);
      loop.fit(data.train());
      // exponential decay: 3e-3 * 0.5^(t / 500) after t updates (10 per epoch here)
      long updates = loop.globalStep();
      assertEquals(500, updates);
      assertEquals(3e-3 * Math.pow(0.5, updates / 500.0), loop.learningRate(), 1e-9);

      double range = data.mpg().scale()[0];
      Evaluation test = loop.evaluate(data.test());
      double meanAbsoluteError = test.get("mae") * range;
      // Measured: 2.9 mpg; predicting the training mean misses by about 6.4 mpg.
      assertTrue(meanAbsoluteError < 4.0, "test MAE " + meanAbsoluteError + " mpg");
      assertTrue(test.get("rmse") >= test.get("mae"), test.toString());
    }
  }
}
