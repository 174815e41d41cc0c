package io.github.tfloop.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * SavedModels without variables: tfloop's exports (tested with a loop in {@code
 * SavedModelLayerLoopTest}) and others, which hold no weights to read.
 */
class FrozenGraphSourceTest {

  @Test
  void aSavedModelWithoutVariablesNorTfloopsConstantsHasNoWeights(@TempDir Path dir)
      throws IOException {
    Path exported = dir.resolve("doubled");
    try (Graph graph = new Graph();
        Session session = new Session(graph)) {
      Ops tf = Ops.create(graph);
      Placeholder<TFloat32> x = tf.withName("x").placeholder(TFloat32.class);
      SavedModelBundle.exporter(exported.toString())
          .withSession(session)
          .withSignature(
              Signature.builder()
                  .key("serving_default")
                  .input("x", x)
                  .output("y", tf.math.mul(x, tf.withName("two").constant(2f)))
                  .build())
          .export();
    }
    WeightFileException error =
        assertThrows(WeightFileException.class, () -> WeightSource.open(exported));
    assertEquals(exported, error.file());
    assertEquals(
        exported
            + ": is a SavedModel without variables (no variables/variables.index) and without"
            + " weights frozen as constants named variables/<variable>/read, as tfloop's"
            + " exportSavedModel writes them: there are no weights to read",
        error.getMessage());
  }
}
