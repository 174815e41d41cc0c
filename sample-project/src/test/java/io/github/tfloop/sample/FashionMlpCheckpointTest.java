package io.github.tfloop.sample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tfloop.checkpoint.CheckpointPolicy;
import io.github.tfloop.checkpoint.CheckpointStore;
import io.github.tfloop.data.Dataset;
import io.github.tfloop.data.FloatColumn;
import io.github.tfloop.monitor.TensorBoard;
import io.github.tfloop.train.History;
import io.github.tfloop.train.LoopOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/** The generated FashionMlpLoop's checkpoints, resume, TensorBoard logs and SavedModel export. */
class FashionMlpCheckpointTest {

  private static Dataset train;
  private static Dataset validation;
  private static float[] questions;

  @BeforeAll
  static void load() throws IOException {
    FashionMnist data = FashionMnist.bundled();
    Dataset.Split split = data.train().take(1280).split(0.25, 42);
    train = split.train();
    validation = split.validation();
    questions = ((FloatColumn) data.test().take(20).column("image")).values();
  }

  @Test
  void resumingTheSecondEpochFromACheckpointGivesTheWeightsOfOneFit(@TempDir Path directory) {
    float[] uninterrupted;
    try (FashionMlpLoop loop =
        FashionMlpLoop.create(new FashionMlp(), LoopOptions.builder().epochs(2).build())) {
      loop.fit(train, validation);
      uninterrupted = loop.predict(questions);
    }
    CheckpointPolicy policy = CheckpointPolicy.in(directory.resolve("checkpoints")).everySteps(10);
    try (FashionMlpLoop loop =
        FashionMlpLoop.create(
            new FashionMlp(), LoopOptions.builder().epochs(1).checkpoints(policy).build())) {
      loop.fit(train, validation);
    }
    TensorBoard tensorBoard = TensorBoard.to(directory.resolve("runs")).everySteps(10);
    try (FashionMlpLoop loop =
        FashionMlpLoop.create(
            new FashionMlp(),
            LoopOptions.builder().epochs(2).checkpoints(policy).listener(tensorBoard).build())) {
      History history = loop.resume(train, validation);
      assertEquals(2, history.epochs().size(), "epoch 1 restored, epoch 2 trained");
      assertEquals(2 * (960 / 32), loop.globalStep());
      assertArrayEquals(uninterrupted, loop.predict(questions), 0f);
    }
    assertTrue(Files.isDirectory(tensorBoard.trainDirectory()));
    assertTrue(Files.isDirectory(tensorBoard.validationDirectory()));
    assertEquals(3, CheckpointStore.open(policy.directory()).checkpoints().size());
  }

  @Test
  void exportedSavedModelPredictsWhatTheLoopPredicts(@TempDir Path directory) {
    Path exported = directory.resolve("fashion-mlp/1");
    float[] expected;
    try (FashionMlpLoop loop = FashionMlpLoop.create(new FashionMlp())) {
      loop.fit(train);
      expected = loop.predict(questions);
      loop.exportSavedModel(exported);
    }
    try (SavedModelBundle model = SavedModelBundle.load(exported.toString(), "serve");
        TFloat32 images = TFloat32.tensorOf(Shape.of(20, 28, 28), DataBuffers.of(questions));
        Result result = model.function("serving_default").call(Map.of("image", images))) {
      float[] actual = new float[expected.length];
      ((TFloat32) result.get("output").orElseThrow()).asRawTensor().data().asFloats().read(actual);
      // the same classes; logits equal up to float rounding (TensorFlow may fuse the frozen
      // graph's ops differently: measured differences are about 1e-6)
      for (int i = 0; i < 20; i++) {
        assertEquals(argMax(expected, i), argMax(actual, i), "image " + i);
      }
      assertArrayEquals(expected, actual, 1e-4f);
    }
  }

  private static int argMax(float[] logits, int example) {
    int best = 0;
    for (int i = 1; i < 10; i++) {
      if (logits[example * 10 + i] > logits[example * 10 + best]) {
        best = i;
      }
    }
    return best;
  }
}
