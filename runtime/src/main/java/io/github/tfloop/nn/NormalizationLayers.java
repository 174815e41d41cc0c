package io.github.tfloop.nn;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.math.Mean;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TFloating;

/** Layer normalisation; batch normalisation, which keeps state, lives in {@link Layers}. */
final class NormalizationLayers {

  private NormalizationLayers() {}

  /**
   * Keras's {@code LayerNormalization} over the last axis (Ba et al., 2016): each example's
   * features are normalised by their own mean and variance, then scaled by {@code gamma} and
   * shifted by {@code beta}. The same in training and inference.
   */
  static <T extends TFloating> Operand<T> layerNorm(Layers nn, Operand<T> x, double epsilon) {
    String layer = nn.nextLayerName("layer_norm");
    String who = LayerShapes.layerName("layerNorm", nn.group(), layer);
    if (!(epsilon > 0) || Double.isInfinite(epsilon)) {
      throw new IllegalArgumentException(who + ": epsilon must be positive, got " + epsilon);
    }
    Shape shape = x.shape();
    if (shape.isUnknown()
        || shape.numDimensions() < 2
        || shape.get(shape.numDimensions() - 1) < 0) {
      throw LayerShapes.mismatch(who, "an input [batch, ..., features] with known features", shape);
    }
    Class<T> type = x.type();
    Shape features = Shape.of(shape.get(shape.numDimensions() - 1));
    Operand<T> gamma = nn.weight(layer + "/gamma", features, type, Initializer.ones(), null);
    Operand<T> beta = nn.weight(layer + "/beta", features, type, Initializer.zeros(), null);

    Ops tf = nn.ops().withSubScope(layer);
    Operand<TInt32> last = tf.constant(new int[] {-1});
    Operand<T> mean = tf.math.mean(x, last, Mean.keepDims(true));
    // the deviation from a stopped mean: exact, since the variance's slope along the mean is 0
    Operand<T> variance =
        tf.math.mean(
            tf.math.squaredDifference(x, tf.stopGradient(mean)), last, Mean.keepDims(true));
    Operand<T> scale =
        tf.math.mul(
            tf.math.rsqrt(tf.math.add(variance, tf.dtypes.cast(tf.constant(epsilon), type))),
            gamma);
    return tf.math.add(tf.math.mul(x, scale), tf.math.sub(beta, tf.math.mul(mean, scale)));
  }
}
