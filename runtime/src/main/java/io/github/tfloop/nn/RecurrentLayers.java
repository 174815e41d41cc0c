package io.github.tfloop.nn;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Stack;
import org.tensorflow.op.core.Unstack;
import org.tensorflow.types.family.TFloating;
import org.tensorflow.types.family.TNumber;

/**
 * LSTM and GRU layers, unrolled over a fixed number of timesteps: one cell per step in the graph,
 * since TensorFlow's C API has no gradients for while loops. Weights, gate order and equations are
 * Keras 3's ({@code keras.layers.LSTM}, {@code keras.layers.GRU} with {@code reset_after=True}), so
 * Keras weights load unchanged; the initial state is zero.
 */
final class RecurrentLayers {

  private RecurrentLayers() {}

  /**
   * Keras's {@code unit_forget_bias}: zeros but for the forget gate's quarter, which starts at one
   * so that the cell remembers by default (Jozefowicz et al., 2015).
   */
  private static final Initializer UNIT_FORGET_BIAS =
      new Initializer() {
        @Override
        public <T extends TNumber> Operand<T> initialValue(
            Ops tf, Shape shape, Class<T> type, long[] seed) {
          long units = shape.get(0) / 4;
          Operand<T> zero = tf.dtypes.cast(tf.constant(0f), type);
          Operand<T> one = tf.dtypes.cast(tf.constant(1f), type);
          return tf.concat(
              List.of(
                  tf.fill(tf.constant(new long[] {units}), zero),
                  tf.fill(tf.constant(new long[] {units}), one),
                  tf.fill(tf.constant(new long[] {2 * units}), zero)),
              tf.constant(0));
        }

        @Override
        public String toString() {
          return "unitForgetBias()";
        }
      };

  /**
   * Projects every timestep through the kernel at once, {@code x · kernel + bias}, and splits the
   * result into one {@code [batch, gates * units]} operand per step.
   */
  private static <T extends TFloating> List<Operand<T>> projectInputs(
      Ops tf, Operand<T> x, long timesteps, long features, Operand<T> kernel, Operand<T> bias) {
    long width = kernel.shape().get(1);
    Operand<T> flat = tf.reshape(x, tf.constant(new long[] {-1, features}));
    Operand<T> projected = tf.linalg.matMul(flat, kernel);
    if (bias != null) {
      projected = tf.nn.biasAdd(projected, bias);
    }
    Operand<T> bySteps = tf.reshape(projected, tf.constant(new long[] {-1, timesteps, width}));
    return new ArrayList<Operand<T>>(tf.unstack(bySteps, timesteps, Unstack.axis(1L)).output());
  }

  /** Keras's LSTM: gates {@code i, f, c, o} in that order along the kernels' columns. */
  static <T extends TFloating> Operand<T> lstm(
      Layers nn, Operand<T> x, int units, boolean returnSequences) {
    String layer = nn.nextLayerName("lstm");
    String who = LayerShapes.layerName("lstm", nn.group(), layer);
    LayerShapes.requirePositive(who, "units", units);
    long[] dims = LayerShapes.requireSequence(who, x);
    long timesteps = dims[0];
    long features = dims[1];
    Class<T> type = x.type();
    Operand<T> kernel =
        nn.weight(
            layer + "/kernel",
            Shape.of(features, 4L * units),
            type,
            Initializer.glorotUniform(),
            null);
    Operand<T> recurrentKernel =
        nn.weight(
            layer + "/recurrent_kernel",
            Shape.of(units, 4L * units),
            type,
            Initializer.orthogonal(),
            null);
    Operand<T> bias =
        nn.weight(layer + "/bias", Shape.of(4L * units), type, UNIT_FORGET_BIAS, null);

    Ops tf = nn.ops().withSubScope(layer);
    List<Operand<T>> steps = projectInputs(tf, x, timesteps, features, kernel, bias);
    List<Operand<T>> outputs = new ArrayList<>();
    Operand<T> h = null; // the zero initial state: its terms are left out of the first step
    Operand<T> c = null;
    for (Operand<T> step : steps) {
      Operand<T> z = h == null ? step : tf.math.add(step, tf.linalg.matMul(h, recurrentKernel));
      List<Operand<T>> gates = new ArrayList<>(tf.split(tf.constant(1), z, 4L).output());
      Operand<T> input = tf.math.sigmoid(gates.get(0));
      Operand<T> forget = tf.math.sigmoid(gates.get(1));
      Operand<T> candidate = tf.math.tanh(gates.get(2));
      Operand<T> output = tf.math.sigmoid(gates.get(3));
      Operand<T> written = tf.math.mul(input, candidate);
      c = c == null ? written : tf.math.add(tf.math.mul(forget, c), written);
      h = tf.math.mul(output, tf.math.tanh(c));
      outputs.add(h);
    }
    return returnSequences ? tf.stack(outputs, Stack.axis(1L)) : h;
  }

  /**
   * Keras 3's GRU with {@code reset_after=True}: gates {@code z, r, h} in that order along the
   * kernels' columns; row 0 of the {@code [2, 3 * units]} bias goes with the kernel, row 1 with the
   * recurrent kernel.
   */
  static <T extends TFloating> Operand<T> gru(
      Layers nn, Operand<T> x, int units, boolean returnSequences) {
    String layer = nn.nextLayerName("gru");
    String who = LayerShapes.layerName("gru", nn.group(), layer);
    LayerShapes.requirePositive(who, "units", units);
    long[] dims = LayerShapes.requireSequence(who, x);
    long timesteps = dims[0];
    long features = dims[1];
    Class<T> type = x.type();
    Operand<T> kernel =
        nn.weight(
            layer + "/kernel",
            Shape.of(features, 3L * units),
            type,
            Initializer.glorotUniform(),
            null);
    Operand<T> recurrentKernel =
        nn.weight(
            layer + "/recurrent_kernel",
            Shape.of(units, 3L * units),
            type,
            Initializer.orthogonal(),
            null);
    Operand<T> bias =
        nn.weight(layer + "/bias", Shape.of(2, 3L * units), type, Initializer.zeros(), null);

    Ops tf = nn.ops().withSubScope(layer);
    List<Operand<T>> biases = new ArrayList<>(tf.unstack(bias, 2L, Unstack.axis(0L)).output());
    Operand<T> inputBias = biases.get(0);
    Operand<T> recurrentBias = biases.get(1);
    List<Operand<T>> steps = projectInputs(tf, x, timesteps, features, kernel, inputBias);
    Operand<T> one = tf.dtypes.cast(tf.constant(1f), type);
    List<Operand<T>> outputs = new ArrayList<>();
    Operand<T> h = null; // the zero initial state: h · recurrentKernel is zero on the first step
    for (Operand<T> step : steps) {
      List<Operand<T>> fromInput = new ArrayList<>(tf.split(tf.constant(-1), step, 3L).output());
      Operand<T> inner =
          h == null
              ? recurrentBias
              : tf.nn.biasAdd(tf.linalg.matMul(h, recurrentKernel), recurrentBias);
      List<Operand<T>> fromState = new ArrayList<>(tf.split(tf.constant(-1), inner, 3L).output());
      Operand<T> update = tf.math.sigmoid(tf.math.add(fromInput.get(0), fromState.get(0)));
      Operand<T> reset = tf.math.sigmoid(tf.math.add(fromInput.get(1), fromState.get(1)));
      Operand<T> candidate =
          tf.math.tanh(tf.math.add(fromInput.get(2), tf.math.mul(reset, fromState.get(2))));
      Operand<T> fresh = tf.math.mul(tf.math.sub(one, update), candidate);
      h = h == null ? fresh : tf.math.add(tf.math.mul(update, h), fresh);
      outputs.add(h);
    }
    return returnSequences ? tf.stack(outputs, Stack.axis(1L)) : h;
  }
}
