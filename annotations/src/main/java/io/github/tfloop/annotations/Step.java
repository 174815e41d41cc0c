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
 * operations are built once, when the loop is created. Every training batch runs each step due on
 * it (see {@link #every()}) once, in declaration order. The loop never calls the method, which only
 * declares the step: its body stays empty, and its name names the step.
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

  /**
   * The optimizer's hyper-parameters, each {@code "name=value"}, such as {@code {"beta2=0.99"}};
   * the names each {@link Optimizer} takes, and their defaults, are listed on its constant.
   * Booleans are {@code true} or {@code false}.
   */
  String[] params() default {};

  /** The learning rate, or the initial one of a {@link #schedule()}. Must be positive. */
  double learningRate() default 1e-3;

  /** How the learning rate changes over the step's updates; constant by default. */
  Schedule schedule() default Schedule.CONSTANT;

  /**
   * The schedule's parameters, each {@code "name=value"}, such as {@code {"decaySteps=1000",
   * "decayRate=0.5"}}; listed on each {@link Schedule} constant.
   */
  String[] scheduleParams() default {};

  /**
   * Clips every gradient element into {@code [-clipValue, clipValue]}; 0 (the default) does not. At
   * most one of {@code clipValue}, {@code clipNorm} and {@code clipGlobalNorm} may be set.
   */
  double clipValue() default 0;

  /** Scales each gradient tensor down to an L2 norm of at most {@code clipNorm}; 0: off. */
  double clipNorm() default 0;

  /**
   * Scales all gradients of the step together so that their global norm is at most {@code
   * clipGlobalNorm}; 0: off.
   */
  double clipGlobalNorm() default 0;

  /**
   * Runs this step on every {@code every}-th training batch only: {@code every = 5} on a generator
   * step gives five critic updates per generator update. At least one step must run on every batch
   * (1, the default).
   */
  int every() default 1;

  /**
   * Names of the {@link Model} methods whose variables this step trains; empty means every
   * trainable variable of every model. The loss must depend on at least one of them, that is, take
   * the output of one of these models.
   */
  String[] variables() default {};
}
