package io.github.tfloop.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares one optimisation step: which loss it minimises, over which variables, with which
 * optimizer. Put it on an empty, no-argument {@code void} method whose name names the step:
 *
 * <pre>{@code
 * @Step(optimizer = Optimizer.ADAM, learningRate = 1e-3)
 * void train() {}
 * }</pre>
 *
 * <p>The gradients are taken only over the step's own variables, and the optimizer's apply
 * operations are built once, when the loop is created. Every training batch runs each step once,
 * in declaration order. The method must not be private, static, abstract or generic; its name
 * names the step and is unique among the steps.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Step {

  /**
   * Name of the {@link Loss} method this step minimises. May be left empty when the class has
   * exactly one {@code @Loss} method.
   */
  String loss() default "";

  /** The optimization algorithm; {@link Optimizer#ADAM} by default. */
  Optimizer optimizer() default Optimizer.ADAM;

  /** The learning rate. Must be positive. */
  double learningRate() default 1e-3;

  /**
   * Names of the {@link Model} methods whose variables this step trains; empty means every
   * trainable variable of every model. The loss must depend on at least one of them, that is,
   * take the output of one of these models.
   */
  String[] variables() default {};
}
