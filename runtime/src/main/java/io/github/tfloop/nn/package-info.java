/**
 * Model building blocks: {@link io.github.tfloop.nn.Layers} creates layers (dense, convolution,
 * pooling, normalisation, embedding, LSTM, GRU, multi-head attention, merging) and their variables
 * inside a {@code @Model} method; {@link io.github.tfloop.nn.Initializer}s set the initial weights;
 * {@link io.github.tfloop.nn.Activation}s follow a layer; a {@link
 * io.github.tfloop.nn.SavedModelLayer} uses a SavedModel written elsewhere as a layer. Layers can
 * be frozen ({@code Layers.trainable(false)}) and grouped in named scopes ({@code Layers.scope}).
 */
package io.github.tfloop.nn;
