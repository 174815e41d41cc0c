package io.github.tfloop.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tfloop.checkpoint.CheckpointPolicy;
import io.github.tfloop.checkpoint.CheckpointStore;
import io.github.tfloop.data.Dataset;
import io.github.tfloop.internal.build.LoopBuilder;
import io.github.tfloop.internal.build.StepSpec;
import io.github.tfloop.loss.Losses;
import io.github.tfloop.optim.LearningRate;
import io.github.tfloop.optim.Optimizers;
import io.github.tfloop.train.Execution;
import io.github.tfloop.train.FitControl;
import io.github.tfloop.train.History;
import io.github.tfloop.train.LastBatch;
import io.github.tfloop.train.LoopOptions;
import io.github.tfloop.train.TrainingListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * Several batches per call train exactly as one batch per call does: the same weights to the bit
 * and the same loss, over two fits of three shuffled epochs with a partial last batch.
 */
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
    try (Trainer engine = LoopEngineTest.regression(oneAtATime)) {
      engine.fit(train, null);
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
    try (Trainer engine = LoopEngineTest.regression(inGraph)) {
      engine.fit(train, null); // the second fit copies the data into the graph again
      batchEvents.clear();
      History history = engine.fit(train, null);
      assertArrayEquals(expected, engine.predictFloats(probe), 0f);
      assertEquals(expectedHistory.last().get("loss"), history.last().get("loss"), 0.0);
      assertEquals(2 * 3 * 13, engine.globalStep());
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

  /** Two models, each with its own step, the second after the first on every batch. */
  private static Trainer twoSteps(LoopOptions options, int everyB) {
    LoopBuilder loop = LoopBuilder.create("Two", 8, 3L, options);
    try {
      Operand<TFloat32> x = loop.input(LoopEngineTest.X, TFloat32.class);
      Operand<TFloat32> y = loop.input(LoopEngineTest.Y, TFloat32.class);
      Operand<TFloat32> a = loop.output("a", loop.layers("a").dense(x, 1));
      Operand<TFloat32> b = loop.output("b", loop.layers("b").dense(a, 1));
      loop.loss("lossA", Losses.meanSquaredError(loop.ops(), a, y));
      loop.loss("lossB", Losses.meanSquaredError(loop.ops(), b, y));
      loop.step(
          StepSpec.named("trainA")
              .minimizing("lossA")
              .optimizer(Optimizers.sgd())
              .learningRate(LearningRate.constant(0.1))
              .variables("a"));
      loop.step(
          StepSpec.named("trainB")
              .minimizing("lossB")
              .optimizer(Optimizers.adam(0.9, 0.999, 1e-7))
              .learningRate(LearningRate.constant(0.05))
              .variables("b")
              .every(everyB));
      return Trainer.start(loop.build());
    } catch (RuntimeException e) {
      loop.abort();
      throw e;
    }
  }

  @Test
  void stepsRunInTheirOrderOnEveryBatch() {
    Dataset train = LoopEngineTest.line(96, 22);
    Dataset probe = Dataset.builder().add(LoopEngineTest.X, new float[] {0.5f, -1}).build();
    LoopOptions oneAtATime = LoopOptions.builder().epochs(2).build();
    float[] expected;
    try (Trainer engine = twoSteps(oneAtATime, 1)) {
      engine.fit(train, null);
      expected = engine.predictFloats(probe);
    }
    try (Trainer engine = twoSteps(oneAtATime.toBuilder().stepsPerExecution(5).build(), 1)) {
      assertTrue(engine.engine().trainsInGraph());
      engine.fit(train, null);
      assertArrayEquals(expected, engine.predictFloats(probe), 0f);
      assertEquals(2 * 12, engine.globalStep());
    }
  }

  @Test
  void aStepThatSkipsBatchesTrainsOneBatchPerCall() {
    LoopOptions options = LoopOptions.builder().stepsPerExecution(5).build();
    try (Trainer engine = twoSteps(options, 3)) {
      assertFalse(engine.engine().trainsInGraph());
      engine.fit(LoopEngineTest.line(96, 23), null);
      assertEquals(1.0 * 12 / 3, engine.variableValues("trainB/iterations")[0]);
    }
  }

  @Test
  void checkpointsLandOnTheirStepsAndResumeTrainsTheSame(@TempDir Path root) throws IOException {
    Dataset train = LoopEngineTest.line(192, 24); // 12 batches of 16 per epoch
    Dataset probe = Dataset.builder().add(LoopEngineTest.X, new float[] {0.5f, -1}).build();
    LoopOptions oneAtATime = LoopOptions.builder().epochs(2).build();
    float[] expected;
    try (Trainer engine = LoopEngineTest.regression(oneAtATime)) {
      engine.fit(train, null);
      expected = engine.predictFloats(probe);
    }
    Path all = root.resolve("all");
    LoopOptions inGraph =
        oneAtATime.toBuilder()
            .stepsPerExecution(4)
            .checkpoints(CheckpointPolicy.in(all).everySteps(5).everyEpochs(0).keepLast(100))
            .build();
    try (Trainer engine = LoopEngineTest.regression(inGraph)) {
      engine.fit(train, null);
      assertArrayEquals(expected, engine.predictFloats(probe), 0f);
    }
    List<Path> checkpoints = CheckpointStore.open(all).checkpoints();
    // after steps 5, 10, 15 and 20 (calls end there), and at the end
    assertEquals(24 / 5 + 1, checkpoints.size(), checkpoints.toString());
    Path fromStepTen = root.resolve("from-step-10");
    Path checkpoint = checkpoints.get(1);
    Files.createDirectories(fromStepTen.resolve(checkpoint.getFileName()));
    try (Stream<Path> files = Files.list(checkpoint)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        Files.copy(file, fromStepTen.resolve(checkpoint.getFileName()).resolve(file.getFileName()));
      }
    }
    LoopOptions resume = inGraph.toBuilder().checkpoints(CheckpointPolicy.in(fromStepTen)).build();
    try (Trainer engine = LoopEngineTest.regression(resume)) {
      engine.resume(train, null);
      assertArrayEquals(expected, engine.predictFloats(probe), 0f);
      assertEquals(24, engine.globalStep());
    }
  }
}
