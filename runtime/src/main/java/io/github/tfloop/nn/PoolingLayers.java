package io.github.tfloop.nn;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TNumber;

/** Global pooling: Keras's {@code GlobalAveragePooling1D/2D} and {@code GlobalMaxPooling1D/2D}. */
final class PoolingLayers {

  private PoolingLayers() {}

  /** The mean of each channel over every step (or pixel) of each example. */
  static <T extends TNumber> Operand<T> globalAvgPool(Layers nn, Operand<T> x) {
    Ops tf = nn.ops();
    return tf.math.mean(
        x, spatialAxes(tf, LayerShapes.operationName("globalAvgPool", nn.group()), x));
  }

  /** The maximum of each channel over every step (or pixel) of each example. */
  static <T extends TNumber> Operand<T> globalMaxPool(Layers nn, Operand<T> x) {
    Ops tf = nn.ops();
    return tf.max(x, spatialAxes(tf, LayerShapes.operationName("globalMaxPool", nn.group()), x));
  }

  /** The axes between the batch and the channels. */
  private static Operand<TInt32> spatialAxes(Ops tf, String who, Operand<?> x) {
    Shape shape = x.shape();
    if (shape.isUnknown() || shape.numDimensions() < 3) {
      throw LayerShapes.mismatch(
          who, "an input [batch, steps, channels] or [batch, height, width, channels]", shape);
    }
    int[] axes = new int[shape.numDimensions() - 2];
    for (int i = 0; i < axes.length; i++) {
      axes[i] = i + 1;
    }
    return tf.constant(axes);
  }
}
