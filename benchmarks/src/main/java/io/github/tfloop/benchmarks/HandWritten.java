package io.github.tfloop.benchmarks;

import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.framework.initializers.Glorot;
import org.tensorflow.framework.initializers.VarianceScaling;
import org.tensorflow.framework.optimizers.Adam;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.RewriterConfig;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The baseline: the training loop a user writes today following TensorFlow Java's examples, on the
 * same layers as {@link Mlp} and {@link Cnn}. The graph: placeholders, {@code tf.variable}s with
 * Glorot-uniform kernels and zero biases, softmax cross-entropy against one-hot labels (TensorFlow
 * Java has no gradient for the sparse form), and the framework's {@link Adam} ({@code
 * minimize(loss)}, learning rate 1e-3). The session: {@code new Session(graph)}, TensorFlow's
 * default threads. Every step: copy the batch into the two input tensors (created once), then
 * {@code session.runner().feed(..).feed(..).addTarget(minimize).fetch(loss).run()}, read the loss
 * and close the {@code Result}.
 */
final class HandWritten implements Contender {

  private static final long SEED = 1;

  private final Graph graph;
  private final Session session;
  private final Placeholder<TFloat32> images;
  private final Placeholder<TInt32> labels;
  private final Operand<TFloat32> loss;
  private final Op minimize;
  private final TFloat32 imageTensor;
  private final TInt32 labelTensor;

  HandWritten(Network network, int batchSize) {
    this(network, batchSize, false);
  }

  /**
   * The baseline, with Grappler's oneDNN bfloat16 auto mixed precision rewriter switched on in the
   * session's {@code RewriterConfig} if {@code bfloat16Rewriter}: what a careful hand-writer can do
   * for mixed precision in one line.
   */
  HandWritten(Network network, int batchSize, boolean bfloat16Rewriter) {
    graph = new Graph();
    Ops tf = Ops.create(graph);
    images = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 28, 28)));
    labels = tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
    Operand<TFloat32> logits = network == Network.MLP ? mlp(tf, images) : cnn(tf, images);
    Operand<TFloat32> oneHot = tf.oneHot(labels, tf.constant(10), tf.constant(1f), tf.constant(0f));
    loss = tf.math.mean(tf.nn.softmaxCrossEntropyWithLogits(logits, oneHot).loss(), tf.constant(0));
    minimize = new Adam(graph, 0.001f).minimize(loss);
    session = bfloat16Rewriter ? new Session(graph, bfloat16Rewriter()) : new Session(graph);
    imageTensor = TFloat32.tensorOf(Shape.of(batchSize, 28, 28));
    labelTensor = TInt32.tensorOf(Shape.of(batchSize));
  }

  /** A session config with Grappler's oneDNN bfloat16 auto mixed precision rewriter on. */
  static ConfigProto bfloat16Rewriter() {
    ConfigProto.Builder config = ConfigProto.newBuilder();
    config
        .getGraphOptionsBuilder()
        .getRewriteOptionsBuilder()
        .setAutoMixedPrecisionOnednnBfloat16(RewriterConfig.Toggle.ON);
    return config.build();
  }

  private static Operand<TFloat32> mlp(Ops tf, Operand<TFloat32> images) {
    Operand<TFloat32> x = tf.reshape(images, tf.constant(new long[] {-1, TrainingData.PIXELS}));
    Operand<TFloat32> hidden = tf.nn.relu(dense(tf, x, TrainingData.PIXELS, 256));
    return dense(tf, hidden, 256, 10);
  }

  private static Operand<TFloat32> cnn(Ops tf, Operand<TFloat32> images) {
    Operand<TFloat32> x = tf.reshape(images, tf.constant(new long[] {-1, 28, 28, 1}));
    x = maxPool(tf, tf.nn.relu(conv(tf, x, 1, 32)));
    x = maxPool(tf, tf.nn.relu(conv(tf, x, 32, 64)));
    x = tf.reshape(x, tf.constant(new long[] {-1, 7 * 7 * 64}));
    return dense(tf, x, 7 * 7 * 64, 10);
  }

  private static Operand<TFloat32> dense(Ops tf, Operand<TFloat32> x, int in, int out) {
    Operand<TFloat32> kernel = tf.variable(glorot(tf, in, out));
    Operand<TFloat32> bias = tf.variable(tf.zeros(tf.constant(new long[] {out}), TFloat32.class));
    return tf.math.add(tf.linalg.matMul(x, kernel), bias);
  }

  private static Operand<TFloat32> conv(Ops tf, Operand<TFloat32> x, int in, int out) {
    Operand<TFloat32> kernel = tf.variable(glorot(tf, 3, 3, in, out));
    Operand<TFloat32> bias = tf.variable(tf.zeros(tf.constant(new long[] {out}), TFloat32.class));
    return tf.nn.biasAdd(tf.nn.conv2d(x, kernel, List.of(1L, 1L, 1L, 1L), "SAME"), bias);
  }

  private static Operand<TFloat32> maxPool(Ops tf, Operand<TFloat32> x) {
    return tf.nn.maxPool(
        x, tf.constant(new int[] {1, 2, 2, 1}), tf.constant(new int[] {1, 2, 2, 1}), "VALID");
  }

  private static Operand<TFloat32> glorot(Ops tf, long... shape) {
    return new Glorot<TFloat32>(VarianceScaling.Distribution.UNIFORM, SEED)
        .call(tf, tf.constant(shape), TFloat32.class);
  }

  @Override
  public float step(float[] imageBatch, int[] labelBatch) {
    imageTensor.copyFrom(DataBuffers.of(imageBatch, true, false));
    labelTensor.copyFrom(DataBuffers.of(labelBatch, true, false));
    try (Result result = runner().run()) {
      return ((TFloat32) result.get(0)).getFloat();
    }
  }

  /** One step's run, built as the loop builds it every step: both feeds, the update, the loss. */
  Session.Runner runner() {
    return session
        .runner()
        .feed(images, imageTensor)
        .feed(labels, labelTensor)
        .addTarget(minimize)
        .fetch(loss);
  }

  @Override
  public void close() {
    imageTensor.close();
    labelTensor.close();
    session.close();
    graph.close();
  }
}
