package io.github.tfloop.nn;

import io.github.tfloop.graph.VariableStore;
import io.github.tfloop.graph.VariableStore.Kind;
import io.github.tfloop.graph.VariableStore.Variable;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.Operand;
import org.tensorflow.OperationBuilder;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TFloating;
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
 * <p>Every variable is named after the model, the layer and its role, such as {@code
 * logits/dense_1/kernel}; layers are numbered in the order they are built. Building the same model
 * a second time (a GAN's discriminator applied to real and to generated samples) reuses the
 * variables of the first: weights are shared.
 *
 * <p>Kernels of layers followed by a rectifier ({@link Activation#RELU}, {@code LEAKY_RELU}, {@code
 * ELU}) start from {@link Initializer#heNormal()}, others from {@link Initializer#glorotUniform()};
 * biases start at zero.
 *
 * <p>In a loop trained in mixed precision ({@code LoopOptions.precision}), {@link #dense} and
 * {@link #conv2d} compute in the low precision (their float32 inputs, kernels and biases cast to
 * it, rectifier activations included) and return float32; a value passed on from one of them
 * through {@link #maxPool}, {@link #flatten} or {@link #reshape} to the next stays in the low
 * precision in between, without a cast back and forth. Everything else computes in float32.
 */
public final class Layers {

  /** Activations that run in a mixed loop's low precision; the others run in float32. */
  private static final EnumSet<Activation> LOW_PRECISION_ACTIVATIONS =
      EnumSet.of(Activation.LINEAR, Activation.RELU, Activation.LEAKY_RELU, Activation.ELU);

  private final Ops tf;
  private final VariableStore store;
  private final String group;
  private final Operand<TBool> training;
  private final Operand<TInt64> step;
  private final long seed;
  private final Class<? extends TFloating> computeType;
  // A mixed loop's float32 results of layers, each to the low-precision value it was cast from.
  private final Map<Output<?>, Operand<?>> lowPrecisionSources = new HashMap<>();
  private Regularizer kernelRegularizer;
  private final Map<String, Integer> layerCounts = new HashMap<>();
  private final Set<String> namesUsed = new HashSet<>();

  /**
   * For generated code: layers of the model {@code group}, whose variables go to {@code store}.
   *
   * @param training true while the loop trains, false while it evaluates or predicts
   * @param step the number of batches trained so far, which seeds per-batch randomness
   * @param seed the loop's seed, from which every initial weight and random mask is derived
   */
  public Layers(
      Ops tf,
      VariableStore store,
      String group,
      Operand<TBool> training,
      Operand<TInt64> step,
      long seed) {
    this(tf, store, group, training, step, seed, null);
  }

  /**
   * For generated code: layers as {@link #Layers(Ops, VariableStore, String, Operand, Operand,
   * long)}, whose dense and convolution layers compute in {@code computeType} (bfloat16 or float16,
   * for mixed precision) when their input is float32 or float64; {@code null} computes in the
   * input's type.
   */
  public Layers(
      Ops tf,
      VariableStore store,
      String group,
      Operand<TBool> training,
      Operand<TInt64> step,
      long seed,
      Class<? extends TFloating> computeType) {
    this.tf = tf;
    this.store = store;
    this.group = group;
    this.training = training;
    this.step = step;
    this.seed = seed;
    this.computeType = computeType;
  }

  /**
   * The type dense and convolution layers compute in when their input is float32, or {@code null}
   * when they compute in their input's type (the loop trains in float32).
   */
  public Class<? extends TFloating> computeType() {
    return computeType;
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
    return weight(name, shape, type, initializer, null);
  }

  /**
   * A trainable variable as {@link #variable}, penalised by {@code regularizer} (if not null) in
   * every step that trains it.
   */
  private <T extends TNumber> Operand<T> weight(
      String name, Shape shape, Class<T> type, Initializer initializer, Regularizer regularizer) {
    String fullName = group + "/" + name;
    if (!namesUsed.add(fullName)) {
      throw new IllegalArgumentException(
          "model '" + group + "' creates the variable '" + name + "' twice; names must be unique");
    }
    Variable<?> existing = store.find(fullName);
    if (existing != null) {
      if (!existing.shape().equals(shape) || existing.type() != type) {
        throw new IllegalArgumentException(
            "variable '"
                + fullName
                + "' was built as "
                + existing.type().getSimpleName()
                + " "
                + existing.shape()
                + " and is now asked for as "
                + type.getSimpleName()
                + " "
                + shape);
      }
      return castRead(existing, type);
    }
    Operand<T> initialValue =
        initializer.initialValue(tf, shape, type, new long[] {seed, stableHash(fullName)});
    Operand<T> read =
        store.create(fullName, group, Kind.TRAINABLE, type, shape, initialValue).read();
    if (regularizer != null) {
      store.addPenalty(group, regularizer.penalty(tf, read));
    }
    return read;
  }

  /** A state variable, and whether this build created it (else an earlier build did). */
  private record State(Variable<?> variable, boolean created) {}

  /**
   * A non-trainable state variable of this model, such as a moving average, created on the first
   * build and shared afterwards; {@link State#created} tells the caller which.
   */
  private <T extends TNumber> State state(
      String name, Shape shape, Class<T> type, Initializer initializer) {
    String fullName = group + "/" + name;
    Variable<?> existing = store.find(fullName);
    if (existing != null) {
      return new State(existing, false);
    }
    Operand<T> initialValue = initializer.initialValue(tf, shape, type, new long[] {seed, 0});
    return new State(
        store.create(fullName, group, Kind.MODEL_STATE, type, shape, initialValue), true);
  }

  /**
   * Penalises the kernels of the dense and convolution layers built after this call with {@code
   * regularizer} ({@code null}: no penalty).
   */
  public Layers kernelRegularizer(Regularizer regularizer) {
    this.kernelRegularizer = regularizer;
    return this;
  }

  /**
   * Adds {@code regularizer}'s penalty of {@code weight}, one of this model's variables, to the
   * loss of every step that trains this model.
   */
  public <T extends TNumber> Operand<T> regularize(Operand<T> weight, Regularizer regularizer) {
    store.addPenalty(group, regularizer.penalty(tf, weight));
    return weight;
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
          "dense: the input must be [batch, features] with known features, got "
              + shape
              + (shape.numDimensions() > 2 ? "; flatten it first with flatten(x)" : ""));
    }
    String layer = nextLayerName("dense");
    Class<T> type = x.type();
    Operand<T> kernel =
        weight(
            layer + "/kernel",
            Shape.of(shape.get(1), units),
            type,
            kernelInitializer,
            kernelRegularizer);
    Operand<T> bias = variable(layer + "/bias", Shape.of(units), type, Initializer.zeros());
    if (mixes(type)) {
      Operand<? extends TNumber> product = denseInLowPrecision(x, kernel, bias);
      return toInputType(product, activation, type);
    }
    return activation.apply(tf, tf.nn.biasAdd(tf.linalg.matMul(x, kernel), bias));
  }

  private <L extends TNumber> Operand<L> denseInLowPrecision(
      Operand<?> x, Operand<?> kernel, Operand<?> bias) {
    return tf.nn.biasAdd(
        tf.linalg.matMul(this.<L>lowPrecision(x), this.<L>lowPrecision(kernel)),
        this.<L>lowPrecision(bias));
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
      Operand<T> x,
      int filters,
      int kernelSize,
      int stride,
      Padding padding,
      Activation activation) {
    requirePositive("conv2d filters", filters);
    requirePositive("conv2d kernelSize", kernelSize);
    requirePositive("conv2d stride", stride);
    long channels = requireImage("conv2d", x);
    String layer = nextLayerName("conv2d");
    Class<T> type = x.type();
    Operand<T> kernel =
        weight(
            layer + "/kernel",
            Shape.of(kernelSize, kernelSize, channels, filters),
            type,
            defaultKernelInitializer(activation),
            kernelRegularizer);
    Operand<T> bias = variable(layer + "/bias", Shape.of(filters), type, Initializer.zeros());
    List<Long> strides = List.of(1L, (long) stride, (long) stride, 1L);
    if (mixes(type)) {
      Operand<? extends TNumber> convolved =
          convInLowPrecision(x, kernel, bias, strides, padding.name());
      return toInputType(convolved, activation, type);
    }
    Operand<T> convolved = tf.nn.conv2d(x, kernel, strides, padding.name());
    return activation.apply(tf, tf.nn.biasAdd(convolved, bias));
  }

  private <L extends TNumber> Operand<L> convInLowPrecision(
      Operand<?> x, Operand<?> kernel, Operand<?> bias, List<Long> strides, String padding) {
    return tf.nn.biasAdd(
        tf.nn.conv2d(this.<L>lowPrecision(x), this.<L>lowPrecision(kernel), strides, padding),
        this.<L>lowPrecision(bias));
  }

  /** Whether a layer with {@code type} input computes in a mixed loop's low precision. */
  private boolean mixes(Class<?> type) {
    return computeType != null
        && (type == TFloat32.class || type == org.tensorflow.types.TFloat64.class);
  }

  /**
   * {@code x} in the low precision: the value a layer cast it from if there is one (a cast from
   * bfloat16 or float16 to float32 and back is exact), else a cast.
   */
  @SuppressWarnings("unchecked")
  private <L extends TNumber> Operand<L> lowPrecision(Operand<?> x) {
    Operand<?> source = lowPrecisionSources.get(x.asOutput());
    return (Operand<L>) (source != null ? source : tf.dtypes.cast(x, computeType));
  }

  /**
   * A low-precision layer result, activated, in {@code type}: the rectifiers run before the cast,
   * in the low precision; other activations after it, in float32.
   */
  private <T extends TNumber, L extends TNumber> Operand<T> toInputType(
      Operand<L> result, Activation activation, Class<T> type) {
    return LOW_PRECISION_ACTIVATIONS.contains(activation)
        ? castBack(activation.apply(tf, result), type)
        : activation.apply(tf, castBack(result, type));
  }

  /** {@code low} cast to {@code type}, remembered so that the next layer can use {@code low}. */
  private <T extends TNumber> Operand<T> castBack(Operand<?> low, Class<T> type) {
    Operand<T> cast = tf.dtypes.cast(low, type);
    lowPrecisionSources.put(cast.asOutput(), low);
    return cast;
  }

  /** {@code op} applied to the low-precision value behind {@code x}, if it has one, and cast. */
  private <T extends TNumber> Operand<T> keepLowPrecision(
      Operand<T> x, java.util.function.UnaryOperator<Operand<TNumber>> op) {
    return castBack(op.apply(lowPrecision(x)), x.type());
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
    if (lowPrecisionSources.containsKey(x.asOutput())) {
      return keepLowPrecision(x, low -> maxPoolOp(low, size, stride, padding));
    }
    return maxPoolOp(x, size, stride, padding);
  }

  /**
   * TensorFlow's {@code MaxPool}, whose window and strides are attributes: oneDNN's pooling kernels
   * run it and its gradient. ({@code tf.nn.maxPool} builds {@code MaxPoolV2}, whose window and
   * strides are tensors, and whose gradient runs in TensorFlow's generic kernel, several times
   * slower.)
   */
  private <T extends TNumber> Operand<T> maxPoolOp(
      Operand<T> x, int size, int stride, Padding padding) {
    OperationBuilder pool =
        tf.scope()
            .opBuilder("MaxPool", "MaxPool")
            .addInput(x.asOutput())
            .setAttr("ksize", new long[] {1, size, size, 1})
            .setAttr("strides", new long[] {1, stride, stride, 1})
            .setAttr("padding", padding.name());
    return pool.build().output(0);
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
        x,
        List.of(1L, (long) size, (long) size, 1L),
        List.of(1L, (long) stride, (long) stride, 1L),
        padding.name());
  }

  /**
   * Dropout: while training, zeroes each element with probability {@code rate} and scales the rest
   * by {@code 1 / (1 - rate)}; otherwise the identity. The mask is drawn by a stateless random op
   * seeded by the loop's seed, the layer and the batch number, so runs (and resumed runs) repeat.
   */
  public <T extends TNumber> Operand<T> dropout(Operand<T> x, double rate) {
    if (!(rate >= 0 && rate < 1)) {
      throw new IllegalArgumentException("dropout rate must be in [0, 1), got " + rate);
    }
    String layer = nextLayerName("dropout");
    Class<T> type = x.type();
    Operand<T> uniform =
        tf.random.statelessRandomUniform(tf.shape(x, TInt64.class), batchSeed(layer), type);
    Operand<T> keep =
        tf.dtypes.cast(
            tf.math.greaterEqual(uniform, tf.dtypes.cast(tf.constant(rate), type)), type);
    Operand<T> dropped =
        tf.math.mul(tf.math.mul(x, keep), tf.dtypes.cast(tf.constant(1 / (1 - rate)), type));
    return tf.select(training, dropped, x);
  }

  /**
   * Batch normalisation over the last dimension (Ioffe and Szegedy, 2015), with Keras's defaults:
   * momentum 0.99, epsilon 0.001. While training it normalises with the batch's statistics and
   * updates moving averages of them (the step that trains this model runs the update); while
   * evaluating or predicting it uses the moving averages.
   */
  public <T extends TNumber> Operand<T> batchNorm(Operand<T> x) {
    return batchNorm(x, 0.99, 1e-3);
  }

  /** Batch normalisation with the given moving-average momentum and epsilon. */
  public <T extends TNumber> Operand<T> batchNorm(Operand<T> x, double momentum, double epsilon) {
    if (!(momentum >= 0 && momentum < 1) || !(epsilon > 0)) {
      throw new IllegalArgumentException(
          "batchNorm needs momentum in [0, 1) and epsilon > 0, got " + momentum + ", " + epsilon);
    }
    Shape shape = x.shape();
    int rank = shape.numDimensions();
    if (rank < 2 || shape.get(rank - 1) < 0) {
      throw new IllegalArgumentException(
          "batchNorm: the input needs a known last dimension, got " + shape);
    }
    String layer = nextLayerName("batch_norm");
    Class<T> type = x.type();
    Shape features = Shape.of(shape.get(rank - 1));
    Operand<T> gamma = variable(layer + "/gamma", features, type, Initializer.ones());
    Operand<T> beta = variable(layer + "/beta", features, type, Initializer.zeros());
    State meanState = state(layer + "/moving_mean", features, type, Initializer.zeros());
    boolean firstBuild = meanState.created();
    Variable<?> movingMean = meanState.variable();
    Variable<?> movingVariance =
        state(layer + "/moving_variance", features, type, Initializer.ones()).variable();

    Operand<TInt32> axes = tf.range(tf.constant(0), tf.constant(rank - 1), tf.constant(1));
    Operand<T> mean = tf.math.mean(x, axes);
    Operand<T> variance = tf.math.mean(tf.math.squaredDifference(x, tf.stopGradient(mean)), axes);
    Operand<T> eps = tf.dtypes.cast(tf.constant(epsilon), type);
    Operand<T> training = normalise(x, mean, variance, gamma, beta, eps);
    Operand<T> inference =
        normalise(x, castRead(movingMean, type), castRead(movingVariance, type), gamma, beta, eps);
    if (firstBuild) {
      Operand<T> keep = tf.dtypes.cast(tf.constant(momentum), type);
      Operand<T> take = tf.dtypes.cast(tf.constant(1 - momentum), type);
      store.addUpdate(
          group,
          tf.assignVariableOp(
              movingMean.handle(),
              tf.math.add(tf.math.mul(castRead(movingMean, type), keep), tf.math.mul(mean, take))));
      store.addUpdate(
          group,
          tf.assignVariableOp(
              movingVariance.handle(),
              tf.math.add(
                  tf.math.mul(castRead(movingVariance, type), keep), tf.math.mul(variance, take))));
    }
    return tf.select(this.training, training, inference);
  }

  private <T extends TNumber> Operand<T> normalise(
      Operand<T> x,
      Operand<T> mean,
      Operand<T> variance,
      Operand<T> gamma,
      Operand<T> beta,
      Operand<T> epsilon) {
    Operand<T> scale = tf.math.mul(gamma, tf.math.rsqrt(tf.math.add(variance, epsilon)));
    return tf.math.add(tf.math.mul(tf.math.sub(x, mean), scale), beta);
  }

  /**
   * Augmentation: while training, mirrors each image of a {@code [batch, height, width, channels]}
   * (or {@code [batch, height, width]}) batch left to right with probability 0.5; otherwise the
   * identity.
   */
  public <T extends TNumber> Operand<T> randomFlipHorizontal(Operand<T> images) {
    int rank = images.shape().numDimensions();
    if (rank != 3 && rank != 4) {
      throw new IllegalArgumentException(
          "randomFlipHorizontal: the input must be [batch, height, width(, channels)], got "
              + images.shape());
    }
    String layer = nextLayerName("random_flip");
    Operand<TInt64> batchShape =
        tf.gather(tf.shape(images, TInt64.class), tf.constant(new int[] {0}), tf.constant(0));
    Operand<TFloat32> coin =
        tf.random.statelessRandomUniform(batchShape, batchSeed(layer), TFloat32.class);
    long[] maskShape = new long[rank];
    java.util.Arrays.fill(maskShape, 1);
    maskShape[0] = -1;
    Operand<TBool> flip = tf.reshape(tf.math.less(coin, tf.constant(0.5f)), tf.constant(maskShape));
    Operand<T> flipped = tf.reverse(images, tf.constant(new int[] {2}));
    return tf.select(training, tf.select(flip, flipped, images), images);
  }

  /**
   * Augmentation: while training, shifts each image of a {@code [batch, height, width, channels]}
   * float32 batch by a random whole number of pixels, up to {@code maxFraction} of its height and
   * width in each direction, filling with zeros; otherwise the identity.
   */
  public Operand<TFloat32> randomTranslation(Operand<TFloat32> images, double maxFraction) {
    Shape shape = images.shape();
    if (shape.numDimensions() != 4 || shape.get(1) < 0 || shape.get(2) < 0) {
      throw new IllegalArgumentException(
          "randomTranslation: the input must be [batch, height, width, channels] with known height"
              + " and width, got "
              + shape);
    }
    if (!(maxFraction >= 0 && maxFraction < 1)) {
      throw new IllegalArgumentException(
          "randomTranslation maxFraction must be in [0, 1), got " + maxFraction);
    }
    String layer = nextLayerName("random_translation");
    Operand<TInt64> batch =
        tf.gather(tf.shape(images, TInt64.class), tf.constant(new int[] {0}), tf.constant(0));
    Operand<TInt64> offsetsShape =
        tf.concat(List.of(batch, tf.constant(new long[] {2})), tf.constant(0));
    Operand<TFloat32> unit =
        tf.random.statelessRandomUniform(offsetsShape, batchSeed(layer), TFloat32.class);
    // whole pixels in [-max, max] along height (column 0) and width (column 1)
    Operand<TFloat32> limits =
        tf.constant(
            new float[] {
              (float) Math.floor(maxFraction * shape.get(1)),
              (float) Math.floor(maxFraction * shape.get(2))
            });
    Operand<TFloat32> offsets =
        tf.math.round(
            tf.math.mul(tf.math.sub(tf.math.mul(unit, tf.constant(2f)), tf.constant(1f)), limits));
    Operand<TFloat32> dy =
        tf.reshape(
            tf.gather(offsets, tf.constant(new int[] {0}), tf.constant(1)),
            tf.constant(new long[] {-1, 1}));
    Operand<TFloat32> dx =
        tf.reshape(
            tf.gather(offsets, tf.constant(new int[] {1}), tf.constant(1)),
            tf.constant(new long[] {-1, 1}));
    Operand<TFloat32> ones = tf.onesLike(dx);
    Operand<TFloat32> zeros = tf.zerosLike(dx);
    // output pixel (x, y) reads input pixel (x - dx, y - dy)
    Operand<TFloat32> transforms =
        tf.concat(
            List.of(ones, zeros, tf.math.neg(dx), zeros, ones, tf.math.neg(dy), zeros, zeros),
            tf.constant(1));
    Operand<TFloat32> shifted =
        tf.image.imageProjectiveTransformV3(
            images,
            transforms,
            tf.constant(new int[] {(int) shape.get(1), (int) shape.get(2)}),
            tf.constant(0f),
            "NEAREST",
            org.tensorflow.op.image.ImageProjectiveTransformV3.fillMode("CONSTANT"));
    return tf.select(training, shifted, images);
  }

  /**
   * A stateless-random seed for {@code layer} on this batch: {@code [seed ^ hash(layer), step]}.
   */
  private Operand<TInt64> batchSeed(String layer) {
    Operand<TInt64> first = tf.constant(new long[] {seed ^ stableHash(group + "/" + layer)});
    return tf.concat(List.of(first, tf.reshape(step, tf.constant(new long[] {1}))), tf.constant(0));
  }

  /** {@code activation} applied to {@code x}, for activations after a normalisation. */
  public <T extends TNumber> Operand<T> activation(Operand<T> x, Activation activation) {
    return activation.apply(tf, x);
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
    long[] flat = {-1, features};
    if (lowPrecisionSources.containsKey(x.asOutput())) {
      return keepLowPrecision(x, low -> tf.reshape(low, tf.constant(flat)));
    }
    return tf.reshape(x, tf.constant(flat));
  }

  /** Reshapes every example to {@code exampleShape}, keeping the batch dimension. */
  public <T extends TNumber> Operand<T> reshape(Operand<T> x, int... exampleShape) {
    long[] dims = new long[exampleShape.length + 1];
    dims[0] = -1;
    for (int i = 0; i < exampleShape.length; i++) {
      requirePositive("reshape dimension", exampleShape[i]);
      dims[i + 1] = exampleShape[i];
    }
    if (lowPrecisionSources.containsKey(x.asOutput())) {
      return keepLowPrecision(x, low -> tf.reshape(low, tf.constant(dims)));
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
          layer
              + ": the input must be [batch, height, width, channels] with known channels, got "
              + shape
              + (shape.numDimensions() == 3 ? "; add a channel with reshape(x, h, w, 1)" : ""));
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
