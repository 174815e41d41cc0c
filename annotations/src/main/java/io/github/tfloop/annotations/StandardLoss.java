package io.github.tfloop.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A built-in loss, declared on the {@link TrainingLoop} class instead of a {@link Loss} method:
 *
 * <pre>{@code
 * @TrainingLoop(batchSize = 64, metrics = Metric.ACCURACY)
 * @StandardLoss(LossFunction.SPARSE_CATEGORICAL_CROSSENTROPY)
 * public class QuickMlp {
 *   @Model
 *   Operand<TFloat32> logits(Layers nn, @Feature(shape = {28, 28}) Operand<TFloat32> image) { ... }
 *
 *   @Step(optimizer = Optimizer.ADAM)
 *   void train() {}
 * }
 * }</pre>
 *
 * <p>It compares the output of {@link #model()} with the label input {@link #label()}, which it
 * declares: {@code Operand<TInt32>} of shape {@code {}} for the sparse cross-entropy, otherwise of
 * the model's float type and shape {@link #labelShape()}. A {@code @Label} parameter of the same
 * name elsewhere must agree. Steps, results and {@code evaluate()} refer to it by {@link #name()}.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface StandardLoss {

  /** The loss. */
  LossFunction value();

  /** The loss's name, which {@link Step#loss()} and results use; {@code loss} by default. */
  String name() default "loss";

  /** The {@link Model} method whose output it takes; empty means the only (or first) one. */
  String model() default "";

  /** The name of the label input it declares; {@code label} by default. */
  String label() default "label";

  /**
   * The shape of one example's label, without the batch dimension: {@code {}} for a class index or
   * a scalar target, {@code {1}} for a {@code [batch, 1]} output, {@code {classes}} for one-hot
   * labels. It must match the model output's example shape, except for the sparse cross-entropy.
   */
  int[] labelShape() default {};

  /** Whether cross-entropies read the output as logits (the default) or probabilities. */
  boolean fromLogits() default true;

  /** How per-example losses are reduced; their mean by default. */
  LossReduction reduction() default LossReduction.MEAN;

  /**
   * The Huber loss's threshold between quadratic and linear; only for {@link LossFunction#HUBER}.
   */
  double delta() default 1.0;
}
