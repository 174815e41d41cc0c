package io.github.tfloop.nn;

import io.github.tfloop.graph.VariableStore;
import io.github.tfloop.graph.VariableStore.Kind;
import io.github.tfloop.graph.VariableStore.Variable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.tensorflow.ndarray.Shape;

/**
 * A loop's models layer by layer, as Keras's {@code model.summary()} shows them: each layer's
 * output shape and how many values its weights hold, trainable and not (batch normalisation's
 * moving averages), then the totals. Variables a model creates outside any layer ({@link
 * Layers#variable}) are listed under that model as {@code (other variables)}. Optimizer state
 * (Adam's moments, counters) is counted apart: it is not part of the model.
 *
 * <pre>
 * FashionMlp
 * Layer           Kind     Output shape  Trainable  Non-trainable
 * logits/flatten  flatten  [?, 784]              0              0
 * logits/dense    dense    [?, 256]        200,960              0
 * logits/dense_1  dense    [?, 128]         32,896              0
 * logits/dense_2  dense    [?, 10]           1,290              0
 * Total parameters: 235,146 (trainable 235,146, non-trainable 0); optimizer state: 470,294
 * </pre>
 *
 * @param name the loop's name
 * @param layers every layer, model after model, in the order they were built
 * @param optimizerState values held by optimizer slots and counters
 */
public record ModelSummary(String name, List<Layer> layers, long optimizerState) {

  /**
   * One layer.
   *
   * @param name {@code <model>/<layer>}, such as {@code logits/dense_1}: its variables' names start
   *     with it
   * @param kind such as {@code dense}, {@code flatten}; {@code (other variables)} for variables
   *     made outside layers
   * @param outputShape the shape of its output, {@code -1} where unknown (the batch); unknown for
   *     {@code (other variables)}
   * @param trainable values in the variables its steps train
   * @param nonTrainable values in its model state (moving averages) and frozen weights
   */
  public record Layer(
      String name, String kind, Shape outputShape, long trainable, long nonTrainable) {

    /** All its values. */
    public long parameters() {
      return trainable + nonTrainable;
    }
  }

  /** Copies the list. */
  public ModelSummary {
    layers = List.copyOf(layers);
  }

  /**
   * For the loop builder: the summary of {@code models} (the first build of each model), whose
   * variables are in {@code store}.
   */
  public static ModelSummary of(String name, Collection<Layers> models, VariableStore store) {
    List<Layer> layers = new ArrayList<>();
    List<Variable<?>> unclaimed = new ArrayList<>(store.weights());
    for (Layers model : models) {
      for (Layers.Built built : model.built()) {
        long trainable = 0;
        long nonTrainable = 0;
        for (Variable<?> variable : List.copyOf(unclaimed)) {
          if (variable.name().startsWith(built.name() + "/")) {
            unclaimed.remove(variable);
            if (variable.kind() == Kind.TRAINABLE && !variable.frozen()) {
              trainable += variable.shape().size();
            } else {
              nonTrainable += variable.shape().size();
            }
          }
        }
        layers.add(
            new Layer(built.name(), built.kind(), built.outputShape(), trainable, nonTrainable));
      }
      long trainable = 0;
      long nonTrainable = 0;
      for (Variable<?> variable : List.copyOf(unclaimed)) {
        if (variable.group().equals(model.group())) {
          unclaimed.remove(variable);
          if (variable.kind() == Kind.TRAINABLE) {
            trainable += variable.shape().size();
          } else {
            nonTrainable += variable.shape().size();
          }
        }
      }
      if (trainable + nonTrainable > 0) {
        layers.add(
            new Layer(
                model.group(), "(other variables)", Shape.unknown(), trainable, nonTrainable));
      }
    }
    long optimizer = 0;
    for (Variable<?> variable : store.ofKind(Kind.OPTIMIZER)) {
      optimizer += variable.shape().size();
    }
    return new ModelSummary(name, layers, optimizer);
  }

  /** Values in every trainable variable. */
  public long trainableParameters() {
    return layers.stream().mapToLong(Layer::trainable).sum();
  }

  /** Values in every model-state variable (not trained). */
  public long nonTrainableParameters() {
    return layers.stream().mapToLong(Layer::nonTrainable).sum();
  }

  /** Values in every weight, trainable or not. */
  public long totalParameters() {
    return trainableParameters() + nonTrainableParameters();
  }

  /** The layer named {@code name} ({@code <model>/<layer>}), or {@code null}. */
  public Layer layer(String name) {
    for (Layer layer : layers) {
      if (layer.name().equals(name)) {
        return layer;
      }
    }
    return null;
  }

  /** The table: one line per layer, then the totals. */
  @Override
  public String toString() {
    String[] headers = {"Layer", "Kind", "Output shape", "Trainable", "Non-trainable"};
    List<String[]> rows = new ArrayList<>();
    for (Layer layer : layers) {
      rows.add(
          new String[] {
            layer.name(),
            layer.kind(),
            describe(layer.outputShape()),
            count(layer.trainable()),
            count(layer.nonTrainable())
          });
    }
    int[] widths = new int[headers.length];
    for (int i = 0; i < headers.length; i++) {
      widths[i] = headers[i].length();
      for (String[] row : rows) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    StringBuilder text = new StringBuilder(name).append('\n');
    line(text, headers, widths);
    for (String[] row : rows) {
      line(text, row, widths);
    }
    return text.append("Total parameters: ")
        .append(count(totalParameters()))
        .append(" (trainable ")
        .append(count(trainableParameters()))
        .append(", non-trainable ")
        .append(count(nonTrainableParameters()))
        .append("); optimizer state: ")
        .append(count(optimizerState))
        .append('\n')
        .toString();
  }

  private static void line(StringBuilder text, String[] cells, int[] widths) {
    StringBuilder line = new StringBuilder();
    for (int i = 0; i < cells.length; i++) {
      boolean number = i >= 3;
      String padding = " ".repeat(widths[i] - cells[i].length());
      line.append(i == 0 ? "" : "  ").append(number ? padding + cells[i] : cells[i] + padding);
    }
    text.append(line.toString().stripTrailing()).append('\n');
  }

  /** {@code [?, 256]}; {@code -} for an unknown shape. */
  private static String describe(Shape shape) {
    if (shape.isUnknown()) {
      return "-";
    }
    StringBuilder text = new StringBuilder("[");
    for (int i = 0; i < shape.numDimensions(); i++) {
      long dimension = shape.get(i);
      text.append(i == 0 ? "" : ", ").append(dimension < 0 ? "?" : Long.toString(dimension));
    }
    return text.append(']').toString();
  }

  private static String count(long value) {
    return String.format(Locale.ROOT, "%,d", value);
  }
}
