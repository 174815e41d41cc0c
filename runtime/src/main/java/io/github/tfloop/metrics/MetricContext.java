package io.github.tfloop.metrics;

import io.github.tfloop.graph.VariableStore;
import io.github.tfloop.graph.VariableStore.Kind;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TType;

/**
 * Creates a metric's state: float64 accumulators named {@code <prefix>/<metric>/<name>}, so that
 * the training and the evaluation copy of a metric never share state.
 */
public final class MetricContext {

  private final Ops tf;
  private final VariableStore store;
  private final String prefix;

  public MetricContext(Ops tf, VariableStore store, String prefix) {
    this.tf = tf;
    this.store = store;
    this.prefix = prefix;
  }

  public Ops ops() {
    return tf;
  }

  /** A zero-initialised float64 accumulator of the given shape. */
  public Accumulator accumulator(String metric, String name, Shape shape) {
    String fullName = prefix + "/" + metric + "/" + name;
    Operand<TFloat64> zeros = tf.zeros(tf.constant(shape), TFloat64.class);
    VariableStore.Variable<TFloat64> variable =
        store.create(fullName, prefix, Kind.METRIC, TFloat64.class, shape, zeros);
    return new Accumulator(tf, variable.handle(), shape);
  }

  /** The number of examples in a batch: the first dimension of {@code batch}. */
  public Operand<TFloat64> batchSize(Operand<? extends TType> batch) {
    Operand<TInt64> size = tf.gather(tf.shape(batch, TInt64.class), tf.constant(0), tf.constant(0));
    return tf.dtypes.cast(size, TFloat64.class);
  }

  /** A float64 accumulator variable: add to it, read it, zero it. */
  public static final class Accumulator {
    private final Ops tf;
    private final Operand<? extends TType> handle;
    private final Shape shape;

    Accumulator(Ops tf, Operand<? extends TType> handle, Shape shape) {
      this.tf = tf;
      this.handle = handle;
      this.shape = shape;
    }

    /** Adds {@code value} to the accumulator. */
    public Op add(Operand<TFloat64> value) {
      return tf.assignAddVariableOp(handle, value);
    }

    /** The accumulated value. */
    public Operand<TFloat64> value() {
      return tf.readVariableOp(handle, TFloat64.class);
    }

    /** Sets the accumulator back to zero. */
    public Op reset() {
      return tf.assignVariableOp(handle, tf.zeros(tf.constant(shape), TFloat64.class));
    }
  }

  /** Groups ops into one. */
  public Op group(List<Op> ops) {
    return tf.withControlDependencies(new ArrayList<>(ops)).noOp();
  }
}
