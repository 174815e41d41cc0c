package io.github.tfloop.weights;

import java.util.Arrays;
import java.util.Objects;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.family.TType;

/**
 * A variable that weights can be loaded into: its name, element type and shape, as the graph
 * declares them.
 *
 * @param name the variable's name, such as {@code logits/dense/kernel}
 * @param type the element type
 * @param shape the shape, fully known
 */
public record WeightTarget(String name, WeightType type, Shape shape) {

  /** Checks that no component is null. */
  public WeightTarget {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(shape, "shape");
  }

  /** A variable of TensorFlow Java's tensor class {@code type}. */
  public static WeightTarget of(String name, Class<? extends TType> type, Shape shape) {
    return new WeightTarget(name, WeightType.of(type), shape);
  }

  /** {@code name type [d0, d1]}. */
  @Override
  public String toString() {
    return name + " " + type + " " + describe(shape);
  }

  /** {@code [784, 128]}; {@code []} for a scalar. */
  static String describe(Shape shape) {
    return shape.isUnknown() ? "[?]" : Arrays.toString(shape.asArray());
  }
}
