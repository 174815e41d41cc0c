/**
 * Optimizers, applied through TensorFlow's raw {@code ResourceApply*} operations over an explicit
 * list of variables, with learning rates and iteration counts that are graph operands.
 */
package io.github.tfloop.optim;
