package io.github.tfloop.data;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Prints how long {@link Dataset#fingerprint()} takes on the full Fashion-MNIST training set
 * (60,000 28×28 float images and their labels): the first call in a fresh JVM, which is what a fit
 * pays once, then ten more on new column objects over the same arrays. Prints, asserts nothing
 * about time; runs only when asked:
 *
 * <pre>
 * mvn -B -q verify -pl runtime -am -Dtest=FingerprintTiming -Dsurefire.failIfNoSpecifiedTests=false -Dtiming=true
 * </pre>
 */
@EnabledIfSystemProperty(named = "timing", matches = "true")
class FingerprintTiming {

  @Test
  void fullFashionMnist() throws Exception {
    Path directory = Path.of("/usr/share/datasets/fashion-mnist");
    assumeTrue(Files.isDirectory(directory), "dataset-fashion-mnist is not installed");
    FloatColumn images =
        IdxFile.read(directory.resolve("train-images-idx3-ubyte.gz")).toFloatColumn(1 / 255f);
    IntColumn labels = IdxFile.read(directory.resolve("train-labels-idx1-ubyte.gz")).toIntColumn();
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    for (int run = 0; run <= 10; run++) {
      Dataset train =
          Dataset.builder()
              .add("image", Column.of(images.values(), 28, 28))
              .add("label", Column.of(labels.values()))
              .build();
      long cpu = threads.getCurrentThreadCpuTime();
      long wall = System.nanoTime();
      DataFingerprint fingerprint = train.fingerprint();
      wall = System.nanoTime() - wall;
      cpu = threads.getCurrentThreadCpuTime() - cpu;
      System.out.printf(
          "fingerprint %s: %.1f ms wall, %.1f ms thread CPU (%s)%n",
          run == 0 ? "first call" : "run " + run, wall / 1e6, cpu / 1e6, fingerprint.encode());
    }
  }
}
