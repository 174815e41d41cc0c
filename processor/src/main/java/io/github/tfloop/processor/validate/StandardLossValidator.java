package io.github.tfloop.processor.validate;

import io.github.tfloop.annotations.LossFunction;
import io.github.tfloop.processor.parse.LoopDeclaration;
import io.github.tfloop.processor.parse.MethodDeclaration;
import io.github.tfloop.processor.parse.MethodDeclaration.Role;
import io.github.tfloop.processor.parse.StandardLossDeclaration;
import java.util.List;
import javax.lang.model.element.TypeElement;

/** The class's {@code @StandardLoss}: its name, model, label and the values of its function. */
final class StandardLossValidator {

  private StandardLossValidator() {}

  static void check(LoopDeclaration loop, Diagnostics diagnostics) {
    StandardLossDeclaration loss = loop.standardLoss();
    if (loss == null) {
      return;
    }
    TypeElement type = loop.element();
    if (!ParameterRules.isIdentifier(loss.name()) || loop.names(Role.LOSS).contains(loss.name())) {
      diagnostics.report(
          Message.STANDARD_LOSS_NAME, type, loss.annotation(), loss.nameValue(), loss.name());
    }
    List<String> models = loop.featureModels().stream().map(MethodDeclaration::name).toList();
    if (!loss.model().isEmpty() && !models.contains(loss.model())) {
      diagnostics.report(
          Message.STANDARD_LOSS_MODEL,
          type,
          loss.annotation(),
          loss.modelValue(),
          loss.model(),
          models,
          Suggestions.didYouMean(loss.model(), models));
    }
    if (!ParameterRules.isIdentifier(loss.label())) {
      diagnostics.report(
          Message.STANDARD_LOSS_LABEL, type, loss.annotation(), loss.labelValue(), loss.label());
    }
    checkLabelShape(loop, loss, diagnostics);
    if (loss.function() == LossFunction.HUBER) {
      if (!(loss.delta() > 0) || Double.isInfinite(loss.delta())) {
        diagnostics.report(
            Message.STANDARD_LOSS_DELTA,
            type,
            loss.annotation(),
            loss.deltaValue(),
            "must be positive and finite",
            loss.delta());
      }
    } else if (loss.deltaValue() != null) {
      diagnostics.report(
          Message.STANDARD_LOSS_DELTA,
          type,
          loss.annotation(),
          loss.deltaValue(),
          "applies to HUBER only, not " + loss.function(),
          loss.delta());
    }
  }

  private static void checkLabelShape(
      LoopDeclaration loop, StandardLossDeclaration loss, Diagnostics diagnostics) {
    String rule = null;
    if (loss.labelShape().stream().anyMatch(dimension -> dimension <= 0)) {
      rule = "dimensions must be positive";
    } else if (loss.sparse() && !loss.labelShape().isEmpty()) {
      rule = "must be {} for SPARSE_CATEGORICAL_CROSSENTROPY: each label is one class index";
    } else if (loss.function() == LossFunction.CATEGORICAL_CROSSENTROPY
        && loss.labelShape().size() != 1) {
      rule = "must be {classes} for CATEGORICAL_CROSSENTROPY: each label is one-hot";
    }
    if (rule != null) {
      diagnostics.report(
          Message.STANDARD_LOSS_LABEL_SHAPE,
          loop.element(),
          loss.annotation(),
          loss.labelShapeValue(),
          rule,
          TrainingLoopValidator.inBraces(loss.labelShape()));
    }
  }
}
