/**
 * Support that only generated code calls: not an API, names and signatures here change without
 * notice. Its packages follow the life of a loop, and each depends only on the ones before it:
 *
 * <ol>
 *   <li>{@code internal.session}: running a graph, with prepared {@code TF_SessionRun} calls and
 *       input tensors reused from batch to batch;
 *   <li>{@code internal.build}: building a loop's graph as the generated {@code create} declares it
 *       (inputs, outputs, losses, metrics, steps with gradients and updates);
 *   <li>{@code internal.engine}: the {@code LoopEngine} that runs a built graph (one step,
 *       evaluation, prediction, weights) and confines calls to one thread at a time;
 *   <li>{@code internal.fit}: the fit loop (epochs, batches, listeners, checkpoints), which drives
 *       the engine;
 *   <li>{@code internal.cluster}: a fit on a cluster, with synchronised steps;
 *   <li>this package: the {@link io.github.tfloop.internal.Trainer} a generated loop class holds.
 * </ol>
 */
package io.github.tfloop.internal;
