package io.github.tfloop.nn;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TNumber;

/** Element-wise functions applied after a layer. */
public enum Activation {
  /** The identity: no activation. */
  LINEAR,
  /** {@code max(x, 0)}. */
  RELU,
  /** {@code x} where positive, {@code 0.2 x} elsewhere. */
  LEAKY_RELU,
  /** {@code x} where positive, {@code exp(x) - 1} elsewhere. */
  ELU,
  /** {@code 1 / (1 + exp(-x))}. */
  SIGMOID,
  /** Hyperbolic tangent. */
  TANH,
  /** {@code log(1 + exp(x))}. */
  SOFTPLUS,
  /** Softmax over the last dimension. */
  SOFTMAX;

  /** Applies the activation to {@code x}. */
  public <T extends TNumber> Operand<T> apply(Ops tf, Operand<T> x) {
    return switch (this) {
      case LINEAR -> x;
      case RELU -> tf.nn.relu(x);
      case LEAKY_RELU -> tf.nn.leakyRelu(x, org.tensorflow.op.nn.LeakyRelu.alpha(0.2f));
      case ELU -> tf.nn.elu(x);
      case SIGMOID -> tf.math.sigmoid(x);
      case TANH -> tf.math.tanh(x);
      case SOFTPLUS -> tf.math.softplus(x);
      case SOFTMAX -> tf.nn.softmax(x);
    };
  }

  /**
   * Whether weights feeding this activation start best with He initialisation (the rectifier
   * family) rather than Glorot.
   */
  boolean prefersHeInitialization() {
    return this == RELU || this == LEAKY_RELU || this == ELU;
  }
}
