package io.github.tfloop.processor.validate;

import java.util.Locale;

/**
 * Every diagnostic the processor reports: a stable id, shown as {@code [tfloop:Id]}, and a text
 * that states the rule, what was found, and what to do. The reference of all ids is
 * {@code docs/errors.md}.
 */
public enum Message {
  LOOP_CLASS_KIND("@TrainingLoop must annotate a class; %s is %s"),
  LOOP_CLASS_MODIFIERS("@TrainingLoop classes must not be %s; the generated %s must be able to use it"),
  LOOP_CLASS_INNER(
      "@TrainingLoop classes must be top-level or static; make %s static"),
  LOOP_CLASS_LOCAL("@TrainingLoop classes must be top-level or static nested; %s is %s"),
  LOOP_CLASS_GENERIC("@TrainingLoop classes must not be generic; %s declares %s"),
  LOOP_NAME("@TrainingLoop(name) must be a valid Java identifier other than the class's own name; found \"%s\""),
  BATCH_SIZE("@TrainingLoop(batchSize) must be positive; found %d"),
  MISSING_MODEL("%s declares no @Model method; add one that returns the network's output, such as Operand<TFloat32> logits(Layers nn, @Feature Operand<TFloat32> x)"),
  MISSING_LOSS("%s declares no @Loss method; add one that returns a scalar Operand<TFloat32>, such as Losses.sparseCategoricalCrossentropy(tf, logits, label)"),
  MISSING_STEP("%s declares no @Step method; add an empty one such as @Step(optimizer = Optimizer.ADAM) void train() {}"),
  MISSING_FEATURE("%s declares no @Feature input; annotate the @Model parameter the data comes in through, such as @Feature(shape = {28, 28}) Operand<TFloat32> image"),
  ORPHAN_ANNOTATION("%s methods must be declared in a class annotated @TrainingLoop; annotate %s with @TrainingLoop"),
  ORPHAN_INPUT("%s belongs on a parameter of a @Model or @Loss method; %s is neither"),
  DUPLICATE_ROLE("a method can carry only one of @Model, @Loss and @Step; %s is already %s"),
  METHOD_PRIVATE("%s methods must not be private; the generated %s calls %s"),
  METHOD_STATIC("%s methods must not be static; the generated loop calls %s on the instance it is given"),
  METHOD_ABSTRACT("%s methods must have a body; %s is abstract"),
  METHOD_GENERIC("%s methods must not be generic; %s declares type parameters"),
  MODEL_RETURN_TYPE("@Model methods must return Operand<TFloat32> or Operand<TFloat64>; found %s"),
  LOSS_RETURN_TYPE("@Loss methods must return Operand<TFloat32> or Operand<TFloat64>; found %s"),
  PARAMETER_TYPE("%s parameters must be Ops, %sor an Operand<T>; found %s %s"),
  MODEL_PARAMETER_NOT_FED("@Model parameter %s is an Operand but not an input; annotate it @Feature"),
  LABEL_IN_MODEL("@Model methods take features, not labels: prediction has no labels to feed; move @Label %s to a @Loss method"),
  LAYERS_IN_LOSS("@Loss methods must not take Layers: variables belong to @Model methods; take Ops instead"),
  INPUT_BOTH_ROLES("a parameter is either a @Feature or a @Label, not both; %s is both"),
  INPUT_TYPE("%s parameters must be Operand<TFloat32>, Operand<TFloat64>, Operand<TInt32> or Operand<TInt64>; found %s"),
  INPUT_SHAPE("%s(shape) dimensions must be positive; found %s"),
  INPUT_NAME("%s(name) must be a valid Java identifier; found \"%s\""),
  INPUT_CONFLICT("input '%s' is declared as %s here but as %s in %s; every declaration of an input must agree"),
  OUTPUT_UNKNOWN("an un-annotated Operand parameter of a @Loss method is a model output and must be named after a @Model method when there are several; %s matches none of %s%s"),
  OUTPUT_TYPE("@Loss parameter %s is %s but @Model %s returns %s; declare it %s"),
  STEP_SIGNATURE("@Step methods must be void and take no parameters: they only declare a step; found %s"),
  STEP_LOSS_AMBIGUOUS("@Step(loss) must name the loss to minimise when there are several; choose one of %s"),
  STEP_LOSS_UNKNOWN("@Step(loss) must name a @Loss method; \"%s\" is none of %s%s"),
  STEP_VARIABLES_UNKNOWN("@Step(variables) must name @Model methods; \"%s\" is none of %s%s"),
  STEP_LEARNING_RATE("@Step(learningRate) must be positive and finite; found %s"),
  METRIC_NEEDS_LABEL("@TrainingLoop(metrics) are computed against the first @Label, but %s declares none"),
  METRIC_LABEL_TYPE("%s needs integer class labels (Operand<TInt32> or Operand<TInt64>); the first @Label, %s, is %s"),
  UNUSED_LOSS("@Loss %s is minimised by no @Step; it is still reported by evaluate()"),
  WRITE_FAILED("could not write %s: %s"),
  INTERNAL_ERROR("internal error while processing %s; please report it with this trace:%n%s");

  private final String template;

  Message(String template) {
    this.template = template;
  }

  /** The id users see and search for, such as {@code LossReturnType}. */
  public String id() {
    StringBuilder id = new StringBuilder();
    for (String word : name().split("_")) {
      id.append(word.charAt(0)).append(word.substring(1).toLowerCase(Locale.ROOT));
    }
    return id.toString();
  }

  /** The full message: {@code [tfloop:Id] text}. */
  public String format(Object... arguments) {
    return "[tfloop:" + id() + "] " + String.format(Locale.ROOT, template, arguments);
  }
}
