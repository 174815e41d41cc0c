/** Loss functions to call from {@code @Loss} methods, reduced to a scalar. */
package io.github.tfloop.loss;
