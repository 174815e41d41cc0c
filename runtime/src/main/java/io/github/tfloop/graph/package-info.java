/**
 * What every graph-building stage shares: the {@link io.github.tfloop.graph.VariableStore}, which
 * creates and names a loop's variables and says what each is for (trained weight, model state,
 * optimizer slot, metric accumulator) and whether a weight is frozen or trained at a multiple of
 * the learning rate. Layers ({@code nn}), optimizers ({@code optim}) and metrics ({@code metrics})
 * create their variables through it; the engine saves, restores and exports them by kind.
 */
package io.github.tfloop.graph;
