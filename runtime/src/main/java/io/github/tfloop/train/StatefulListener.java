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
 * round-trip every double. Copies of the weights the listener holds ({@link WeightSnapshot}s, such
 * as early stopping's best weights) travel through {@link #saveSnapshots()} and {@link
 * #restoreSnapshots}: each is written into the checkpoint beside the variables, checksummed with
 * them, and read back bit for bit.
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

  /**
   * The weight snapshots to record now, by a name unique within this listener (letters, digits,
   * {@code _} and {@code -}); none by default. Called with {@link #saveState()}; the snapshots
   * remain the listener's: the checkpoint writes a copy of each.
   */
  default Map<String, WeightSnapshot> saveSnapshots() {
    return Map.of();
  }

  /**
   * Hands back, read from the checkpoint, the snapshots {@link #saveSnapshots()} returned when it
   * was written: right after {@link #restoreState}. They are the listener's now, to close when it
   * no longer needs them; the default closes them at once. Not called when the checkpoint holds
   * none for this listener.
   */
  default void restoreSnapshots(Map<String, WeightSnapshot> snapshots) {
    snapshots.values().forEach(WeightSnapshot::close);
  }
}
