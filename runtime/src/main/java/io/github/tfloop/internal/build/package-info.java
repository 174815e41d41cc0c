/**
 * Building a loop's graph, once: {@link io.github.tfloop.internal.build.LoopBuilder} takes the
 * inputs, model outputs, losses, metrics and {@link io.github.tfloop.internal.build.StepSpec steps}
 * that the generated {@code create} declares, adds each step's gradients, clipping, non-finite
 * guard and optimizer updates (and, on a cluster, the synchronisation ops and variable placement),
 * and returns the finished {@link io.github.tfloop.internal.build.LoopGraph}. Runs nothing.
 */
package io.github.tfloop.internal.build;
