/**
 * Running a built loop: {@link io.github.tfloop.internal.engine.LoopEngine} opens the session on a
 * {@code LoopGraph} and offers one training step, evaluation, prediction, the in-graph loop of
 * several steps per call, and reading, copying, saving and exporting the variables. It guards every
 * call so that one thread at a time uses the loop, and never frees what a call still uses. It knows
 * nothing of epochs, listeners or clusters: the fit loop drives it.
 */
package io.github.tfloop.internal.engine;
