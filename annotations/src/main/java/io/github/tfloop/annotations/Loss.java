package io.github.tfloop.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a method that computes a scalar loss to minimise.
 *
 * <p>It returns {@code Operand<TFloat32>} or {@code Operand<TFloat64>}, reduced to a scalar (the
 * mean over the batch, usually), and may take, in any order:
 *
 * <ul>
 *   <li>{@code org.tensorflow.op.Ops}: every TensorFlow operation;
 *   <li>an un-annotated {@code Operand} parameter: the output of the {@link Model} method of the
 *       same name, or of the only {@code @Model} method when there is one;
 *   <li>{@link Label} and {@link Feature} parameters: inputs the loop feeds.
 * </ul>
 *
 * <p>The loss is identified by the method's name, which {@link Step#loss()} refers to and under
 * which it is reported; the name is unique among the {@code @Loss} methods. It must not be private,
 * static, abstract or generic, nor declare checked exceptions.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Loss {}
