package io.github.tfloop.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a class for which tfloop generates a training loop.
 *
 * <p>The class must be a top-level or static nested class, visible in its package, neither generic,
 * abstract nor private, and it must declare at least one {@link Model}, one {@link Loss} and one
 * {@link Step} method. The generated class is named after it with the suffix {@code Loop} (or
 * {@link #name()}), lives in the same package, and is created with {@code
 * <Name>Loop.create(instance)}: it never constructs the class itself, so constructors may take
 * anything (hyper-parameters, say), but some code must be able to call one.
 *
 * <p>The processor checks all of this at compile time and reports every misuse as an error with a
 * stable id, such as {@code [tfloop:MissingLoss]}; the project's {@code docs/errors.md} lists them
 * all with examples.
 *
 * <pre>{@code
 * @TrainingLoop(batchSize = 64, metrics = Metric.ACCURACY)
 * public class FashionMlp {
 *   @Model
 *   Operand<TFloat32> logits(Layers nn, @Feature(shape = {28, 28}) Operand<TFloat32> image) {
 *     return nn.dense(nn.dense(nn.flatten(image), 256, Activation.RELU), 10);
 *   }
 *
 *   @Loss
 *   Operand<TFloat32> loss(Ops tf, Operand<TFloat32> logits, @Label Operand<TInt32> label) {
 *     return Losses.sparseCategoricalCrossentropy(tf, logits, label);
 *   }
 *
 *   @Step(optimizer = Optimizer.ADAM, learningRate = 1e-3)
 *   void train() {}
 * }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface TrainingLoop {

  /**
   * Examples per training step. Training feeds full batches of this size; evaluation and prediction
   * use it as their batch size too, with a smaller last batch. Must be positive.
   */
  int batchSize() default 32;

  /**
   * Seed for weight initialisation, shuffling and every random op the loop creates. Two runs with
   * the same seed, data and thread settings train to the same weights on CPU.
   */
  long seed() default 42L;

  /**
   * Simple name of the generated class; empty means the annotated class's name followed by {@code
   * Loop} ({@code Outer_InnerLoop} for a nested class). Must be a valid Java identifier that no
   * other type of the package uses.
   */
  String name() default "";

  /**
   * Metrics computed in the graph, on training batches and on every evaluation, from the first
   * {@link Model} output and the first {@link Label}, each listed once. Losses are always reported,
   * by method name, which must differ from the metrics' names ({@code accuracy}).
   */
  Metric[] metrics() default {};

  /**
   * Whether the primary model outputs logits (the default) rather than probabilities: binary
   * metrics threshold logits at 0 and probabilities at 0.5, and built-in cross-entropies take
   * {@link StandardLoss#fromLogits()} from their own attribute.
   */
  boolean logits() default true;
}
