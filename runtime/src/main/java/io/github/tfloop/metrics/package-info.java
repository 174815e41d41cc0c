/**
 * Metrics computed in the graph: each keeps its state in variables, is updated by the same run that
 * trains or evaluates a batch, and is read only when a result is wanted.
 */
package io.github.tfloop.metrics;
