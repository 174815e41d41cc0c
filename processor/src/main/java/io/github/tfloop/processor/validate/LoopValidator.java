package io.github.tfloop.processor.validate;

import io.github.tfloop.processor.parse.DataType;
import io.github.tfloop.processor.parse.LoopDeclaration;
import io.github.tfloop.processor.parse.MethodDeclaration;
import io.github.tfloop.processor.parse.MethodDeclaration.Role;
import io.github.tfloop.processor.parse.ParameterDeclaration;
import java.util.HashSet;
import java.util.Set;

/**
 * Runs every validator over one loop class. All problems are reported, not just the first;
 * {@link #validate} says whether the class is fit to generate from.
 */
public final class LoopValidator {

  private final Diagnostics diagnostics;

  public LoopValidator(Diagnostics diagnostics) {
    this.diagnostics = diagnostics;
  }

  /** Validates {@code loop}; returns whether it is free of errors. */
  public boolean validate(LoopDeclaration loop, String loopClassName) {
    int errorsBefore = diagnostics.errorCount();
    TrainingLoopValidator.check(loop, loopClassName, diagnostics);
    for (MethodDeclaration method : loop.methods()) {
      switch (method.role()) {
        case MODEL -> ModelValidator.check(method, loopClassName, diagnostics);
        case LOSS -> LossValidator.check(method, loop, loopClassName, diagnostics);
        case STEP -> StepValidator.check(method, loop, loopClassName, diagnostics);
      }
    }
    InputsValidator.check(loop, diagnostics);
    checkHasFeature(loop);
    checkMetrics(loop);
    if (diagnostics.errorCount() == errorsBefore) {
      warnAboutUnusedLosses(loop);
      return true;
    }
    return false;
  }

  private void checkHasFeature(LoopDeclaration loop) {
    if (loop.methods(Role.MODEL).isEmpty()) {
      return; // already reported as MissingModel
    }
    for (MethodDeclaration method : loop.methods()) {
      for (ParameterDeclaration parameter : method.parameters()) {
        if (parameter.input() != null && !parameter.input().label()) {
          return;
        }
      }
    }
    diagnostics.error(
        Message.MISSING_FEATURE, loop.element(), loop.annotation(), loop.element().getSimpleName());
  }

  private void checkMetrics(LoopDeclaration loop) {
    if (loop.metrics().isEmpty()) {
      return;
    }
    ParameterDeclaration label = firstLabel(loop);
    if (label == null) {
      diagnostics.error(
          Message.METRIC_NEEDS_LABEL, loop.element(), loop.annotation(), loop.metricsValue(),
          loop.element().getSimpleName());
      return;
    }
    DataType type = label.type().dataType();
    if (loop.metrics().contains("ACCURACY") && type != null && type.isFloating()) {
      diagnostics.error(
          Message.METRIC_LABEL_TYPE, loop.element(), loop.annotation(), loop.metricsValue(),
          "ACCURACY", label.name(), label.type().display());
    }
  }

  /** The first {@code @Label} parameter in declaration order, or {@code null}. */
  public static ParameterDeclaration firstLabel(LoopDeclaration loop) {
    for (MethodDeclaration method : loop.methods()) {
      for (ParameterDeclaration parameter : method.parameters()) {
        if (parameter.input() != null && parameter.input().label()) {
          return parameter;
        }
      }
    }
    return null;
  }

  private void warnAboutUnusedLosses(LoopDeclaration loop) {
    Set<String> minimised = new HashSet<>();
    for (MethodDeclaration step : loop.methods(Role.STEP)) {
      minimised.add(StepValidator.lossOf(step, loop));
    }
    for (MethodDeclaration loss : loop.methods(Role.LOSS)) {
      if (!minimised.contains(loss.name())) {
        diagnostics.warning(Message.UNUSED_LOSS, loss.element(), loss.name() + "()");
      }
    }
  }
}
