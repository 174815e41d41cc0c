package io.github.tfloop.nn;

import io.github.tfloop.internal.VariableStore;
import io.github.tfloop.internal.VariableStore.Kind;
import io.github.tfloop.internal.VariableStore.Variable;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.family.TNumber;

/**
 * Builds layers inside a {@code @Model} method and owns their variables.
 *
 * <pre>{@code
 * @Model
 * Operand<TFloat32> logits(Layers nn, @Feature(shape = {28, 28}) Operand<TFloat32> image) {
 *   Operand<TFloat32> x = nn.flatten(image);
 *   x = nn.dense(x, 256, Activation.RELU);
 *   return nn.dense(x, 10);
 * }
 * }</pre>
 *
 * <p>Every variable is named after the model, the layer and its role, such as
 * {@code logits/dense_1/kernel}; layers are numbered in the order they are built. Building the same
 * model a second time (a GAN's discriminator applied to real and to generated samples) reuses the
 * variables of the first: weights are shared.
 *
 * <p>Kernels of layers followed by a rectifier ({@link Activation#RELU}, {@code LEAKY_RELU},
 * {@code ELU}) start from {@link Initializer#heNormal()}, others from
 * {@link Initializer#glorotUniform()}; biases start at zero.
 */
public final class Layers {

  private final Ops tf;
  private final VariableStore store;
  private final String group;
  private final Operand<TBool> training;
  private final long seed;
  private final Map<String, Integer> layerCounts = new HashMap<>();
  private final Set<String> namesUsed = new HashSet<>();

  /**
   * For generated code: layers of the model {@code group}, whose variables go to {@code store}.
   *
   * @param training true while the loop trains, false while it evaluates or predicts
   * @param seed the loop's seed, from which every initial weight is derived
   */
  public Layers(
      Ops tf, VariableStore store, String group, Operand<TBool> training, long seed) {
    this.tf = tf;
    this.store = store;
    this.group = group;
    this.training = training;
    this.seed = seed;
  }

  /** Every TensorFlow operation, for what the helpers here do not cover. */
  public Ops ops() {
    return tf;
  }

  /** True while the loop trains, false while it evaluates or predicts. */
  public Operand<TBool> training() {
    return training;
  }

  /** The model (variable group) these layers belong to. */
  public String group() {
    return group;
  }

  /**
   * A trainable variable of this model named {@code name}, created on the first build and shared on
   * later builds of the same model.
   *
   * @throws IllegalArgumentException if this build already created a variable of that name, or an
   *     earlier build created it with another shape or type
   */
  public <T extends TNumber> Operand<T> variable(
      String name, Shape shape, Class<T> type, Initializer initializer) {
    String fullName = group + "/" + name;
    if (!namesUsed.add(fullName)) {
      throw new IllegalArgumentException(
          "model '" + group + "' creates the variable '" + name + "' twice; names must be unique");
    }
    Variable<?> existing = store.find(fullName);
    if (existing != null) {
      if (!existing.shape().equals(shape) || existing.type() != type) {
        throw new IllegalArgumentException(
            "variable '" + fullName + "' was built as " + existing.type().getSimpleName() + " "
                + existing.shape() + " and is now asked for as " + type.getSimpleName() + " "
                + shape);
      }
      return castRead(existing, type);
    }
    Operand<T> initialValue =
        initializer.initialValue(tf, shape, type, new long[] {seed, stableHash(fullName)});
    return store.create(fullName, group, Kind.TRAINABLE, type, shape, initialValue).read();
  }

  @SuppressWarnings("unchecked")
  private static <T extends TNumber> Operand<T> castRead(Variable<?> variable, Class<T> type) {
    return (Operand<T>) variable.read();
  }

  /** A fully connected layer without activation: {@code x · kernel + bias}. */
  public <T extends TNumber> Operand<T> dense(Operand<T> x, int units) {
    return dense(x, units, Activation.LINEAR);
  }

  /** A fully connected layer: {@code activation(x · kernel + bias)}. */
  public <T extends TNumber> Operand<T> dense(Operand<T> x, int units, Activation activation) {
    return dense(x, units, activation, defaultKernelInitializer(activation));
  }

  /** A fully connected layer with the given kernel initialiser. */
  public <T extends TNumber> Operand<T> dense(
      Operand<T> x, int units, Activation activation, Initializer kernelInitializer) {
    requirePositive("dense units", units);
    Shape shape = x.shape();
    if (shape.numDimensions() != 2 || shape.isUnknown() || shape.get(1) < 0) {
      throw new IllegalArgumentException(
          "dense: the input must be [batch, features] with known features, got " + shape
              + (shape.numDimensions() > 2 ? "; flatten it first with flatten(x)" : ""));
    }
    String layer = nextLayerName("dense");
    Class<T> type = x.type();
    Operand<T> kernel =
        variable(layer + "/kernel", Shape.of(shape.get(1), units), type, kernelInitializer);
    Operand<T> bias = variable(layer + "/bias", Shape.of(units), type, Initializer.zeros());
    return activation.apply(tf, tf.nn.biasAdd(tf.linalg.matMul(x, kernel), bias));
  }

  /**
   * A 2-D convolution over {@code [batch, height, width, channels]} input, stride 1, {@link
   * Padding#SAME}.
   */
  public <T extends TNumber> Operand<T> conv2d(
      Operand<T> x, int filters, int kernelSize, Activation activation) {
    return conv2d(x, filters, kernelSize, 1, Padding.SAME, activation);
  }

  /** A 2-D convolution over {@code [batch, height, width, channels]} input. */
  public <T extends TNumber> Operand<T> conv2d(
      Operand<T> x, int filters, int kernelSize, int stride, Padding padding, Activation activation) {
    requirePositive("conv2d filters", filters);
    requirePositive("conv2d kernelSize", kernelSize);
    requirePositive("conv2d stride", stride);
    long channels = requireImage("conv2d", x);
    String layer = nextLayerName("conv2d");
    Class<T> type = x.type();
    Operand<T> kernel =
        variable(
            layer + "/kernel",
            Shape.of(kernelSize, kernelSize, channels, filters),
            type,
            defaultKernelInitializer(activation));
    Operand<T> bias = variable(layer + "/bias", Shape.of(filters), type, Initializer.zeros());
    Operand<T> convolved =
        tf.nn.conv2d(x, kernel, List.of(1L, (long) stride, (long) stride, 1L), padding.name());
    return activation.apply(tf, tf.nn.biasAdd(convolved, bias));
  }

  /** Max pooling over {@code size × size} windows with stride {@code size}, {@code VALID}. */
  public <T extends TNumber> Operand<T> maxPool(Operand<T> x, int size) {
    return maxPool(x, size, size, Padding.VALID);
  }

  /** Max pooling over {@code size × size} windows. */
  public <T extends TNumber> Operand<T> maxPool(
      Operand<T> x, int size, int stride, Padding padding) {
    requirePositive("maxPool size", size);
    requirePositive("maxPool stride", stride);
    requireImage("maxPool", x);
    return tf.nn.maxPool(
        x,
        tf.constant(new int[] {1, size, size, 1}),
        tf.constant(new int[] {1, stride, stride, 1}),
        padding.name());
  }

  /** Average pooling over {@code size × size} windows with stride {@code size}, {@code VALID}. */
  public <T extends TNumber> Operand<T> avgPool(Operand<T> x, int size) {
    return avgPool(x, size, size, Padding.VALID);
  }

  /** Average pooling over {@code size × size} windows. */
  public <T extends TNumber> Operand<T> avgPool(
      Operand<T> x, int size, int stride, Padding padding) {
    requirePositive("avgPool size", size);
    requirePositive("avgPool stride", stride);
    requireImage("avgPool", x);
    return tf.nn.avgPool(
        x, List.of(1L, (long) size, (long) size, 1L), List.of(1L, (long) stride, (long) stride, 1L),
        padding.name());
  }

  /** Flattens every example to a vector: {@code [batch, d1, d2, ...] -> [batch, d1 * d2 * ...]}. */
  public <T extends TNumber> Operand<T> flatten(Operand<T> x) {
    Shape shape = x.shape();
    if (shape.isUnknown() || shape.numDimensions() < 1) {
      throw new IllegalArgumentException("flatten: the input needs a known rank, got " + shape);
    }
    long features = 1;
    for (int i = 1; i < shape.numDimensions(); i++) {
      if (shape.get(i) < 0) {
        throw new IllegalArgumentException(
            "flatten: every dimension but the batch must be known, got " + shape);
      }
      features *= shape.get(i);
    }
    return tf.reshape(x, tf.constant(new long[] {-1, features}));
  }

  /** Reshapes every example to {@code exampleShape}, keeping the batch dimension. */
  public <T extends TNumber> Operand<T> reshape(Operand<T> x, int... exampleShape) {
    long[] dims = new long[exampleShape.length + 1];
    dims[0] = -1;
    for (int i = 0; i < exampleShape.length; i++) {
      requirePositive("reshape dimension", exampleShape[i]);
      dims[i + 1] = exampleShape[i];
    }
    return tf.reshape(x, tf.constant(dims));
  }

  private String nextLayerName(String kind) {
    int count = layerCounts.merge(kind, 1, Integer::sum);
    return count == 1 ? kind : kind + "_" + (count - 1);
  }

  private static Initializer defaultKernelInitializer(Activation activation) {
    return activation.prefersHeInitialization()
        ? Initializer.heNormal()
        : Initializer.glorotUniform();
  }

  private static long requireImage(String layer, Operand<?> x) {
    Shape shape = x.shape();
    if (shape.numDimensions() != 4 || shape.get(3) < 0) {
      throw new IllegalArgumentException(
          layer + ": the input must be [batch, height, width, channels] with known channels, got "
              + shape + (shape.numDimensions() == 3 ? "; add a channel with reshape(x, h, w, 1)" : ""));
    }
    return shape.get(3);
  }

  private static void requirePositive(String what, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(what + " must be positive, got " + value);
    }
  }

  /** A 64-bit FNV-1a hash of a variable name: the second half of its initialiser's seed. */
  static long stableHash(String name) {
    long hash = 0xcbf29ce484222325L;
    for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
      hash ^= b & 0xff;
      hash *= 0x100000001b3L;
    }
    return hash;
  }

  @Override
  public String toString() {
    return "Layers[" + group + ", " + Arrays.toString(namesUsed.toArray()) + "]";
  }
}
