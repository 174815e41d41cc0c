package io.github.tfloop.monitor;

import org.tensorflow.proto.HistogramProto;

/**
 * Histograms as TensorBoard stores them: count, sum, sum of squares, extremes, and counts in
 * buckets. The bucket edges are TensorFlow's default ones ({@code histogram.cc}): powers of 1.1
 * from 1e-12 to 1e20, mirrored for negative values, with zero's own bucket.
 */
final class Histograms {

  private static final double[] LIMITS = defaultLimits();

  private Histograms() {}

  static HistogramProto of(float[] values) {
    double[] counts = new double[LIMITS.length];
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    double sum = 0;
    double sumSquares = 0;
    for (float value : values) {
      min = Math.min(min, value);
      max = Math.max(max, value);
      sum += value;
      sumSquares += (double) value * value;
      counts[bucket(value)]++;
    }
    HistogramProto.Builder histogram =
        HistogramProto.newBuilder()
            .setMin(values.length == 0 ? 0 : min)
            .setMax(values.length == 0 ? 0 : max)
            .setNum(values.length)
            .setSum(sum)
            .setSumSquares(sumSquares);
    // like TensorFlow, only the non-empty buckets, each preceded by an empty run's end
    for (int i = 0; i < LIMITS.length; i++) {
      if (counts[i] > 0) {
        if (i > 0 && counts[i - 1] == 0) {
          histogram.addBucketLimit(LIMITS[i - 1]).addBucket(0);
        }
        histogram.addBucketLimit(LIMITS[i]).addBucket(counts[i]);
      }
    }
    return histogram.build();
  }

  /** The first bucket whose limit is above {@code value}. */
  private static int bucket(double value) {
    int low = 0;
    int high = LIMITS.length - 1;
    while (low < high) {
      int middle = (low + high) >>> 1;
      if (LIMITS[middle] > value) {
        high = middle;
      } else {
        low = middle + 1;
      }
    }
    return low;
  }

  private static double[] defaultLimits() {
    java.util.List<Double> positive = new java.util.ArrayList<>();
    for (double limit = 1e-12; limit < 1e20; limit *= 1.1) {
      positive.add(limit);
    }
    positive.add(Double.MAX_VALUE);
    double[] limits = new double[2 * positive.size() + 1];
    int n = positive.size();
    for (int i = 0; i < n; i++) {
      limits[n - 1 - i] = -positive.get(i);
      limits[n + 1 + i] = positive.get(i);
    }
    limits[n] = 0;
    return limits;
  }
}
