/**
 * Gradients TensorFlow's C++ registry lacks, registered from Java so that graphs using them can be
 * trained.
 */
package io.github.tfloop.gradients;
