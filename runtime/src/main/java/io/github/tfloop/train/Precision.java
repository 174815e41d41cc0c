package io.github.tfloop.train;

/**
 * The number format a loop computes in. In the mixed precisions the weights, the optimizer's slots
 * and every update stay float32 (master weights); the matrix products and convolutions of {@code
 * Layers}' dense and convolution layers, forward and backward, run in the low format, and so do the
 * rectifier activations, max pooling and reshapes between them; losses, softmax, batch-norm
 * statistics, other activations and every reduction stay float32. What a {@code @Model} method
 * computes with {@code Ops} itself stays float32.
 *
 * <pre>{@code
 * LoopOptions options = LoopOptions.builder().precision(Precision.MIXED_BFLOAT16).build();
 * }</pre>
 *
 * <p>The loop logs once, at INFO on the {@code io.github.tfloop.precision} logger, the precision it
 * uses and the CPU features it found. Evaluation and prediction compute in the same precision as
 * training; {@code exportSavedModel} writes a float32 graph in every precision.
 */
public enum Precision {
  /** Everything in float32: the default, and the reference the others are measured against. */
  FLOAT32,
  /**
   * Matrix products and convolutions in bfloat16 (float32's range, 8 significant bits), for CPUs
   * with bfloat16 units (AVX512_BF16, AMX-BF16) and recent GPUs. It needs no loss scaling. On a CPU
   * without bfloat16 units it runs, slower than float32, with a logged warning naming the missing
   * feature. BENCHMARKS.md says where it pays off.
   */
  MIXED_BFLOAT16,
  /**
   * Matrix products and convolutions in float16 (11 significant bits, largest value 65504), with
   * dynamic loss scaling as Keras's {@code LossScaleOptimizer} does it: the loss is multiplied by a
   * scale (initially 2<sup>15</sup>) before the gradients are taken and the gradients divided by
   * it; a step whose gradients are not all finite is skipped and halves the scale; after {@link
   * LoopOptions#lossScaleGrowthSteps()} finite steps in a row the scale doubles. The scale and its
   * counter are variables of the graph, saved in checkpoints. For GPUs ({@code
   * LoopOptions.device("/GPU:0")}); a loop placed on the CPU is refused unless the CPU has float16
   * arithmetic (AVX512_FP16, AMX-FP16, or ARM's FP16), while one placed on a GPU that TensorFlow
   * does not see runs on the CPU (soft placement) with a warning that it will be slow.
   */
  MIXED_FLOAT16
}
