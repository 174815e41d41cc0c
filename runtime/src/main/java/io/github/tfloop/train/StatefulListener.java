package io.github.tfloop.train;

import java.util.Map;

/**
 * A {@link TrainingListener} whose state must survive a checkpoint, such as early stopping's best
 * value and patience count. Every checkpoint a fit writes records {@link #saveState()} of each such
 * listener under its {@link #stateKey()}; {@code resume} hands it back through {@link
 * #restoreState} before training goes on, so the listener continues as if never interrupted.
 *
 * <p>State is a map of strings, written into the checkpoint's manifest as it is. Write numbers so
 * that they read back exactly: {@link Double#toString(double)} and {@link Double#parseDouble}
 * round-trip every double.
 */
public interface StatefulListener extends TrainingListener {

  /**
   * A key unique among the fit's listeners, such as {@code early_stopping}: letters, digits, {@code
   * _}, {@code -} and {@code .}.
   */
  String stateKey();

  /** The state to record now; called on the training thread when a checkpoint is written. */
  Map<String, String> saveState();

  /**
   * Sets the state back to what {@link #saveState()} returned: right after the resumed fit's {@link
   * #onTrainBegin} (which may reset the listener), before its first batch. Not called when a resume
   * finds no checkpoint, or one without this key.
   */
  void restoreState(Map<String, String> state);
}
