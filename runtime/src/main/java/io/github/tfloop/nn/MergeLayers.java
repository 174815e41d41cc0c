package io.github.tfloop.nn;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TNumber;
import org.tensorflow.types.family.TType;

/** Layers that combine several inputs: Keras's {@code Add} and {@code Concatenate}. */
final class MergeLayers {

  private MergeLayers() {}

  /** The element-wise sum of inputs of one shape (a residual connection). */
  static <T extends TNumber> Operand<T> add(Layers nn, List<? extends Operand<T>> inputs) {
    String who = LayerShapes.operationName("add", nn.group());
    requireSeveral(who, inputs);
    Shape first = inputs.get(0).shape();
    for (int i = 1; i < inputs.size(); i++) {
      Shape other = inputs.get(i).shape();
      if (!compatible(first, other, -1)) {
        throw new IllegalArgumentException(
            who
                + ": expected inputs of one shape, found input 0 "
                + LayerShapes.describe(first)
                + " and input "
                + i
                + " "
                + LayerShapes.describe(other)
                + (widthsDiffer(first, other)
                    ? "; for a residual connection, project the narrower input to the other's"
                        + " width first (dense, or conv1d with kernelSize 1)"
                    : ""));
      }
    }
    Ops tf = nn.ops();
    if (inputs.size() == 2) {
      return tf.math.add(inputs.get(0), inputs.get(1));
    }
    return tf.math.addN(new ArrayList<Operand<T>>(inputs));
  }

  /**
   * Joins inputs along {@code axis}, which counts the batch as axis 0 and from the end when
   * negative, as Keras's does; every other dimension must agree.
   */
  static <T extends TType> Operand<T> concatenate(
      Layers nn, List<? extends Operand<T>> inputs, int axis) {
    String who = LayerShapes.operationName("concatenate", nn.group());
    requireSeveral(who, inputs);
    Shape first = inputs.get(0).shape();
    if (first.isUnknown()) {
      throw LayerShapes.mismatch(who, "inputs of known rank", first);
    }
    int rank = first.numDimensions();
    int resolved = axis < 0 ? rank + axis : axis;
    if (resolved < 1 || resolved >= rank) {
      throw new IllegalArgumentException(
          who
              + ": axis "
              + axis
              + " is outside the example dimensions of "
              + LayerShapes.describe(first)
              + " (axis 0 is the batch; use 1.."
              + (rank - 1)
              + " or -1..-"
              + (rank - 1)
              + ")");
    }
    for (int i = 1; i < inputs.size(); i++) {
      Shape other = inputs.get(i).shape();
      if (!compatible(first, other, resolved)) {
        throw new IllegalArgumentException(
            who
                + ": expected inputs that differ only along axis "
                + resolved
                + ", found input 0 "
                + LayerShapes.describe(first)
                + " and input "
                + i
                + " "
                + LayerShapes.describe(other));
      }
    }
    Ops tf = nn.ops();
    return tf.concat(new ArrayList<Operand<T>>(inputs), tf.constant(resolved));
  }

  private static void requireSeveral(String who, List<?> inputs) {
    if (inputs == null || inputs.size() < 2) {
      throw new IllegalArgumentException(
          who + ": expected at least 2 inputs, found " + (inputs == null ? 0 : inputs.size()));
    }
    for (int i = 0; i < inputs.size(); i++) {
      if (inputs.get(i) == null) {
        throw new IllegalArgumentException(who + ": input " + i + " is null");
      }
    }
  }

  /** Whether two shapes of one rank differ in their last, known, dimension. */
  private static boolean widthsDiffer(Shape a, Shape b) {
    if (a.isUnknown() || b.isUnknown() || a.numDimensions() != b.numDimensions()) {
      return false;
    }
    int last = a.numDimensions() - 1;
    return last >= 0 && a.get(last) >= 0 && b.get(last) >= 0 && a.get(last) != b.get(last);
  }

  /**
   * Whether two shapes have one rank and agree on every dimension known in both, but {@code except}
   * (-1: none).
   */
  private static boolean compatible(Shape a, Shape b, int except) {
    if (a.isUnknown() || b.isUnknown()) {
      return true; // TensorFlow checks at run time what is not known now
    }
    if (a.numDimensions() != b.numDimensions()) {
      return false;
    }
    for (int i = 0; i < a.numDimensions(); i++) {
      if (i != except && a.get(i) >= 0 && b.get(i) >= 0 && a.get(i) != b.get(i)) {
        return false;
      }
    }
    return true;
  }
}
