/**
 * Exporting a trained model: {@link io.github.tfloop.export.SavedModelExport} writes a SavedModel
 * that TensorFlow Serving, Python's {@code tf.saved_model.load} and TensorFlow Java's {@code
 * SavedModelBundle} load.
 */
package io.github.tfloop.export;
