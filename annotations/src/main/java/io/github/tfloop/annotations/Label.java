package io.github.tfloop.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares a target fed by the loop, on an {@code Operand<T>} parameter of a {@link Loss} method:
 * class indices as {@code Operand<TInt32>} for sparse categorical losses, or values as {@code
 * Operand<TFloat32>} for regression. Naming and matching work as for {@link Feature}. Labels are
 * fed during training and evaluation, never for prediction.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.PARAMETER)
public @interface Label {

  /**
   * Shape of one example's label, without the batch dimension; {@code {}} for a class index (which
   * {@link Metric#ACCURACY} requires of the first label). Every dimension must be positive.
   */
  int[] shape() default {};

  /**
   * The label's name, which dataset columns and the generated input constant use; empty means the
   * parameter's name. Must be a valid Java identifier.
   */
  String name() default "";
}
