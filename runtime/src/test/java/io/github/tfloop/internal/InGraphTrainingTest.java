package io.github.tfloop.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.tfloop.data.Dataset;
import io.github.tfloop.train.Execution;
import io.github.tfloop.train.History;
import io.github.tfloop.train.LastBatch;
import io.github.tfloop.train.LoopOptions;
import io.github.tfloop.train.FitControl;
import io.github.tfloop.train.TrainingListener;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Several batches per call train exactly as one batch per call does. */
class InGraphTrainingTest {

  @ParameterizedTest
  @CsvSource({"4, NATIVE", "7, RUNNER", "100, NATIVE"})
  void trainsTheSameWeightsAsOneBatchPerCall(int stepsPerExecution, Execution execution) {
    Dataset train = LoopEngineTest.line(200, 21); // 12 full batches of 16 and 8 examples left over
    Dataset probe = Dataset.builder().add(LoopEngineTest.X, new float[] {0.5f, -0.25f, 2}).build();
    LoopOptions oneAtATime =
        LoopOptions.builder().epochs(3).lastBatch(LastBatch.PARTIAL).execution(execution).build();
    float[] expected;
    History expectedHistory;
    try (LoopEngine engine = LoopEngineTest.regression(oneAtATime)) {
      expectedHistory = engine.fit(train, null);
      expected = engine.predictFloats(probe);
    }
    List<String> batchEvents = new ArrayList<>();
    TrainingListener recorder =
        new TrainingListener() {
          @Override
          public void onBatchBegin(FitControl fit, int epoch, int batch) {
            batchEvents.add("begin " + batch);
          }

          @Override
          public void onBatchEnd(FitControl fit, int epoch, int batch) {
            batchEvents.add("end " + batch);
          }
        };
    LoopOptions inGraph =
        oneAtATime.toBuilder().stepsPerExecution(stepsPerExecution).listener(recorder).build();
    try (LoopEngine engine = LoopEngineTest.regression(inGraph)) {
      History history = engine.fit(train, null);
      assertArrayEquals(expected, engine.predictFloats(probe), 0f);
      assertEquals(expectedHistory.last().get("loss"), history.last().get("loss"), 0.0);
      assertEquals(3 * 13, engine.globalStep());
    }
    List<String> expectedEvents = new ArrayList<>();
    for (int epoch = 0; epoch < 3; epoch++) {
      for (int first = 1; first <= 12; first += stepsPerExecution) {
        expectedEvents.add("begin " + first);
        expectedEvents.add("end " + Math.min(12, first + stepsPerExecution - 1));
      }
      expectedEvents.add("begin 13"); // the partial batch, on its own
      expectedEvents.add("end 13");
    }
    assertEquals(expectedEvents, batchEvents);
  }
}
