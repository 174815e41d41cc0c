/**
 * The fit loop: {@link io.github.tfloop.internal.fit.FitLoop} runs epochs of shuffled batches
 * through the engine, tells the listeners, evaluates the validation data, and saves and restores
 * its position with {@link io.github.tfloop.internal.fit.FitCheckpoints} (built on the public
 * {@code checkpoint} package); it explains a failed step and writes a final checkpoint when the JVM
 * is asked to stop.
 */
package io.github.tfloop.internal.fit;
