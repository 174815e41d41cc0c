/**
 * Model building blocks: {@link io.github.tfloop.nn.Layers} creates layers and their variables
 * inside a {@code @Model} method; {@link io.github.tfloop.nn.Initializer}s set the initial weights;
 * {@link io.github.tfloop.nn.Activation}s follow a layer.
 */
package io.github.tfloop.nn;
