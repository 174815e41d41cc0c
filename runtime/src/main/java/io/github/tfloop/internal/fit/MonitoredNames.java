package io.github.tfloop.internal.fit;

import io.github.tfloop.checkpoint.CheckpointPolicy;
import io.github.tfloop.train.TrainingListener;
import java.util.List;
import java.util.Locale;

/**
 * Checks, when a fit starts, that every value a listener monitors ({@link
 * TrainingListener#monitors()}) and the value best checkpoints are ranked by ({@link
 * CheckpointPolicy#keepBest}) is one the fit reports: otherwise the fit would fail only at the end
 * of its first epoch, or never rank a checkpoint; and that every step a listener acts on ({@link
 * TrainingListener#stepsNamed()}) is one of the loop's. All before any checkpoint is touched.
 */
final class MonitoredNames {

  private MonitoredNames() {}

  /**
   * @param reported the names each epoch's log will hold
   * @param losses the names of the losses the steps minimise (their {@code @Loss} methods' names)
   * @param withValidation whether the fit has validation data
   * @param steps the loop's steps, which listeners' {@link TrainingListener#stepsNamed()} must name
   * @throws IllegalArgumentException naming the listener, the name, the closest reported name and
   *     every reported name; or the listener, the step it names and the loop's steps
   */
  static void check(
      String loopName,
      List<String> reported,
      List<String> losses,
      boolean withValidation,
      List<TrainingListener> listeners,
      CheckpointPolicy checkpoints,
      List<String> steps) {
    for (TrainingListener listener : listeners) {
      for (String name : listener.monitors()) {
        require(loopName, listener.toString(), name, reported, losses, withValidation);
      }
      for (String step : listener.stepsNamed()) {
        if (!steps.contains(step)) {
          throw new IllegalArgumentException(
              listener.getClass().getSimpleName()
                  + ": no step '"
                  + step
                  + "'; the steps are "
                  + steps);
        }
      }
    }
    if (checkpoints != null && checkpoints.keepBest() > 0) {
      require(
          loopName,
          "CheckpointPolicy.keepBest(" + checkpoints.keepBest() + ", ...)",
          checkpoints.monitor(),
          reported,
          losses,
          withValidation);
    }
  }

  private static void require(
      String loopName,
      String who,
      String name,
      List<String> reported,
      List<String> losses,
      boolean withValidation) {
    if (reported.contains(name)) {
      return;
    }
    String message =
        loopName + "Loop.fit: " + who + " monitors '" + name + "', which this fit does not report";
    boolean validationName = name.startsWith("val_");
    String base = validationName ? name.substring("val_".length()) : name;
    if (validationName && !withValidation) {
      message +=
          ": values named val_... are reported only when the fit has validation data; call"
              + " fit(train, validation)";
      if (!reported.contains(base)) {
        String hint = hint(base, reported, losses);
        if (hint != null) {
          message += "; and did you mean 'val_" + hint + "'?";
        }
      }
    } else {
      String closest = closest(name, reported);
      if (closest != null) {
        message += "; did you mean '" + closest + "'?";
      } else if (isLoss(base)
          && !losses.isEmpty()
          && reported.contains((validationName ? "val_" : "") + losses.get(0))) {
        message +=
            "; did you mean '"
                + (validationName ? "val_" : "")
                + losses.get(0)
                + "'? A loss is reported under the name of its @Loss method";
      }
    }
    throw new IllegalArgumentException(
        message + (message.endsWith("?") ? " " : ". ") + "It reports " + reported + ".");
  }

  private static boolean isLoss(String name) {
    return name.toLowerCase(Locale.ROOT).endsWith("loss");
  }

  /** The training value {@code base} (no {@code val_}) probably means, or {@code null}. */
  private static String hint(String base, List<String> reported, List<String> losses) {
    String closest = closest(base, reported);
    if (closest != null) {
      return closest;
    }
    return isLoss(base) && !losses.isEmpty() ? losses.get(0) : null;
  }

  /** The reported name nearest {@code name}, if it is near enough to be what was meant. */
  static String closest(String name, List<String> reported) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : reported) {
      int distance = distance(name.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
      if (distance < bestDistance) {
        best = candidate;
        bestDistance = distance;
      }
    }
    return best != null && bestDistance <= Math.max(2, name.length() / 3) ? best : null;
  }

  /** Levenshtein distance. */
  private static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
