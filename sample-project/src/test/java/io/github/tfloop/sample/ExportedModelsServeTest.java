package io.github.tfloop.sample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.tfloop.data.FloatColumn;
import io.github.tfloop.export.SavedModelExport;
import io.github.tfloop.train.LastBatch;
import io.github.tfloop.train.LoopOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.SessionFunction;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.RewriterConfig.Toggle;
import org.tensorflow.types.TFloat32;

/**
 * Every sample model, trained briefly, exported, and served by plain TensorFlow Java ({@code
 * SavedModelBundle}, a fresh graph and session) on real test data: the served outputs are the
 * loop's {@code predict} outputs (bit for bit once Grappler's kernel fusion is off, see {@link
 * #check}), and a second export of the same weights is the same bytes.
 */
class ExportedModelsServeTest {

  private static FashionMnist fashion;

  @TempDir Path directory;

  @BeforeAll
  static void load() throws IOException {
    fashion = FashionMnist.bundled();
  }

  private static float[] testImages() {
    return ((FloatColumn) fashion.test().column("image")).values();
  }

  @Test
  void fashionMlp() throws IOException {
    float[] images = testImages();
    try (FashionMlpLoop loop =
        FashionMlpLoop.create(new FashionMlp(), LoopOptions.builder().epochs(1).build())) {
      loop.fit(fashion.train().take(2000));
      check(loop::exportSavedModel, loop.predict(images), "image", images, 28, 28);
    }
  }

  /** Random flips, batch normalisation and dropout: what only training does is not exported. */
  @Test
  void fashionCnn() throws IOException {
    float[] images = testImages();
    try (FashionCnnLoop loop =
        FashionCnnLoop.create(new FashionCnn(), LoopOptions.builder().epochs(1).build())) {
      loop.fit(fashion.train().take(640));
      check(loop::exportSavedModel, loop.predict(images), "image", images, 28, 28);
    }
  }

  @Test
  void fuelEfficiency() throws IOException {
    AutoMpg cars = AutoMpg.load(0.2, 1);
    float[] test = ((FloatColumn) cars.test().column("car")).values();
    LoopOptions options = LoopOptions.builder().epochs(5).lastBatch(LastBatch.PARTIAL).build();
    try (FuelEfficiencyLoop loop = FuelEfficiencyLoop.create(new FuelEfficiency(), options)) {
      loop.fit(cars.train());
      check(loop::exportSavedModel, loop.predict(test), "car", test, AutoMpg.FEATURES);
    }
  }

  /** The generator alone: served from noise, without the critic's real samples. */
  @Test
  void mixtureGanGenerator() throws IOException {
    float[] noise = GaussianMixture.noise(1000, new SplittableRandom(7));
    try (MixtureGanLoop loop =
        MixtureGanLoop.create(new MixtureGan(), LoopOptions.builder().epochs(1).build())) {
      loop.fit(GaussianMixture.sample(1280, 1));
      check(loop::exportSavedModel, loop.predict(noise), "noise", noise, GaussianMixture.NOISE);
    }
  }

  private interface Export {
    void to(Path directory);
  }

  /**
   * Exports twice, then serves {@code values} (examples of {@code exampleShape}) as the only input,
   * {@code input}, and compares with {@code predicted}, what the loop's {@code predict} returned.
   */
  private void check(
      Export export, float[] predicted, String input, float[] values, long... exampleShape)
      throws IOException {
    Path model = directory.resolve("model/1");
    Path again = directory.resolve("model/2");
    export.to(model);
    export.to(again);
    assertEquals(Set.of("saved_model.pb"), files(model).keySet());
    assertArrayEquals(
        Files.readAllBytes(model.resolve("saved_model.pb")),
        Files.readAllBytes(again.resolve("saved_model.pb")),
        "the same weights exported twice");

    // Served as TensorFlow Serving would, with the default options: the same to the last bits or
    // so. Grappler's remapper fuses a matrix product or convolution with the bias (and ReLU)
    // after it into one oneDNN kernel, which rounds differently. It does so in the exported graph
    // and not in the training graph, where those intermediate results also feed the gradients.
    float[] served = serve(model, ConfigProto.getDefaultInstance(), input, values, exampleShape);
    for (int i = 0; i < predicted.length; i++) {
      assertEquals(predicted[i], served[i], 1e-5f * Math.max(1f, Math.abs(predicted[i])));
    }
    // Without that fusion, the exported graph computes exactly what predict computes.
    ConfigProto.Builder unfused = ConfigProto.newBuilder();
    unfused.getGraphOptionsBuilder().getRewriteOptionsBuilder().setRemapping(Toggle.OFF);
    served = serve(model, unfused.build(), input, values, exampleShape);
    assertArrayEquals(predicted, served, 0f, "served (unfused) and predicted differ");
  }

  /** Loads {@code model} with {@code config} and serves {@code values} as {@code input}. */
  private static float[] serve(
      Path model, ConfigProto config, String input, float[] values, long[] exampleShape) {
    long[] shape = new long[exampleShape.length + 1];
    shape[0] = values.length / Shape.of(exampleShape).size();
    System.arraycopy(exampleShape, 0, shape, 1, exampleShape.length);
    try (SavedModelBundle bundle =
            SavedModelBundle.loader(model.toString())
                .withTags(SavedModelExport.TAG)
                .withConfigProto(config)
                .load();
        TFloat32 tensor = TFloat32.tensorOf(Shape.of(shape), DataBuffers.of(values))) {
      SessionFunction serving = bundle.function(SavedModelExport.SERVING);
      assertEquals(Set.of(input), serving.signature().inputNames());
      try (Result result = serving.call(Map.of(input, tensor))) {
        TFloat32 output = (TFloat32) result.get("output").orElseThrow();
        assertEquals(shape[0], output.shape().get(0));
        float[] served = new float[(int) output.size()];
        output.asRawTensor().data().asFloats().read(served);
        return served;
      }
    }
  }

  private static Map<String, Long> files(Path directory) throws IOException {
    Map<String, Long> files = new java.util.TreeMap<>();
    try (var all = Files.walk(directory)) {
      for (Path file : (Iterable<Path>) all::iterator) {
        if (Files.isRegularFile(file)) {
          files.put(directory.relativize(file).toString(), Files.size(file));
        }
      }
    }
    return files;
  }
}
