package io.github.tfloop.nn;

import io.github.tfloop.graph.VariableStore;
import io.github.tfloop.graph.VariableStore.Kind;
import io.github.tfloop.graph.VariableStore.Variable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
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
import org.tensorflow.types.family.TIntegral;
import org.tensorflow.types.family.TNumber;
import org.tensorflow.types.family.TType;

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
 * <p>Kernels of dense and convolution layers followed by a rectifier ({@link Activation#RELU},
 * {@code LEAKY_RELU}, {@code ELU}) start from {@link Initializer#heNormal()}, others from {@link
 * Initializer#glorotUniform()}; biases start at zero. The sequence, attention and normalisation
 * layers start as Keras starts them (see each method).
 *
 * <p>Layers built while {@link #trainable(boolean) trainable(false)} are frozen, as in Keras; a
 * {@link #scope named scope} groups layers under one name, which {@code LoopOptions.freeze} and
 * {@code LoopOptions.learningRateMultiplier} can name:
 *
 * <pre>{@code
 * Operand<TFloat32> features = backbone(nn.scope("backbone"), image); // logits/backbone/conv2d/...
 * return nn.scope("head").dense(features, 5);                          // logits/head/dense/...
 * }</pre>
 *
 * <h2>Layers</h2>
 *
 * <ul>
 *   <li>Dense and images: {@link #dense}, {@link #conv2d}, {@link #maxPool}, {@link #avgPool},
 *       {@link #batchNorm}, {@link #dropout}, {@link #randomFlipHorizontal}, {@link
 *       #randomTranslation}, {@link #flatten}, {@link #reshape}.
 *   <li>Sequences, {@code [batch, timesteps, features]} with known timesteps: {@link #embedding}
 *       (token ids to vectors), {@link #lstm}, {@link #gru} (unrolled over the timesteps), {@link
 *       #conv1d}.
 *   <li>Attention and normalisation: {@link #multiHeadAttention} (optionally causal), {@link
 *       #layerNorm}.
 *   <li>Merging and pooling: {@link #add} (residual connections), {@link #concatenate}, {@link
 *       #globalAvgPool}, {@link #globalMaxPool}.
 * </ul>
 *
 * <h2>Variable names</h2>
 *
 * <p>Variables are named {@code <model>/<layer>/<weight>}, the layer named after its kind and
 * numbered per kind in build order ({@code lstm}, {@code lstm_1}, ...), as Keras names layers.
 * Within a layer, variables are created in Keras's order with Keras's shapes, so that a Keras
 * weight file maps onto them by renaming its layers' prefixes ({@code
 * io.github.tfloop.weights.WeightMapping} maps by name; it does not match by order or shape):
 *
 * <table>
 *   <caption>Variables per layer (Keras layer in brackets)</caption>
 *   <tr><th>layer</th><th>variables, in order</th></tr>
 *   <tr><td>{@code dense} (Dense)</td><td>{@code kernel [in, units]}, {@code bias [units]}</td></tr>
 *   <tr><td>{@code conv2d} (Conv2D)</td>
 *       <td>{@code kernel [size, size, in, filters]}, {@code bias [filters]}</td></tr>
 *   <tr><td>{@code conv1d} (Conv1D)</td>
 *       <td>{@code kernel [size, in, filters]}, {@code bias [filters]}</td></tr>
 *   <tr><td>{@code batch_norm} (BatchNormalization)</td>
 *       <td>{@code gamma}, {@code beta}, {@code moving_mean}, {@code moving_variance}, each
 *       {@code [features]}</td></tr>
 *   <tr><td>{@code layer_norm} (LayerNormalization)</td>
 *       <td>{@code gamma [features]}, {@code beta [features]}</td></tr>
 *   <tr><td>{@code embedding} (Embedding)</td>
 *       <td>{@code embeddings [inputDim, outputDim]}</td></tr>
 *   <tr><td>{@code lstm} (LSTM)</td>
 *       <td>{@code kernel [in, 4·units]}, {@code recurrent_kernel [units, 4·units]}, {@code bias
 *       [4·units]}; gates i, f, c, o</td></tr>
 *   <tr><td>{@code gru} (GRU, {@code reset_after=True})</td>
 *       <td>{@code kernel [in, 3·units]}, {@code recurrent_kernel [units, 3·units]}, {@code bias
 *       [2, 3·units]}; gates z, r, h</td></tr>
 *   <tr><td>{@code multi_head_attention} (MultiHeadAttention)</td>
 *       <td>{@code query/kernel [queryFeatures, heads, keyDim]}, {@code query/bias [heads,
 *       keyDim]}, {@code key/kernel [keyFeatures, heads, keyDim]}, {@code key/bias}, {@code
 *       value/kernel [valueFeatures, heads, keyDim]}, {@code value/bias}, {@code
 *       attention_output/kernel [heads, keyDim, queryFeatures]}, {@code attention_output/bias
 *       [queryFeatures]}</td></tr>
 * </table>
 *
 * <p>In a loop trained in mixed precision ({@code LoopOptions.precision}), {@link #dense} and
 * {@link #conv2d} compute in the low precision (their float32 inputs, kernels and biases cast to
 * it, rectifier activations included) and return float32; a value passed on from one of them
 * through {@link #maxPool}, {@link #flatten} or {@link #reshape} to the next stays in the low
 * precision in between, without a cast back and forth. Everything else (the sequence, attention,
 * normalisation and merging layers among them) computes in float32.
 */
public final class Layers {

  /** Activations that run in a mixed loop's low precision; the others run in float32. */
  private static final EnumSet<Activation> LOW_PRECISION_ACTIVATIONS =
      EnumSet.of(Activation.LINEAR, Activation.RELU, Activation.LEAKY_RELU, Activation.ELU);

  private final Ops tf;
  private final VariableStore store;
  private final String group;
  private final String prefix;
  private final Operand<TBool> training;
  private final Operand<TInt64> step;
  private final long seed;
  private final Class<? extends TFloating> computeType;
  // A mixed loop's float32 results of layers, each to the low-precision value it was cast from.
  private final Map<Output<?>, Operand<?>> lowPrecisionSources;
  private Regularizer kernelRegularizer;
  private boolean trainable = true;
  private final Map<String, Integer> layerCounts = new HashMap<>();
  private final Set<String> namesUsed;
  private final Map<String, Layers> scopes = new HashMap<>();

  /** The layers built so far, in every scope of the model (shared with its scopes). */
  private final List<Built> built;

  private String lastLayer;
  private String lastKind;

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
    this(
        tf,
        store,
        group,
        group,
        training,
        step,
        seed,
        computeType,
        new HashSet<>(),
        new ArrayList<>(),
        new HashMap<>());
  }

  private Layers(
      Ops tf,
      VariableStore store,
      String group,
      String prefix,
      Operand<TBool> training,
      Operand<TInt64> step,
      long seed,
      Class<? extends TFloating> computeType,
      Set<String> namesUsed,
      List<Built> built,
      Map<Output<?>, Operand<?>> lowPrecisionSources) {
    this.tf = tf;
    this.store = store;
    this.group = group;
    this.prefix = prefix;
    this.training = training;
    this.step = step;
    this.seed = seed;
    this.computeType = computeType;
    this.namesUsed = namesUsed;
    this.built = built;
    this.lowPrecisionSources = lowPrecisionSources;
  }

  /**
   * The layers of a named scope of this model: their variables are named {@code
   * <model>/<name>/<layer>/...} (such as {@code logits/backbone/conv2d/kernel}), so that the scope
   * can be frozen or given its own learning rate as a whole by {@code LoopOptions}. Layers are
   * numbered within their scope; asking for the same scope again continues it. A scope starts with
   * this one's {@link #trainable} setting and kernel regulariser.
   *
   * @throws IllegalArgumentException if {@code name} is empty or holds a {@code /}
   */
  public Layers scope(String name) {
    if (name == null || name.isEmpty() || name.contains("/")) {
      throw new IllegalArgumentException(
          "scope: a scope name must be non-empty, without '/', got '" + name + "'");
    }
    Layers scope = scopes.get(name);
    if (scope == null) {
      scope =
          new Layers(
              tf.withSubScope(name),
              store,
              group,
              prefix + "/" + name,
              training,
              step,
              seed,
              computeType,
              namesUsed,
              built,
              lowPrecisionSources);
      scope.trainable = trainable;
      scope.kernelRegularizer = kernelRegularizer;
      scopes.put(name, scope);
    }
    return scope;
  }

  /**
   * Whether the layers built from now on are trained (the default), as Keras' {@code
   * layer.trainable}: with {@code false} their weights are frozen (no step trains them) and batch
   * normalisation runs in inference mode, with its moving statistics used and never updated.
   * Dropout and augmentation layers still act while training. A frozen layer is frozen for the
   * loop's life; to unfreeze, create the loop again (Keras: recompile). {@code LoopOptions.freeze}
   * freezes models and layers from outside the model's code.
   */
  public Layers trainable(boolean trainable) {
    this.trainable = trainable;
    return this;
  }

  /** Whether layers built now are trained; see {@link #trainable(boolean)}. */
  public boolean isTrainable() {
    return trainable;
  }

  /** Whether the layer {@code layer} of this scope is frozen, by this scope or by a freeze rule. */
  private boolean frozen(String layer) {
    return !trainable || store.isFrozen(prefix + "/" + layer);
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
  <T extends TNumber> Operand<T> weight(
      String name, Shape shape, Class<T> type, Initializer initializer, Regularizer regularizer) {
    String fullName = prefix + "/" + name;
    if (!namesUsed.add(fullName)) {
      throw new IllegalArgumentException(
          "model '"
              + group
              + "' creates the variable '"
              + fullName.substring(group.length() + 1)
              + "' twice; names must be unique");
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
    Variable<T> created =
        store.create(fullName, group, Kind.TRAINABLE, type, shape, initialValue, !trainable);
    Operand<T> read = created.read();
    if (regularizer != null && !created.frozen()) {
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
      String name, Shape shape, Class<T> type, Initializer initializer, boolean frozen) {
    String fullName = prefix + "/" + name;
    Variable<?> existing = store.find(fullName);
    if (existing != null) {
      return new State(existing, false);
    }
    Operand<T> initialValue = initializer.initialValue(tf, shape, type, new long[] {seed, 0});
    return new State(
        store.create(fullName, group, Kind.MODEL_STATE, type, shape, initialValue, frozen), true);
  }

  /**
   * Penalises the kernels of the dense and convolution layers built after this call with {@code
   * regularizer} ({@code null}: no penalty).
   */
  public Layers kernelRegularizer(Regularizer regularizer) {
    this.kernelRegularizer = regularizer;
    return this;
  }

  /** The regulariser of kernels built from now on, or {@code null}. */
  Regularizer kernelRegularizer() {
    return kernelRegularizer;
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
      return built(toInputType(product, activation, type));
    }
    return built(activation.apply(tf, tf.nn.biasAdd(tf.linalg.matMul(x, kernel), bias)));
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
      return built(toInputType(convolved, activation, type));
    }
    Operand<T> convolved = tf.nn.conv2d(x, kernel, strides, padding.name());
    return built(activation.apply(tf, tf.nn.biasAdd(convolved, bias)));
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
    Operand<T> pooled =
        lowPrecisionSources.containsKey(x.asOutput())
            ? keepLowPrecision(x, low -> maxPoolOp(low, size, stride, padding))
            : maxPoolOp(x, size, stride, padding);
    return built("max_pool", pooled);
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
    return built(
        "avg_pool",
        tf.nn.avgPool(
            x,
            List.of(1L, (long) size, (long) size, 1L),
            List.of(1L, (long) stride, (long) stride, 1L),
            padding.name()));
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
    return built(tf.select(training, dropped, x));
  }

  /**
   * Batch normalisation over the last dimension (Ioffe and Szegedy, 2015), with Keras's defaults:
   * momentum 0.99, epsilon 0.001. While training it normalises with the batch's statistics and
   * updates moving averages of them (the step that trains this model runs the update); while
   * evaluating or predicting it uses the moving averages. A frozen layer ({@link
   * #trainable(boolean)}, {@code LoopOptions.freeze}) always uses the moving averages and never
   * updates them, as Keras' does.
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
    boolean frozen = frozen(layer);
    Class<T> type = x.type();
    Shape features = Shape.of(shape.get(rank - 1));
    Operand<T> gamma = variable(layer + "/gamma", features, type, Initializer.ones());
    Operand<T> beta = variable(layer + "/beta", features, type, Initializer.zeros());
    State meanState = state(layer + "/moving_mean", features, type, Initializer.zeros(), frozen);
    boolean firstBuild = meanState.created();
    Variable<?> movingMean = meanState.variable();
    Variable<?> movingVariance =
        state(layer + "/moving_variance", features, type, Initializer.ones(), frozen).variable();
    Operand<T> eps = tf.dtypes.cast(tf.constant(epsilon), type);
    Operand<T> inference =
        normalise(x, castRead(movingMean, type), castRead(movingVariance, type), gamma, beta, eps);
    if (movingMean.frozen()) {
      return inference; // Keras: a frozen batch normalisation layer runs in inference mode
    }

    Operand<TInt32> axes = tf.range(tf.constant(0), tf.constant(rank - 1), tf.constant(1));
    Operand<T> mean = tf.math.mean(x, axes);
    Operand<T> variance = tf.math.mean(tf.math.squaredDifference(x, tf.stopGradient(mean)), axes);
    Operand<T> training = normalise(x, mean, variance, gamma, beta, eps);
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
    return built(tf.select(this.training, training, inference));
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
    return built(tf.select(training, tf.select(flip, flipped, images), images));
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
    return built(tf.select(training, shifted, images));
  }

  /**
   * A stateless-random seed for {@code layer} on this batch: {@code [seed ^ hash(layer), step]}.
   */
  private Operand<TInt64> batchSeed(String layer) {
    Operand<TInt64> first = tf.constant(new long[] {seed ^ stableHash(prefix + "/" + layer)});
    return tf.concat(List.of(first, tf.reshape(step, tf.constant(new long[] {1}))), tf.constant(0));
  }

  /** {@code activation} applied to {@code x}, for activations after a normalisation. */
  public <T extends TNumber> Operand<T> activation(Operand<T> x, Activation activation) {
    return built("activation", activation.apply(tf, x));
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
    Operand<T> flattened =
        lowPrecisionSources.containsKey(x.asOutput())
            ? keepLowPrecision(x, low -> tf.reshape(low, tf.constant(flat)))
            : tf.reshape(x, tf.constant(flat));
    return built("flatten", flattened);
  }

  /** Reshapes every example to {@code exampleShape}, keeping the batch dimension. */
  public <T extends TNumber> Operand<T> reshape(Operand<T> x, int... exampleShape) {
    long[] dims = new long[exampleShape.length + 1];
    dims[0] = -1;
    for (int i = 0; i < exampleShape.length; i++) {
      requirePositive("reshape dimension", exampleShape[i]);
      dims[i + 1] = exampleShape[i];
    }
    Operand<T> reshaped =
        lowPrecisionSources.containsKey(x.asOutput())
            ? keepLowPrecision(x, low -> tf.reshape(low, tf.constant(dims)))
            : tf.reshape(x, tf.constant(dims));
    return built("reshape", reshaped);
  }

  // ---- Sequences: embedding, recurrent layers, 1-D convolution (built in SequenceLayers and
  // RecurrentLayers) ----

  /**
   * An embedding (Keras's {@code Embedding}): maps each token id in {@code [0, inputDim)} to a
   * learned float32 vector of {@code outputDim} values; {@code [batch, timesteps]} ids become
   * {@code [batch, timesteps, outputDim]}. Its {@code [inputDim, outputDim]} variable {@code
   * embedding/embeddings} starts uniform in {@code [-0.05, 0.05)}. On CPU an id outside {@code [0,
   * inputDim)} fails the step that reads it with TensorFlow's {@code indices[...] = id is not in
   * [0, inputDim)}; on GPU TensorFlow's gather returns zeros for it instead.
   *
   * <pre>{@code
   * @Model
   * Operand<TFloat32> logits(Layers nn, @Feature(shape = {20}) Operand<TInt32> tokens) {
   *   Operand<TFloat32> x = nn.embedding(tokens, 1000, 32);   // [batch, 20, 32]
   *   return nn.dense(nn.lstm(x, 64), 2);
   * }
   * }</pre>
   */
  public Operand<TFloat32> embedding(
      Operand<? extends TIntegral> tokens, int inputDim, int outputDim) {
    return built(SequenceLayers.embedding(this, tokens, inputDim, outputDim, TFloat32.class));
  }

  /** An {@link #embedding(Operand, int, int) embedding} whose vectors are of {@code type}. */
  public <T extends TFloating> Operand<T> embedding(
      Operand<? extends TIntegral> tokens, int inputDim, int outputDim, Class<T> type) {
    return built(SequenceLayers.embedding(this, tokens, inputDim, outputDim, type));
  }

  /**
   * An LSTM layer (Hochreiter and Schmidhuber, 1997) over a {@code [batch, timesteps, features]}
   * sequence with known timesteps, returning its last output, {@code [batch, units]}. It computes
   * what Keras's {@code LSTM(units)} computes, unrolled: per step, {@code z = x·kernel +
   * h·recurrent_kernel + bias} split into gates {@code i, f, c, o}; {@code c = σ(f)·c +
   * σ(i)·tanh(c̃)}, {@code h = σ(o)·tanh(c)}, from a zero state.
   *
   * <p>Variables, as Keras lays them out: {@code lstm/kernel [features, 4·units]} (Glorot uniform),
   * {@code lstm/recurrent_kernel [units, 4·units]} (orthogonal), {@code lstm/bias [4·units]} (zeros
   * but ones for the forget gate: Keras's {@code unit_forget_bias}).
   */
  public <T extends TFloating> Operand<T> lstm(Operand<T> sequence, int units) {
    return built(RecurrentLayers.lstm(this, sequence, units, false));
  }

  /**
   * An {@link #lstm(Operand, int) LSTM layer} that returns, if {@code returnSequences}, its output
   * at every step, {@code [batch, timesteps, units]} (to stack another recurrent layer on it).
   */
  public <T extends TFloating> Operand<T> lstm(
      Operand<T> sequence, int units, boolean returnSequences) {
    return built(RecurrentLayers.lstm(this, sequence, units, returnSequences));
  }

  /**
   * A GRU layer (Cho et al., 2014) over a {@code [batch, timesteps, features]} sequence with known
   * timesteps, returning its last output, {@code [batch, units]}. It computes what Keras 3's {@code
   * GRU(units)} computes ({@code reset_after=True}), unrolled: gates {@code z, r} and candidate
   * {@code h̃ = tanh(x·W_h + b_h + r·(h·U_h + b'_h))}, {@code h = z·h + (1 - z)·h̃}, from a zero
   * state.
   *
   * <p>Variables, as Keras lays them out: {@code gru/kernel [features, 3·units]} (Glorot uniform),
   * {@code gru/recurrent_kernel [units, 3·units]} (orthogonal), {@code gru/bias [2, 3·units]}
   * (zeros; row 0 for the input, row 1 for the recurrent projection).
   */
  public <T extends TFloating> Operand<T> gru(Operand<T> sequence, int units) {
    return built(RecurrentLayers.gru(this, sequence, units, false));
  }

  /**
   * A {@link #gru(Operand, int) GRU layer} that returns, if {@code returnSequences}, its output at
   * every step, {@code [batch, timesteps, units]}.
   */
  public <T extends TFloating> Operand<T> gru(
      Operand<T> sequence, int units, boolean returnSequences) {
    return built(RecurrentLayers.gru(this, sequence, units, returnSequences));
  }

  /**
   * A 1-D convolution (Keras's {@code Conv1D}) over {@code [batch, steps, channels]} input, stride
   * 1, {@link Padding#SAME}: {@code [batch, steps, filters]}. Variables: {@code conv1d/kernel
   * [kernelSize, channels, filters]} and {@code conv1d/bias [filters]}; the kernel starts as {@link
   * #conv2d conv2d}'s do and takes the {@link #kernelRegularizer kernel regulariser}.
   */
  public <T extends TFloating> Operand<T> conv1d(
      Operand<T> sequence, int filters, int kernelSize, Activation activation) {
    return conv1d(sequence, filters, kernelSize, 1, Padding.SAME, activation);
  }

  /** A {@link #conv1d(Operand, int, int, Activation) 1-D convolution} with stride and padding. */
  public <T extends TFloating> Operand<T> conv1d(
      Operand<T> sequence,
      int filters,
      int kernelSize,
      int stride,
      Padding padding,
      Activation activation) {
    return built(
        SequenceLayers.conv1d(
            this,
            sequence,
            filters,
            kernelSize,
            stride,
            padding,
            activation,
            defaultKernelInitializer(activation)));
  }

  // ---- Attention and normalisation (AttentionLayers, NormalizationLayers) ----

  /**
   * Multi-head attention (Keras's {@code MultiHeadAttention(heads, keyDim)}) of {@code query},
   * {@code [batch, queryTimesteps, features]}, over {@code value}, {@code [batch, timesteps,
   * valueFeatures]}, which also serves as the key; {@code nn.multiHeadAttention(x, x, 4, 16)} is
   * self-attention. Returns {@code [batch, queryTimesteps, features]}.
   *
   * <p>Each head projects the query and key to {@code keyDim} values and the value to {@code
   * keyDim} values; its weights are the softmax over key steps of {@code q·k / sqrt(keyDim)}; the
   * heads' weighted values are projected back to the query's features. Variables (kernels Glorot
   * uniform, biases zeros), in Keras's order and layout: {@code multi_head_attention/query/kernel
   * [features, heads, keyDim]}, {@code query/bias [heads, keyDim]}, then {@code key/...} and {@code
   * value/...} alike, {@code attention_output/kernel [heads, keyDim, features]} and {@code
   * attention_output/bias [features]}.
   */
  public <T extends TFloating> Operand<T> multiHeadAttention(
      Operand<T> query, Operand<T> value, int heads, int keyDim) {
    return built(
        AttentionLayers.multiHeadAttention(this, query, value, value, heads, keyDim, false));
  }

  /**
   * {@link #multiHeadAttention(Operand, Operand, int, int) Multi-head attention} where, if {@code
   * causal}, query step {@code i} attends only to steps {@code j <= i} (Keras's {@code
   * use_causal_mask=True}), as a decoder or a forecaster must.
   */
  public <T extends TFloating> Operand<T> multiHeadAttention(
      Operand<T> query, Operand<T> value, int heads, int keyDim, boolean causal) {
    return built(
        AttentionLayers.multiHeadAttention(this, query, value, value, heads, keyDim, causal));
  }

  /**
   * {@link #multiHeadAttention(Operand, Operand, int, int, boolean) Multi-head attention} with a
   * key other than the value; key and value must have the same timesteps.
   */
  public <T extends TFloating> Operand<T> multiHeadAttention(
      Operand<T> query, Operand<T> key, Operand<T> value, int heads, int keyDim, boolean causal) {
    return built(
        AttentionLayers.multiHeadAttention(this, query, key, value, heads, keyDim, causal));
  }

  /**
   * Layer normalisation over the last axis (Keras's {@code LayerNormalization}, epsilon 0.001):
   * each example's features are normalised by their own mean and variance, then scaled by {@code
   * layer_norm/gamma} (ones) and shifted by {@code layer_norm/beta} (zeros), both {@code
   * [features]}. It behaves the same in training and inference.
   */
  public <T extends TFloating> Operand<T> layerNorm(Operand<T> x) {
    return built(NormalizationLayers.layerNorm(this, x, 1e-3));
  }

  /** {@link #layerNorm(Operand) Layer normalisation} with the given epsilon. */
  public <T extends TFloating> Operand<T> layerNorm(Operand<T> x, double epsilon) {
    return built(NormalizationLayers.layerNorm(this, x, epsilon));
  }

  // ---- Merging and global pooling (MergeLayers, PoolingLayers) ----

  /**
   * The sum of two inputs of one shape (Keras's {@code Add}), such as a residual connection: {@code
   * nn.add(x, nn.multiHeadAttention(x, x, 4, 16))}.
   */
  public <T extends TNumber> Operand<T> add(Operand<T> first, Operand<T> second) {
    return built("add", MergeLayers.add(this, List.of(first, second)));
  }

  /** The sum of two or more inputs of one shape. */
  public <T extends TNumber> Operand<T> add(List<? extends Operand<T>> inputs) {
    return built("add", MergeLayers.add(this, inputs));
  }

  /** Two inputs joined along their last axis (Keras's {@code Concatenate()}). */
  public <T extends TType> Operand<T> concatenate(Operand<T> first, Operand<T> second) {
    return built("concatenate", MergeLayers.concatenate(this, List.of(first, second), -1));
  }

  /**
   * Two or more inputs joined along {@code axis}, which, as in Keras, counts the batch as axis 0
   * and counts from the end when negative ({@code -1}: the last axis). All other dimensions must
   * agree.
   */
  public <T extends TType> Operand<T> concatenate(List<? extends Operand<T>> inputs, int axis) {
    return built("concatenate", MergeLayers.concatenate(this, inputs, axis));
  }

  /**
   * The mean of each channel over the steps of {@code [batch, steps, channels]} or the pixels of
   * {@code [batch, height, width, channels]} (Keras's {@code GlobalAveragePooling1D/2D}): {@code
   * [batch, channels]}.
   */
  public <T extends TNumber> Operand<T> globalAvgPool(Operand<T> x) {
    return built("global_avg_pool", PoolingLayers.globalAvgPool(this, x));
  }

  /**
   * The maximum of each channel over the steps or pixels (Keras's {@code GlobalMaxPooling1D/2D}):
   * {@code [batch, channels]}.
   */
  public <T extends TNumber> Operand<T> globalMaxPool(Operand<T> x) {
    return built("global_max_pool", PoolingLayers.globalMaxPool(this, x));
  }

  /**
   * A SavedModel's signature {@code serving_default}, as a layer: see {@link SavedModelLayer}. Its
   * variables become this model's, named {@code <model>/saved_model/<its variable>}.
   */
  public SavedModelLayer savedModel(java.nio.file.Path directory) {
    return savedModel(directory, SavedModelLayer.SERVING_DEFAULT);
  }

  /** A SavedModel's signature {@code signature}, as a layer: see {@link SavedModelLayer}. */
  public SavedModelLayer savedModel(java.nio.file.Path directory, String signature) {
    return new SavedModelLayer(
            tf, store, group, prefix + "/" + nextLayerName("saved_model"), directory, signature)
        .trainable(trainable);
  }

  /** The next name for a layer of {@code kind}: {@code lstm}, then {@code lstm_1}, ... */
  String nextLayerName(String kind) {
    int count = layerCounts.merge(kind, 1, Integer::sum);
    lastLayer = count == 1 ? kind : kind + "_" + (count - 1);
    lastKind = kind;
    return lastLayer;
  }

  /**
   * One layer as built, for the {@link ModelSummary}.
   *
   * @param name its full name, {@code <model>/<layer>}: its variables' names start with it
   * @param kind what it is, such as {@code dense}
   * @param outputShape the shape of its output, the batch dimension unknown
   */
  record Built(String name, String kind, Shape outputShape) {}

  /** Records {@code output} as the output of the layer named last, and returns it. */
  private <T extends TType> Operand<T> built(Operand<T> output) {
    built.add(new Built(prefix + "/" + lastLayer, lastKind, output.shape()));
    return output;
  }

  /** Names a layer of {@code kind} (one without variables) and records its output. */
  private <T extends TType> Operand<T> built(String kind, Operand<T> output) {
    nextLayerName(kind);
    return built(output);
  }

  /** Every layer built so far, in order. */
  List<Built> built() {
    return List.copyOf(built);
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
    return "Layers[" + prefix + ", " + Arrays.toString(namesUsed.toArray()) + "]";
  }
}
