/**
 * Checkpoints that never lose work: {@link io.github.tfloop.checkpoint.CheckpointPolicy} says when
 * a fit saves, {@link io.github.tfloop.checkpoint.CheckpointStore} writes each checkpoint
 * atomically (temporary directory, checksummed manifest, fsync, rename), keeps the last K, and
 * falls back past a truncated or corrupted one; {@link io.github.tfloop.checkpoint.VariableSaver}
 * writes and reads a graph's variables with TensorFlow's own {@code SaveV2}/{@code RestoreV2} ops.
 */
package io.github.tfloop.checkpoint;
