package io.github.tfloop.benchmarks;

import io.github.tfloop.data.Dataset;
import io.github.tfloop.sample.FashionMnist;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Real training data for the benchmarks: the Fashion-MNIST training images bundled with the sample
 * project (6,000), cut into batches, example after example, wrapping around when a batch size needs
 * more. Every contender trains on the same batches in the same order.
 */
final class TrainingData {

  /** Pixels per image. */
  static final int PIXELS = 28 * 28;

  /** The bundled training set, read once per JVM. */
  private static final Dataset BUNDLED = bundled();

  private final Dataset examples;
  private final float[][] images;
  private final int[][] labels;

  private TrainingData(Dataset examples, float[][] images, int[][] labels) {
    this.examples = examples;
    this.images = images;
    this.labels = labels;
  }

  /** {@code count} batches of {@code batchSize} examples. */
  static TrainingData batches(int batchSize, int count) {
    int[] inOrder = new int[count * batchSize];
    for (int i = 0; i < inOrder.length; i++) {
      inOrder[i] = i % BUNDLED.size();
    }
    Dataset examples = BUNDLED.select(inOrder);
    float[][] images = new float[count][];
    int[][] labels = new int[count][];
    for (int b = 0; b < count; b++) {
      Dataset batch = examples.slice(b * batchSize, (b + 1) * batchSize);
      images[b] = (float[]) batch.column("image").values();
      labels[b] = (int[]) batch.column("label").values();
    }
    return new TrainingData(examples, images, labels);
  }

  private static Dataset bundled() {
    try {
      return FashionMnist.bundled().train();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  int count() {
    return images.length;
  }

  int batchSize() {
    return labels[0].length;
  }

  /** Batch {@code index}'s images, {@code batchSize × 784} floats in [0, 1]. */
  float[] images(int index) {
    return images[index];
  }

  /** Batch {@code index}'s labels, 0 to 9. */
  int[] labels(int index) {
    return labels[index];
  }

  /** Every batch as one data set, in order, for {@code fit}. */
  Dataset asDataset() {
    return examples;
  }
}
