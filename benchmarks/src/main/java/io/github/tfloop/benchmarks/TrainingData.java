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

  private final float[][] images;
  private final int[][] labels;

  private TrainingData(float[][] images, int[][] labels) {
    this.images = images;
    this.labels = labels;
  }

  /** {@code count} batches of {@code batchSize} examples. */
  static TrainingData batches(int batchSize, int count) {
    Dataset train = bundled();
    float[] allImages = (float[]) train.column("image").values();
    int[] allLabels = (int[]) train.column("label").values();
    float[][] images = new float[count][batchSize * PIXELS];
    int[][] labels = new int[count][batchSize];
    int example = 0;
    for (int b = 0; b < count; b++) {
      for (int i = 0; i < batchSize; i++) {
        System.arraycopy(allImages, example * PIXELS, images[b], i * PIXELS, PIXELS);
        labels[b][i] = allLabels[example];
        example = (example + 1) % train.size();
      }
    }
    return new TrainingData(images, labels);
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
    int batchSize = labels[0].length;
    float[] allImages = new float[count() * batchSize * PIXELS];
    int[] allLabels = new int[count() * batchSize];
    for (int b = 0; b < count(); b++) {
      System.arraycopy(images[b], 0, allImages, b * batchSize * PIXELS, batchSize * PIXELS);
      System.arraycopy(labels[b], 0, allLabels, b * batchSize, batchSize);
    }
    return MlpLoop.dataset(allImages, allLabels);
  }
}
