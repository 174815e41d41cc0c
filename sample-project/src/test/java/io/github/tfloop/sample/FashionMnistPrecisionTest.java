package io.github.tfloop.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tfloop.train.LoopOptions;
import io.github.tfloop.train.Precision;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The main job's {@code --precision}, and the MLP trained in mixed bfloat16 on the subset. */
class FashionMnistPrecisionTest {

  @Test
  void precisionArgumentNamesEachPrecision() {
    assertEquals(Precision.FLOAT32, FashionMnistTraining.precision("f32"));
    assertEquals(Precision.MIXED_BFLOAT16, FashionMnistTraining.precision("bf16"));
    assertEquals(Precision.MIXED_FLOAT16, FashionMnistTraining.precision("f16"));
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> FashionMnistTraining.precision("fp8"));
    assertEquals("--precision must be f32, bf16 or f16, got 'fp8'", error.getMessage());
  }

  @Test
  void bfloat16MlpLearnsAsTheFloat32OneDoes() throws IOException {
    FashionMnist data = FashionMnist.bundled();
    double[] accuracy = new double[2];
    Precision[] precisions = {Precision.FLOAT32, Precision.MIXED_BFLOAT16};
    for (int i = 0; i < 2; i++) {
      LoopOptions options = LoopOptions.builder().epochs(2).precision(precisions[i]).build();
      try (FashionMlpLoop loop = FashionMlpLoop.create(new FashionMlp(), options)) {
        loop.fit(data.train());
        accuracy[i] = loop.evaluate(data.test()).get("accuracy");
      }
    }
    // measured: 0.822 in float32, within a point in bfloat16 (1,000 test images)
    assertTrue(accuracy[1] > 0.75, "bfloat16: " + accuracy[1]);
    assertEquals(accuracy[0], accuracy[1], 0.03, "float32 " + accuracy[0]);
  }
}
