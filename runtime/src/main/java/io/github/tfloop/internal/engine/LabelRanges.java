package io.github.tfloop.internal.engine;

import io.github.tfloop.data.Column;
import io.github.tfloop.data.InputSpec;
import io.github.tfloop.internal.session.Batch;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;

/**
 * The valid values of class-index labels, found in the graph: a label input that reaches a sparse
 * softmax cross-entropy (possibly through casts and reshapes) must lie in {@code [0, classes)},
 * where {@code classes} is the last dimension of the logits it is compared with. TensorFlow would
 * only fail mid-training, on the batch holding a bad label; this check runs over the whole data set
 * before training starts and names the example.
 */
final class LabelRanges {

  private static final Set<String> PASS_THROUGH =
      Set.of("Cast", "Identity", "Reshape", "Squeeze", "ExpandDims", "StopGradient");

  /** The number of classes of each label input (by its index among the inputs) that has one. */
  private final Map<Integer, Long> classes = new LinkedHashMap<>();

  LabelRanges(Graph graph, List<InputSpec> inputs, List<Operand<?>> placeholders) {
    Map<String, Integer> slots = new LinkedHashMap<>();
    for (int slot = 0; slot < inputs.size(); slot++) {
      if (inputs.get(slot).role() == InputSpec.Role.LABEL
          && !inputs.get(slot).dtype().isFloating()) {
        slots.put(placeholders.get(slot).op().name(), slot);
      }
    }
    for (Iterator<GraphOperation> it = graph.operations(); it.hasNext(); ) {
      GraphOperation op = it.next();
      if (!op.type().equals("SparseSoftmaxCrossEntropyWithLogits")) {
        continue;
      }
      Shape logits = op.input(0).shape();
      Integer slot = slots.get(source(op.input(1).op()).name());
      if (slot != null && !logits.isUnknown() && logits.size(-1) > 0) {
        classes.merge(slot, logits.size(-1), Math::min);
      }
    }
  }

  private static GraphOperation source(org.tensorflow.Operation op) {
    GraphOperation current = (GraphOperation) op;
    while (PASS_THROUGH.contains(current.type()) && current.numInputs() > 0) {
      current = (GraphOperation) current.input(0).op();
    }
    return current;
  }

  /**
   * Checks every label of {@code columns} against its range.
   *
   * @throws IllegalArgumentException naming the data, the input, the example and the range
   */
  void check(Column[] columns, List<InputSpec> inputs, String where) {
    classes.forEach(
        (slot, count) -> {
          Column column = columns[slot];
          if (column != null) {
            check(column.values(), column.exampleLength(), inputs.get(slot), count, where);
          }
        });
  }

  /**
   * Checks every label of {@code batch}, whose inputs are {@code inputs}.
   *
   * @throws IllegalArgumentException naming {@code where}, the input, the example and the range
   */
  void check(Batch batch, List<InputSpec> inputs, String where) {
    classes.forEach(
        (slot, count) -> {
          InputSpec input = inputs.get(slot);
          check(batch.values(slot), input.exampleLength(), input, count, where);
        });
  }

  private static void check(
      Object values, int perExample, InputSpec input, long count, String where) {
    int length = java.lang.reflect.Array.getLength(values);
    for (int i = 0; i < length; i++) {
      long label = values instanceof int[] ints ? ints[i] : ((long[]) values)[i];
      if (label < 0 || label >= count) {
        throw new IllegalArgumentException(
            where
                + ": label '"
                + input.name()
                + "' of example "
                + i / Math.max(1, perExample)
                + " is "
                + label
                + ", outside [0, "
                + count
                + "): the model's logits have "
                + count
                + " classes");
      }
    }
  }
}
