package io.github.tfloop.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jhdf.HdfFile;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.ndarray.Shape;

class KerasSourceTest {

  @TempDir Path dir;

  private static float[] filled(int size, float value) {
    float[] values = new float[size];
    Arrays.fill(values, value);
    return values;
  }

  private static void assertNestedContainerWeights(WeightSource source) {
    assertEquals(
        List.of(
            new WeightEntry("layers/dense/vars/0", WeightType.FLOAT32, Shape.of(4, 4)),
            new WeightEntry("layers/dense_1/vars/0", WeightType.FLOAT32, Shape.of(4, 4)),
            new WeightEntry("layers/dense_2/vars/0", WeightType.FLOAT32, Shape.of(4, 4)),
            new WeightEntry("layers/dense_3/vars/0", WeightType.FLOAT32, Shape.of(4, 2)),
            new WeightEntry("layers/dense_3/vars/1", WeightType.FLOAT32, Shape.of(2))),
        source.entries());
    // saving_lib_test.py: blocks[i].kernel = 0.1 * (i + 1), out.kernel = 0.5, out.bias = 0.
    assertArrayEquals(filled(16, 0.1f), source.readFloats("layers/dense/vars/0"));
    assertArrayEquals(filled(16, 0.2f), source.readFloats("layers/dense_1/vars/0"));
    assertArrayEquals(filled(16, 0.3f), source.readFloats("layers/dense_2/vars/0"));
    assertArrayEquals(filled(8, 0.5f), source.readFloats("layers/dense_3/vars/0"));
    assertArrayEquals(new float[2], source.readFloats("layers/dense_3/vars/1"));
  }

  @Test
  void readsAKeras3Archive() {
    Path file = Fixtures.path("keras3_nested/pre_pr22362_nested_container.keras");
    try (WeightSource source = WeightSource.open(file)) {
      assertEquals(".keras archive " + file + " (Keras 3.15.0)", source.description());
      assertNestedContainerWeights(source);
      assertTrue(((KerasSource) source).config().contains("\"class_name\": \"NestedDenseModel\""));
    }
  }

  @Test
  void readsAKeras3WeightsFile() {
    Path file = Fixtures.path("keras3_nested/model.weights.h5");
    try (WeightSource source = WeightSource.keras(file)) {
      assertEquals("Keras weights file " + file + " (Keras 3 layout)", source.description());
      assertNestedContainerWeights(source);
    }
  }

  /** Values compared with the HDF5 library's own h5dump (see the fixtures' README). */
  @Test
  void readsALegacyKeras2WholeModelFile() {
    Path file = Fixtures.path("keras2_mnist_mlp/mnist.h5");
    try (WeightSource source = WeightSource.open(file)) {
      assertEquals(
          "Keras weights file " + file + " (legacy Keras model, Keras 2.2.4-tf)",
          source.description());
      assertEquals(
          List.of(
              new WeightEntry("dense_6/kernel", WeightType.FLOAT32, Shape.of(784, 128)),
              new WeightEntry("dense_6/bias", WeightType.FLOAT32, Shape.of(128)),
              new WeightEntry("dense_7/kernel", WeightType.FLOAT32, Shape.of(128, 10)),
              new WeightEntry("dense_7/bias", WeightType.FLOAT32, Shape.of(10))),
          source.entries()); // optimizer_weights/... are not model weights
      assertArrayEquals(
          new float[] {
            -0.17459771f, -0.0285187494f, 0.0227623414f, -0.0826971754f, 0.0561431721f,
            0.0807528719f, 0.0275558289f, -0.0879291594f, 0.148851559f, -0.0455090925f
          },
          source.readFloats("dense_7/bias"));
      float[] kernel = source.readFloats("dense_6/kernel");
      assertArrayEquals(
          new float[] {-0.02364612f, 0.0390790477f, 0.0231605917f},
          Arrays.copyOfRange(kernel, 0, 3));
      assertArrayEquals(
          new float[] {0.00731084496f, 0.0779095665f, -0.0401466601f},
          Arrays.copyOfRange(kernel, 128, 131));
      assertArrayEquals(
          new float[] {0.0749436542f, -0.0255035423f, -0.00126565248f},
          Arrays.copyOfRange(kernel, 783 * 128 + 125, 784 * 128));
    }
  }

  @Test
  void readsLegacyKeras2WeightsOnlyFileInLayerOrder() {
    try (WeightSource source = WeightSource.open(Fixtures.path("keras2_lstm/weights.h5"))) {
      assertEquals(
          List.of(
              "lstm_9/lstm_cell_9/kernel",
              "lstm_9/lstm_cell_9/recurrent_kernel",
              "lstm_9/lstm_cell_9/bias",
              "lstm_10/lstm_cell_10/kernel",
              "lstm_10/lstm_cell_10/recurrent_kernel",
              "lstm_10/lstm_cell_10/bias",
              "lstm_11/lstm_cell_11/kernel",
              "lstm_11/lstm_cell_11/recurrent_kernel",
              "lstm_11/lstm_cell_11/bias",
              "dense_3/kernel",
              "dense_3/bias"),
          source.entries().stream().map(WeightEntry::name).toList());
      assertEquals(Shape.of(41, 256), source.entry("lstm_9/lstm_cell_9/kernel").shape());
      float[] kernel = source.readFloats("lstm_9/lstm_cell_9/kernel");
      assertArrayEquals(
          new float[] {-0.0820479766f, -0.0818319023f, -0.121153452f, -0.0352649912f},
          Arrays.copyOfRange(kernel, 40 * 256 + 252, 41 * 256));
      assertArrayEquals(
          new float[] {-0.372962743f, -0.0610704124f, 0.0163765959f, -0.349356204f},
          Arrays.copyOfRange(source.readFloats("dense_3/bias"), 0, 4));
    }
  }

  @Test
  void aZipWithoutWeightsIsNotAKerasArchive() throws Exception {
    Path zip = dir.resolve("model.keras");
    try (OutputStream out = Files.newOutputStream(zip);
        ZipOutputStream entries = new ZipOutputStream(out)) {
      entries.putNextEntry(new ZipEntry("config.json"));
      entries.write("{}".getBytes());
      entries.closeEntry();
    }
    WeightFileException e = assertThrows(WeightFileException.class, () -> WeightSource.open(zip));
    assertEquals(
        zip
            + ": is a zip archive without model.weights.h5, so not a Keras 3 .keras file; it"
            + " holds [config.json]",
        e.getMessage());
  }

  @Test
  void anHdf5FileWithoutKerasWeightsSaysWhatItHolds() throws Exception {
    Path file = dir.resolve("other.h5");
    try (var written = HdfFile.write(file)) {
      written.putGroup("images").putDataset("pixels", new float[] {1, 2, 3});
    }
    WeightFileException e = assertThrows(WeightFileException.class, () -> WeightSource.keras(file));
    assertEquals(
        file
            + ": holds no Keras weights: neither Keras 3 groups of 'vars' nor a legacy"
            + " 'layer_names' attribute; its top level holds [images]",
        e.getMessage());
  }

  @Test
  void aFileOfAnotherKindIsRefused() throws Exception {
    Path file = Files.writeString(dir.resolve("weights.h5"), "not hdf5 at all");
    WeightFileException e = assertThrows(WeightFileException.class, () -> WeightSource.keras(file));
    assertEquals(
        file
            + ": is neither an HDF5 file (.weights.h5, .h5) nor a .keras archive: Keras weight"
            + " files are one of these",
        e.getMessage());
  }

  @Test
  void ordersNumberedNamesNaturally() {
    List<String> names =
        new java.util.ArrayList<>(List.of("dense_10", "dense", "dense_2", "conv2d", "dense_1"));
    names.sort(KerasSource::natural);
    assertEquals(List.of("conv2d", "dense", "dense_1", "dense_2", "dense_10"), names);
    List<String> vars = new java.util.ArrayList<>(List.of("10", "2", "0", "1"));
    vars.sort(KerasSource::natural);
    assertEquals(List.of("0", "1", "2", "10"), vars);
  }
}
