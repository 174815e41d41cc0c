package io.github.tfloop.nn;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;

/**
 * Shape checks of the layers built through {@link Layers}: each names the layer, what it expected
 * and what it found, such as {@code lstm layer 'forecast/lstm_1': expected an input [batch,
 * timesteps, features] with known timesteps and features, found [?, 12]}.
 */
final class LayerShapes {

  private LayerShapes() {}

  /** {@code <kind> layer '<model>/<layer>'}: how messages name a layer with variables. */
  static String layerName(String kind, String group, String layer) {
    return kind + " layer '" + group + "/" + layer + "'";
  }

  /** {@code <method> in model '<model>'}: how messages name a layer without variables. */
  static String operationName(String method, String group) {
    return method + " in model '" + group + "'";
  }

  /** A shape as messages show it: unknown dimensions as {@code ?}. */
  static String describe(Shape shape) {
    if (shape == null || shape.isUnknown()) {
      return "a tensor of unknown rank";
    }
    StringBuilder text = new StringBuilder("[");
    for (int i = 0; i < shape.numDimensions(); i++) {
      if (i > 0) {
        text.append(", ");
      }
      long dimension = shape.get(i);
      text.append(dimension < 0 ? "?" : Long.toString(dimension));
    }
    return text.append(']').toString();
  }

  static IllegalArgumentException mismatch(String who, String expected, Shape found) {
    return new IllegalArgumentException(
        who + ": expected " + expected + ", found " + describe(found));
  }

  /**
   * Requires a {@code [batch, timesteps, features]} input with known timesteps and features.
   *
   * @return {@code {timesteps, features}}
   */
  static long[] requireSequence(String who, Operand<?> x) {
    return requireSequence(who, "an input", x);
  }

  /**
   * Requires {@code x}, which messages call {@code what} ("the query"), to be {@code [batch,
   * timesteps, features]} with known timesteps and features.
   *
   * @return {@code {timesteps, features}}
   */
  static long[] requireSequence(String who, String what, Operand<?> x) {
    Shape shape = x.shape();
    if (shape.isUnknown() || shape.numDimensions() != 3 || shape.get(1) < 0 || shape.get(2) < 0) {
      throw mismatch(
          who,
          what
              + " [batch, timesteps, features] with known timesteps and features"
              + (shape.numDimensions() == 2
                  ? " (a sequence of single values needs a features dimension of 1:"
                      + " @Feature(shape = {timesteps, 1}) or reshape(x, timesteps, 1))"
                  : ""),
          shape);
    }
    return new long[] {shape.get(1), shape.get(2)};
  }

  static void requirePositive(String who, String what, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(who + ": " + what + " must be positive, got " + value);
    }
  }
}
