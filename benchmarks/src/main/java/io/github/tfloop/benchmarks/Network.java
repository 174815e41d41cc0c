package io.github.tfloop.benchmarks;

/** The two benchmarked networks; every contender builds the same layers. */
public enum Network {
  /** 784-256-10, ReLU; see {@link Mlp}. */
  MLP,
  /**
   * Two 3×3 convolutions (32, 64 filters) with 2×2 max pooling, then 10 logits; see {@link Cnn}.
   */
  CNN
}
