/**
 * Pretrained weights: read named weight tensors from files that TensorFlow and Keras write, map
 * them onto a loop's variables by name, and assign them.
 *
 * <p>Separation of concerns, each depending only on the ones above it:
 *
 * <ol>
 *   <li><b>sources</b> ({@link io.github.tfloop.weights.WeightSource}): what a file holds, by name,
 *       dtype and shape, and each tensor's value. TensorFlow checkpoints and SavedModel variables
 *       are read by {@code CheckpointSource} (the index table and data shards, checksums checked;
 *       also the newest verified checkpoint of a directory tfloop's fits wrote), Keras weight files
 *       ({@code .weights.h5}, legacy {@code .h5}, {@code .keras}) by {@code KerasSource} through
 *       the pure-Java HDF5 reader jHDF, and SavedModels tfloop exported (weights frozen as
 *       constants) by {@code FrozenGraphSource}.
 *   <li><b>mapping</b> ({@link io.github.tfloop.weights.WeightMapping}): which source entry goes to
 *       which variable, with renames where names differ; every mismatch is reported at once in a
 *       {@link io.github.tfloop.weights.WeightMappingException}; the result is a {@link
 *       io.github.tfloop.weights.WeightPlan} with a readable report.
 *   <li><b>assignment</b> ({@link io.github.tfloop.weights.WeightAssigner}): runs a plan in a
 *       session, through assign ops fed from the source's tensors; {@link
 *       io.github.tfloop.weights.InitialWeights} is what {@code LoopOptions.initialWeights} takes.
 * </ol>
 *
 * <p>Apart from weights alone, {@link io.github.tfloop.weights.SavedModelGraph} reads one signature
 * of a SavedModel as a graph to import (function calls inlined, variables described with their
 * checkpoint entries), for {@code nn.savedModel}.
 */
package io.github.tfloop.weights;
