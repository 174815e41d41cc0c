package io.github.tfloop.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.github.tfloop.train.History;
import io.github.tfloop.train.LoopOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The GAN learns the two-component mixture: the samples its generator draws from fresh noise fall
 * into two modes whose weights, means and spreads approach the target's.
 *
 * <p>Tolerances: 4,000 samples estimate a mode's weight to about ±0.01 and its mean to about ±0.02,
 * so what the tolerances allow for is the adversarial game itself, which keeps oscillating around
 * its equilibrium. Measured over 10 to 40 epochs (seed 11): weights 0.45 to 0.55, means within 0.26
 * of ±2, deviations 0.48 to 0.63. The same checks reject the untrained generator.
 */
class MixtureGanTest {

  private static final int SAMPLES = 4000;

  /** Weight, mean and standard deviation of the positive and the negative mode. */
  private record Modes(double positiveWeight, double[] mean, double[] stddev) {

    /** How these modes miss the target's, one line each; empty if they match it. */
    List<String> mismatches() {
      List<String> mismatches = new ArrayList<>();
      if (Math.abs(positiveWeight - 0.5) > 0.1) {
        mismatches.add("weight of the positive mode " + positiveWeight + ", target 0.5");
      }
      for (int mode = 0; mode < 2; mode++) {
        if (Math.abs(mean[mode] - GaussianMixture.MEANS[mode]) > 0.35) {
          mismatches.add("mean " + mean[mode] + ", target " + GaussianMixture.MEANS[mode]);
        }
        if (!(stddev[mode] > 0.3 && stddev[mode] < 0.8)) {
          mismatches.add("deviation " + stddev[mode] + ", target " + GaussianMixture.STDDEV);
        }
      }
      return mismatches;
    }
  }

  private static Modes modes(float[] samples) {
    double[] sum = new double[2];
    double[] squares = new double[2];
    int[] count = new int[2];
    for (float sample : samples) {
      int mode = sample > 0 ? 1 : 0;
      count[mode]++;
      sum[mode] += sample;
      squares[mode] += sample * sample;
    }
    double[] mean = new double[2];
    double[] stddev = new double[2];
    for (int mode = 0; mode < 2; mode++) {
      mean[mode] = sum[mode] / Math.max(1, count[mode]);
      stddev[mode] = Math.sqrt(squares[mode] / Math.max(1, count[mode]) - mean[mode] * mean[mode]);
    }
    return new Modes(count[1] / (double) samples.length, mean, stddev);
  }

  @Test
  void generatedSamplesMatchTheMixture() {
    float[] noise = GaussianMixture.noise(SAMPLES, new SplittableRandom(99));
    LoopOptions options = LoopOptions.builder().epochs(20).build();
    try (MixtureGanLoop loop = MixtureGanLoop.create(new MixtureGan(), options)) {
      assertFalse(
          modes(loop.predict(noise)).mismatches().isEmpty(),
          "the checks reject an untrained generator");

      History history = loop.fit(GaussianMixture.sample(12800, 1));
      assertEquals(20, history.epochs().size());

      assertEquals(List.of(), modes(loop.predict(noise)).mismatches());
    }
  }
}
