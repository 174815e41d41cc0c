package io.github.tfloop.sample;

import io.github.tfloop.data.Column;
import io.github.tfloop.data.Dataset;
import java.util.SplittableRandom;

/**
 * The target of {@link MixtureGan}: an equal mixture of two Gaussians with means -2 and +2 and
 * standard deviation 0.5, sampled with a seed, paired with standard normal noise for the generator.
 */
public final class GaussianMixture {

  /** The means of the two components. */
  public static final double[] MEANS = {-2, 2};

  /** The standard deviation of each component. */
  public static final double STDDEV = 0.5;

  /** Dimensions of the generator's noise. */
  public static final int NOISE = 8;

  private GaussianMixture() {}

  /** {@code size} real samples (column {@code real}) and noise vectors (column {@code noise}). */
  public static Dataset sample(int size, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] real = new float[size];
    for (int i = 0; i < size; i++) {
      double mean = MEANS[random.nextInt(MEANS.length)];
      real[i] = (float) (mean + STDDEV * random.nextGaussian());
    }
    return Dataset.builder()
        .add("noise", Column.of(noise(size, random), NOISE))
        .add("real", Column.of(real, 1))
        .build();
  }

  /** {@code size} standard normal noise vectors, flat. */
  public static float[] noise(int size, SplittableRandom random) {
    float[] noise = new float[size * NOISE];
    for (int i = 0; i < noise.length; i++) {
      noise[i] = (float) random.nextGaussian();
    }
    return noise;
  }
}
