package io.github.tfloop.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tfloop.data.Dataset;
import io.github.tfloop.internal.Classifier;
import io.github.tfloop.internal.Trainer;
import io.github.tfloop.train.LoopOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/** A trained classifier exported, loaded back in a fresh session, and asked the same questions. */
class SavedModelExportTest {

  @Test
  void loadedModelPredictsWhatTheLoopPredicts(@TempDir Path directory) {
    Dataset data = Classifier.data(256, 1);
    Dataset questions = Classifier.data(50, 2);
    float[] points = (float[]) questions.column("point").values();
    Path model = directory.resolve("model/1");
    float[] expected;
    try (Trainer engine = Classifier.build(LoopOptions.builder().epochs(3).build())) {
      engine.fit(data, null);
      expected = engine.predictFloats(questions);
      engine.exportSavedModel(model);
      // the export froze the weights: training on does not change it
      engine.fit(data, null);
    }
    assertTrue(Files.isRegularFile(model.resolve("saved_model.pb")));
    try (SavedModelBundle bundle = SavedModelBundle.load(model.toString(), SavedModelExport.TAG);
        TFloat32 input = TFloat32.tensorOf(Shape.of(50, 2), DataBuffers.of(points));
        Result result = bundle.function(SavedModelExport.SERVING).call(Map.of("point", input))) {
      TFloat32 logits = (TFloat32) result.get("output").orElseThrow();
      assertEquals(Shape.of(50, 2), logits.shape());
      float[] actual = new float[100];
      logits.asRawTensor().data().asFloats().read(actual);
      assertArrayEquals(expected, actual, 0f);
    }
  }

  @Test
  void refusesToOverwrite(@TempDir Path directory) {
    try (Trainer engine = Classifier.build(LoopOptions.defaults())) {
      IllegalArgumentException error =
          assertThrows(IllegalArgumentException.class, () -> engine.exportSavedModel(directory));
      assertEquals(
          "cannot export a SavedModel to "
              + directory
              + ": it exists; export to a new"
              + " directory (SavedModels are versioned: model/1, model/2)",
          error.getMessage());
    }
  }
}
