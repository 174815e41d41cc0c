package io.github.tfloop.nn;

import org.tensorflow.Operand;
import org.tensorflow.types.family.TNumber;

/**
 * A {@code @Model} that a {@code @Loss} applies to operands of its choice, as a function: a GAN's
 * critic, applied to real and to generated samples. Every application shares the same variables.
 *
 * <pre>{@code
 * @Model
 * Operand<TFloat32> critic(Layers nn, Operand<TFloat32> sample) { ... }   // an un-annotated input
 *
 * @Loss
 * Operand<TFloat32> criticLoss(Ops tf, Network<TFloat32> critic, Operand<TFloat32> generator,
 *     @Feature(shape = {2}) Operand<TFloat32> real) {
 *   Operand<TFloat32> onReal = critic.apply(real);
 *   Operand<TFloat32> onFake = critic.apply(tf.stopGradient(generator));
 *   ...
 * }
 * }</pre>
 */
@FunctionalInterface
public interface Network<T extends TNumber> {

  /** The model's output for {@code input}. */
  Operand<T> apply(Operand<T> input);
}
