/**
 * The annotations that turn a plain class into a generated TensorFlow training loop.
 *
 * <p>A class annotated {@link io.github.tfloop.annotations.TrainingLoop} declares its network in
 * one or more {@link io.github.tfloop.annotations.Model} methods, what to minimise in {@link
 * io.github.tfloop.annotations.Loss} methods, and how to minimise it in {@link
 * io.github.tfloop.annotations.Step} methods. Inputs are the method parameters annotated {@link
 * io.github.tfloop.annotations.Feature} or {@link io.github.tfloop.annotations.Label}. The tfloop
 * annotation processor reads them at compile time and writes a class named {@code <ClassName>Loop}
 * beside the annotated class.
 *
 * <p>All annotations have {@code CLASS} retention: they cost nothing at run time.
 */
package io.github.tfloop.annotations;
