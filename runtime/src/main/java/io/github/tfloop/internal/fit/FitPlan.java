package io.github.tfloop.internal.fit;

import io.github.tfloop.train.LoopOptions;
import java.time.Duration;

/**
 * How much a fit trains and validates, from the options: epochs, batches per epoch and per
 * validation, validations within epochs, the step and time limits, and the dry run that overrides
 * them all (one epoch of one training batch and one validation batch). {@link FitLoop} asks it at
 * each batch; every question is allocation-free.
 */
final class FitPlan {

  private final LoopOptions options;
  private final boolean dryRun;
  private long deadline = Long.MAX_VALUE;

  FitPlan(LoopOptions options) {
    this.options = options;
    this.dryRun = options.dryRun();
  }

  boolean dryRun() {
    return dryRun;
  }

  /** Epochs the fit asks for. */
  int epochs() {
    return dryRun ? 1 : options.epochs();
  }

  /** Training batches per epoch at most, or 0 for all. */
  int trainBatches() {
    return dryRun ? 1 : options.limitTrainBatches();
  }

  /** Validation batches per validation at most, or 0 for all. */
  int validationBatches() {
    return dryRun ? 1 : options.limitValidationBatches();
  }

  /** Whether the validation data is evaluated after global step {@code step}, within its epoch. */
  boolean validationDue(long step) {
    int every = options.validateEverySteps();
    return !dryRun && every > 0 && step % every == 0;
  }

  /** Starts the clock of {@code maxTime}: the fit or resume call begins. */
  void start() {
    Duration maxTime = options.maxTime();
    deadline = dryRun || maxTime == null ? Long.MAX_VALUE : System.nanoTime() + maxTime.toNanos();
  }

  /**
   * Why the fit stops now, after {@code fitSteps} steps of its own: {@code maxSteps} reached, or
   * {@code maxTime} passed; {@code null} if neither.
   */
  String limitReached(long fitSteps, long globalStep) {
    if (dryRun) {
      return null;
    }
    if (options.maxSteps() > 0 && fitSteps >= options.maxSteps()) {
      return "maxSteps(" + options.maxSteps() + ") reached at global step " + globalStep;
    }
    if (deadline != Long.MAX_VALUE && System.nanoTime() - deadline >= 0) {
      return "maxTime("
          + options.maxTime()
          + ") passed at global step "
          + globalStep
          + "; resume() trains on from the next epoch";
    }
    return null;
  }

  /**
   * Whether a call that trains several batches in the graph must end after global step {@code
   * step}, the {@code fitSteps}-th of the fit: a validation is due, or the step limit is reached.
   */
  boolean boundaryAfter(long step, long fitSteps) {
    return validationDue(step) || (options.maxSteps() > 0 && fitSteps >= options.maxSteps());
  }
}
