package io.github.tfloop.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares a model input fed by the loop, on an {@code Operand<T>} parameter of a {@link Model} or
 * {@link Loss} method. The data type is the type argument: {@code TFloat32}, {@code TFloat64},
 * {@code TInt32} or {@code TInt64}.
 *
 * <p>The input is named after the parameter (or {@link #name()}); every parameter with the same
 * name is the same input and must agree on type and shape. A {@code Dataset} fed to the loop needs
 * a column of that name.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.PARAMETER)
public @interface Feature {

  /**
   * Shape of one example, without the batch dimension: {@code {28, 28}} for a grey image, {@code
   * {}} for a scalar. Every dimension must be positive, and one example must hold at most {@code
   * Integer.MAX_VALUE} values.
   */
  int[] shape() default {};

  /**
   * The input's name, which dataset columns and the generated input constant use; empty means the
   * parameter's name. Must be a valid Java identifier.
   */
  String name() default "";
}
