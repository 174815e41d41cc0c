package io.github.tfloop.nn;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.linalg.Qr;
import org.tensorflow.types.family.TNumber;

/** Keras's {@code Orthogonal} initialiser with gain 1; see {@link Initializer#orthogonal()}. */
final class Orthogonal implements Initializer {

  static final Orthogonal INSTANCE = new Orthogonal();

  private Orthogonal() {}

  @Override
  public <T extends TNumber> Operand<T> initialValue(
      Ops tf, Shape shape, Class<T> type, long[] seed) {
    int rank = shape.numDimensions();
    if (rank < 2) {
      throw new IllegalArgumentException(
          "orthogonal initialiser: the variable needs rank 2 or more, got shape " + shape);
    }
    long rows = 1;
    for (int i = 0; i < rank - 1; i++) {
      rows *= shape.get(i);
    }
    long columns = shape.get(rank - 1);
    // Q of a tall normal matrix has orthonormal columns; a wide kernel takes its transpose.
    Operand<T> normal =
        tf.random.statelessRandomNormal(
            tf.constant(new long[] {Math.max(rows, columns), Math.min(rows, columns)}),
            Initializer.seedOf(tf, seed),
            type);
    Qr<T> qr = tf.linalg.qr(normal, Qr.fullMatrices(false));
    Operand<T> q = tf.math.mul(qr.q(), tf.math.sign(tf.linalg.tensorDiagPart(qr.r())));
    if (rows < columns) {
      q = tf.linalg.transpose(q, tf.constant(new int[] {1, 0}));
    }
    return tf.reshape(q, tf.constant(shape));
  }

  @Override
  public String toString() {
    return "orthogonal()";
  }
}
