package io.github.tfloop.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the method that builds the network's forward pass.
 *
 * <p>It returns an {@code Operand} of a floating-point type (the model's output, such as logits)
 * and may take, in any order:
 *
 * <ul>
 *   <li>{@code io.github.tfloop.nn.Layers}: creates the trainable variables of this model (dense,
 *       convolution, pooling and the like) and knows whether the loop is training;
 *   <li>{@code org.tensorflow.op.Ops}: every TensorFlow operation;
 *   <li>{@link Feature} parameters: the inputs the loop feeds.
 * </ul>
 *
 * <p>The generated loop calls the method once, when it is created, to build the graph: the method
 * describes the computation, it does not run it. It must not be private, static, abstract or
 * generic, nor declare checked exceptions, and its name is unique among the {@code @Model} methods.
 * Every variable it creates through {@code Layers} belongs to the variable group named after the
 * method, which {@link Step#variables()} can select.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Model {}
