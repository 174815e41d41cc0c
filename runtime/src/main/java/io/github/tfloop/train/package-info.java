/**
 * What a user of a generated loop configures and gets back: {@link
 * io.github.tfloop.train.LoopOptions}, the {@link io.github.tfloop.train.History} of a fit, {@link
 * io.github.tfloop.train.Evaluation}s, and {@link io.github.tfloop.train.TrainingListener}s that
 * watch and steer a run.
 */
package io.github.tfloop.train;
