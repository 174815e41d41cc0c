package io.github.tfloop.nn;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.train.BatchMatMul;
import org.tensorflow.types.TFloat16;
import org.tensorflow.types.family.TFloating;

/**
 * Keras's {@code MultiHeadAttention} (Vaswani et al., 2017) over {@code [batch, timesteps,
 * features]} inputs: per-head query, key and value projections, scaled dot-product attention, an
 * output projection back to the query's features. Weights are laid out as Keras lays them out (its
 * {@code EinsumDense} kernels), so Keras weights load unchanged.
 */
final class AttentionLayers {

  private AttentionLayers() {}

  /** What Keras's masked softmax adds to masked-out scores (its {@code -1e9}, or float16's). */
  private static double largeNegative(Class<?> type) {
    return type == TFloat16.class ? -3e4 : -1e9;
  }

  static <T extends TFloating> Operand<T> multiHeadAttention(
      Layers nn,
      Operand<T> query,
      Operand<T> key,
      Operand<T> value,
      int heads,
      int keyDim,
      boolean causal) {
    String layer = nn.nextLayerName("multi_head_attention");
    String who = LayerShapes.layerName("multiHeadAttention", nn.group(), layer);
    LayerShapes.requirePositive(who, "heads", heads);
    LayerShapes.requirePositive(who, "keyDim", keyDim);
    long[] q = LayerShapes.requireSequence(who, "the query", query);
    long[] k = LayerShapes.requireSequence(who, "the key", key);
    long[] v = LayerShapes.requireSequence(who, "the value", value);
    if (k[0] != v[0]) {
      throw new IllegalArgumentException(
          who
              + ": expected key and value of the same timesteps, found key "
              + LayerShapes.describe(key.shape())
              + " and value "
              + LayerShapes.describe(value.shape()));
    }
    Class<T> type = query.type();
    int valueDim = keyDim;
    // Keras's build order, and its sublayers' names: query, key, value, attention_output.
    Operand<T> queryKernel = kernel(nn, layer + "/query/kernel", type, q[1], heads, keyDim);
    Operand<T> queryBias = bias(nn, layer + "/query/bias", type, heads, keyDim);
    Operand<T> keyKernel = kernel(nn, layer + "/key/kernel", type, k[1], heads, keyDim);
    Operand<T> keyBias = bias(nn, layer + "/key/bias", type, heads, keyDim);
    Operand<T> valueKernel = kernel(nn, layer + "/value/kernel", type, v[1], heads, valueDim);
    Operand<T> valueBias = bias(nn, layer + "/value/bias", type, heads, valueDim);
    Operand<T> outputKernel =
        nn.weight(
            layer + "/attention_output/kernel",
            Shape.of(heads, valueDim, q[1]),
            type,
            Initializer.glorotUniform(),
            null);
    Operand<T> outputBias =
        nn.weight(
            layer + "/attention_output/bias", Shape.of(q[1]), type, Initializer.zeros(), null);

    Ops tf = nn.ops().withSubScope(layer);
    // [batch, heads, timesteps, dim] each
    Operand<T> projectedQuery = heads(tf, query, q, queryKernel, queryBias, heads, keyDim);
    Operand<T> projectedKey = heads(tf, key, k, keyKernel, keyBias, heads, keyDim);
    Operand<T> projectedValue = heads(tf, value, v, valueKernel, valueBias, heads, valueDim);
    Operand<T> scaled =
        tf.math.mul(projectedQuery, tf.dtypes.cast(tf.constant(1 / Math.sqrt(keyDim)), type));
    // [batch, heads, query timesteps, key timesteps]
    Operand<T> scores = tf.train.batchMatMul(scaled, projectedKey, type, BatchMatMul.adjY(true));
    if (causal) {
      scores = tf.math.add(scores, causalMask(tf, type, q[0], k[0]));
    }
    Operand<T> weights = tf.nn.softmax(scores);
    Operand<T> attended = tf.train.batchMatMul(weights, projectedValue, type);
    // back to [batch, query timesteps, heads * valueDim], then the output projection
    Operand<T> merged =
        tf.reshape(
            tf.linalg.transpose(attended, tf.constant(new int[] {0, 2, 1, 3})),
            tf.constant(new long[] {-1, (long) heads * valueDim}));
    Operand<T> output =
        tf.nn.biasAdd(
            tf.linalg.matMul(
                merged,
                tf.reshape(outputKernel, tf.constant(new long[] {(long) heads * valueDim, q[1]}))),
            outputBias);
    return tf.reshape(output, tf.constant(new long[] {-1, q[0], q[1]}));
  }

  private static <T extends TFloating> Operand<T> kernel(
      Layers nn, String name, Class<T> type, long features, int heads, int dim) {
    return nn.weight(name, Shape.of(features, heads, dim), type, Initializer.glorotUniform(), null);
  }

  private static <T extends TFloating> Operand<T> bias(
      Layers nn, String name, Class<T> type, int heads, int dim) {
    return nn.weight(name, Shape.of(heads, dim), type, Initializer.zeros(), null);
  }

  /**
   * Projects {@code [batch, timesteps, features]} through a {@code [features, heads, dim]} kernel
   * and {@code [heads, dim]} bias into {@code [batch, heads, timesteps, dim]}.
   */
  private static <T extends TFloating> Operand<T> heads(
      Ops tf, Operand<T> x, long[] dims, Operand<T> kernel, Operand<T> bias, int heads, int dim) {
    long width = (long) heads * dim;
    Operand<T> flat = tf.reshape(x, tf.constant(new long[] {-1, dims[1]}));
    Operand<T> projected =
        tf.nn.biasAdd(
            tf.linalg.matMul(flat, tf.reshape(kernel, tf.constant(new long[] {dims[1], width}))),
            tf.reshape(bias, tf.constant(new long[] {width})));
    Operand<T> split = tf.reshape(projected, tf.constant(new long[] {-1, dims[0], heads, dim}));
    return tf.linalg.transpose(split, tf.constant(new int[] {0, 2, 1, 3}));
  }

  /**
   * Keras's causal mask as an additive term: 0 where query step {@code i} may attend to key step
   * {@code j} ({@code j <= i}), a large negative number elsewhere.
   */
  private static <T extends TFloating> Operand<T> causalMask(
      Ops tf, Class<T> type, long queryTimesteps, long keyTimesteps) {
    float[][] mask = new float[(int) queryTimesteps][(int) keyTimesteps];
    float blocked = (float) largeNegative(type);
    for (int i = 0; i < queryTimesteps; i++) {
      for (int j = i + 1; j < keyTimesteps; j++) {
        mask[i][j] = blocked;
      }
    }
    return tf.dtypes.cast(tf.constant(mask), type);
  }
}
