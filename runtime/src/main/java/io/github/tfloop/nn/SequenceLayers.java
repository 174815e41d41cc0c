package io.github.tfloop.nn;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Squeeze;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TFloating;
import org.tensorflow.types.family.TIntegral;
import org.tensorflow.types.family.TNumber;

/** Embedding and 1-D convolution: the layers that feed and filter sequences. */
final class SequenceLayers {

  private SequenceLayers() {}

  /** Keras's {@code Embedding}: row {@code i} of a {@code [inputDim, outputDim]} table per id. */
  static <T extends TFloating> Operand<T> embedding(
      Layers nn, Operand<? extends TIntegral> tokens, int inputDim, int outputDim, Class<T> type) {
    String layer = nn.nextLayerName("embedding");
    String who = LayerShapes.layerName("embedding", nn.group(), layer);
    LayerShapes.requirePositive(who, "inputDim (the number of token ids)", inputDim);
    LayerShapes.requirePositive(who, "outputDim", outputDim);
    Shape shape = tokens.shape();
    if (shape.isUnknown() || shape.numDimensions() < 1) {
      throw LayerShapes.mismatch(who, "token ids [batch, ...] of known rank", shape);
    }
    Operand<T> table =
        nn.weight(
            layer + "/embeddings",
            Shape.of(inputDim, outputDim),
            type,
            Initializer.randomUniform(-0.05, 0.05),
            null);
    Ops tf = nn.ops().withSubScope(layer);
    return tf.gather(table, indices(tf, tokens), tf.constant(0));
  }

  /** Token ids as gather takes them: int32 and int64 as they are, other integers as int32. */
  private static Operand<? extends TNumber> indices(Ops tf, Operand<? extends TIntegral> tokens) {
    if (tokens.type() == TInt32.class || tokens.type() == TInt64.class) {
      return tokens;
    }
    return tf.dtypes.cast(tokens, TInt32.class);
  }

  /**
   * Keras's {@code Conv1D} over {@code [batch, steps, channels]}: a {@code [kernelSize, channels,
   * filters]} kernel, run as a 2-D convolution over a height of one, as TensorFlow runs it.
   */
  static <T extends TFloating> Operand<T> conv1d(
      Layers nn,
      Operand<T> x,
      int filters,
      int kernelSize,
      int stride,
      Padding padding,
      Activation activation,
      Initializer kernelInitializer) {
    String layer = nn.nextLayerName("conv1d");
    String who = LayerShapes.layerName("conv1d", nn.group(), layer);
    LayerShapes.requirePositive(who, "filters", filters);
    LayerShapes.requirePositive(who, "kernelSize", kernelSize);
    LayerShapes.requirePositive(who, "stride", stride);
    long[] dims = LayerShapes.requireSequence(who, x);
    if (padding == Padding.VALID && dims[0] < kernelSize) {
      throw new IllegalArgumentException(
          who
              + ": with VALID padding the input needs at least kernelSize = "
              + kernelSize
              + " steps, found "
              + LayerShapes.describe(x.shape()));
    }
    Class<T> type = x.type();
    Operand<T> kernel =
        nn.weight(
            layer + "/kernel",
            Shape.of(kernelSize, dims[1], filters),
            type,
            kernelInitializer,
            nn.kernelRegularizer());
    Operand<T> bias =
        nn.weight(layer + "/bias", Shape.of(filters), type, Initializer.zeros(), null);
    Ops tf = nn.ops().withSubScope(layer);
    Operand<T> image = tf.expandDims(x, tf.constant(1)); // [batch, 1, steps, channels]
    Operand<T> filter = tf.expandDims(kernel, tf.constant(0)); // [1, kernelSize, in, out]
    Operand<T> convolved =
        tf.nn.conv2d(image, filter, List.of(1L, 1L, (long) stride, 1L), padding.name());
    Operand<T> squeezed = tf.squeeze(convolved, Squeeze.axis(List.of(1L)));
    return activation.apply(tf, tf.nn.biasAdd(squeezed, bias));
  }
}
