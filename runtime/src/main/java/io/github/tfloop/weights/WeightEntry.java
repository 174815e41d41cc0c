package io.github.tfloop.weights;

import java.util.Objects;
import org.tensorflow.ndarray.Shape;

/**
 * One named tensor a {@link WeightSource} holds: its name in the source, its element type and its
 * shape.
 *
 * @param name the name in the source: a checkpoint key ({@code dense/kernel}, or {@code
 *     layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE} in an object-based checkpoint), or a
 *     Keras weight's path ({@code layers/dense/vars/0}, {@code dense_1/kernel})
 * @param type the element type
 * @param shape the shape
 * @param fullName the variable's own name where the source records one apart from its key (an
 *     object-based checkpoint's {@code full_name}, such as {@code dense/kernel}); else {@code name}
 */
public record WeightEntry(String name, WeightType type, Shape shape, String fullName) {

  /** Checks that no component is null. */
  public WeightEntry {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(shape, "shape");
    Objects.requireNonNull(fullName, "fullName");
  }

  /** An entry whose full name is its name. */
  public WeightEntry(String name, WeightType type, Shape shape) {
    this(name, type, shape, name);
  }

  /** The number of elements. */
  public long size() {
    return shape.size();
  }

  /** {@code name type [d0, d1]}, plus the full name where it differs. */
  @Override
  public String toString() {
    return name
        + " "
        + type
        + " "
        + WeightTarget.describe(shape)
        + (fullName.equals(name) ? "" : " (" + fullName + ")");
  }
}
