/**
 * Exporting a trained model: {@link io.github.tfloop.export.SavedModelExport} writes a SavedModel,
 * with the weights frozen into the graph, that TensorFlow Java's {@code SavedModelBundle} loads.
 */
package io.github.tfloop.export;
