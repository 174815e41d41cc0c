package io.github.tfloop.processor.validate;

import java.util.Locale;
import javax.tools.Diagnostic;

/**
 * Every diagnostic the processor reports: a stable id, shown as {@code [tfloop:Id]}, whether it is
 * an error or a warning, and a text that states the rule, what was found, and what to do. The
 * reference of all ids, each with an example of the mistake and its fix, is {@code docs/errors.md};
 * a test checks that it lists every entry.
 *
 * <p>Adding a diagnostic takes one entry here, one check in the validator of the annotation it is
 * about, and one case in {@code DiagnosticsTest}.
 */
public enum Message {
  // The annotated class
  LOOP_CLASS_KIND("@TrainingLoop must annotate a class; %s is %s; move the annotation to a class"),
  LOOP_CLASS_MODIFIERS("@TrainingLoop classes must not be %s: %s; %s"),
  LOOP_CLASS_INNER(
      "@TrainingLoop classes must be top-level or static nested: an inner class needs an outer"
          + " instance; make %s static"),
  LOOP_CLASS_LOCAL(
      "@TrainingLoop classes must be top-level or static nested; %s is %s; move it out of the"
          + " method"),
  LOOP_CLASS_ENCLOSING(
      "@TrainingLoop classes must be visible in their package; %s is nested in %s; make the"
          + " enclosing class package-private or wider"),
  LOOP_CLASS_GENERIC(
      "@TrainingLoop classes must not be generic: the generated loop has no type to put in %s;"
          + " remove the type parameters %s"),
  LOOP_CLASS_CONSTRUCTOR(
      "@TrainingLoop classes must be instantiable, since %s.create takes an instance; every"
          + " constructor of %s is private and the class has no static member that could call"
          + " one; make a constructor package-private or add a static factory"),
  LOOP_NAME(
      "@TrainingLoop(name) must be a valid Java identifier other than the class's own name;"
          + " found \"%s\""),
  LOOP_NAME_TAKEN("the generated loop class must not clash with another type; %s is %s; %s"),
  BATCH_SIZE("@TrainingLoop(batchSize) must be positive; found %d"),
  MISSING_MODEL(
      "%s declares no @Model method%s; add one that returns the network's output, such as"
          + " Operand<TFloat32> logits(Layers nn, @Feature Operand<TFloat32> x)"),
  MISSING_LOSS(
      "%s declares no @Loss method%s; add one that returns a scalar Operand<TFloat32>, such as"
          + " Losses.sparseCategoricalCrossentropy(tf, logits, label)"),
  MISSING_STEP(
      "%s declares no @Step method%s; add an empty one such as"
          + " @Step(optimizer = Optimizer.ADAM) void train() {}"),
  MISSING_FEATURE(
      "%s declares no @Feature input, the data its model sees; add one to %s, such as %s"),
  NOTHING_TO_TRAIN(
      "a loop needs trainable variables, which only @Model methods taking Layers create; none of"
          + " %s takes Layers; add a Layers parameter and build the layers with it"),
  METRIC_DUPLICATE("@TrainingLoop(metrics) must list each metric once; %s is listed again"),
  METRIC_NEEDS_LABEL(
      "@TrainingLoop(metrics) are computed against the first @Label, but %s declares none; add a"
          + " @Label parameter to the @Loss method or remove the metric"),
  METRIC_LABEL_TYPE("%s needs %s labels; the first @Label, %s, is %s"),
  METRIC_LABEL_SHAPE("%s needs a label of %s; the first @Label, %s, has shape %s"),
  RESULT_NAME_CONFLICT(
      "losses and metrics are reported by name, so a @Loss must not be named like a metric;"
          + " %s collides with %s; rename the method"),

  // Annotations in the wrong place
  ORPHAN_ANNOTATION("%s methods must be declared in a class annotated @TrainingLoop; %s"),
  ORPHAN_INPUT("%s belongs on a parameter of a @Model or @Loss method; %s is neither"),
  DUPLICATE_ROLE("a method can carry only one of @Model, @Loss and @Step; %s is already %s"),

  // Rules for every tfloop method
  DUPLICATE_NAME(
      "%s methods are identified by their name, which must be unique among them; another %s"
          + " method is named %s; rename one of them"),
  METHOD_PRIVATE("%s methods must not be private; the generated %s calls %s"),
  METHOD_STATIC(
      "%s methods must not be static; the generated loop calls %s on the instance it is given"),
  METHOD_ABSTRACT("%s methods must have a body; %s is abstract"),
  METHOD_GENERIC(
      "%s methods must not be generic: the loop decides their types from the declaration; %s"
          + " declares type parameters %s"),
  METHOD_THROWS(
      "%s methods must not declare checked exceptions: the generated create() calls them without"
          + " a throws clause; %s declares %s; catch it inside the method"),

  // @Model and @Loss signatures
  MODEL_RETURN_TYPE("@Model methods must return Operand<TFloat32> or Operand<TFloat64>; found %s"),
  LOSS_RETURN_TYPE("@Loss methods must return Operand<TFloat32> or Operand<TFloat64>; found %s"),
  PARAMETER_TYPE("%s parameters must be %s; found %s %s"),
  FUNCTION_MODEL_INPUTS(
      "a @Model taking an un-annotated Operand is a function model, applied by losses to the"
          + " input they choose, and takes only that input besides Layers and Ops; %s also takes"
          + " %s; if the loop feeds %s, annotate it @Feature"),
  FUNCTION_MODEL_TYPE(
      "a function @Model returns the type it takes (Network<T> maps Operand<T> to Operand<T>);"
          + " %s takes %s and returns %s"),
  FEATURE_MODEL_MISSING(
      "a loop needs a @Model it calls on its @Feature inputs, whose output predict() returns;"
          + " every @Model of %s takes an un-annotated Operand (%s) and so is a function model,"
          + " which losses apply; annotate %s @Feature if the loop feeds it"),
  LABEL_IN_MODEL("@Model methods take features, not labels: prediction has no labels to feed; %s"),
  LAYERS_IN_LOSS(
      "@Loss methods must not take Layers: variables belong to @Model methods; take Ops instead"),
  OUTPUT_UNKNOWN(
      "an un-annotated Operand parameter of a @Loss method is a model output and must be named"
          + " after a @Model method when there are several; %s matches none of %s%s"),
  OUTPUT_TYPE("@Loss parameter %s is %s but @Model %s returns %s; declare it %s"),
  UNANNOTATED_INPUT(
      "an un-annotated Operand parameter of a @Loss is a model output; %s takes the output of %s"
          + " as %s already, and %s is %s, which %s does not return; if the loop feeds %s,"
          + " annotate it @Label"),
  OUTPUT_TAKEN_TWICE(
      "%s takes the output of %s twice, as %s and as %s: an un-annotated Operand parameter of a"
          + " @Loss is a model output; if the loop feeds %s, annotate it @Label"),
  OUTPUT_OF_FUNCTION_MODEL(
      "@Model %s takes the un-annotated Operand %s, so it is a function model with no output of"
          + " its own: a @Loss applies it through a Network<%s> parameter; declare %s as"
          + " Network<%s>, or annotate %s @Feature if the loop feeds it"),
  NETWORK_UNKNOWN(
      "a Network<T> parameter of a @Loss applies a function @Model and is named after it; %s"),
  NETWORK_TYPE("@Loss parameter %s is %s but function @Model %s maps %s; declare it %s"),

  // @Feature and @Label
  INPUT_BOTH_ROLES("a parameter is either a @Feature or a @Label, not both; %s is both"),
  INPUT_TYPE(
      "%s parameters must be Operand<TFloat32>, Operand<TFloat64>, Operand<TInt32> or"
          + " Operand<TInt64>; found %s"),
  INPUT_SHAPE("%s(shape) dimensions must be positive; found %d in %s"),
  INPUT_SIZE("%s(shape) must describe at most %d values per example; %s holds %d"),
  INPUT_NAME("%s(name) must be a valid Java identifier; found \"%s\""),
  INPUT_CONFLICT(
      "input '%s' is declared as %s here but as %s in %s; every declaration of an input must"
          + " agree"),

  // @Step
  STEP_SIGNATURE(
      "@Step methods must be void and take no parameters: they only declare a step; found %s"),
  STEP_BODY(
      "@Step methods only declare a step, and the loop never calls them, so their body stays"
          + " empty; %s holds statements; move them to a @Model or @Loss method (run once, as"
          + " the graph is built) or to a TrainingListener (run as training goes)"),
  STEP_LOSS_AMBIGUOUS(
      "@Step(loss) must name the loss to minimise when there are several; choose one of %s"),
  STEP_LOSS_UNKNOWN("@Step(loss) must name %s; \"%s\" is none of %s%s"),
  STEP_VARIABLES_UNKNOWN("@Step(variables) must name @Model methods; \"%s\" is none of %s%s"),
  STEP_VARIABLES_REPEATED("@Step(variables) lists \"%s\" more than once; remove the repetition"),
  STEP_TRAINS_NOTHING("a @Step must train variables its loss depends on; %s; %s"),
  STEP_LEARNING_RATE("@Step(learningRate) must be positive and finite; found %s"),
  OPTIMIZER_PARAMETER(
      "@Step(params) entries are name=value with a name %s takes (%s); found \"%s\"%s"),
  OPTIMIZER_PARAMETER_VALUE("%s's %s must be %s; found \"%s\""),
  SCHEDULE_PARAMETER(
      "@Step(scheduleParams) entries are name=value with a name %s takes (%s); found \"%s\"%s"),
  SCHEDULE_PARAMETER_VALUE("%s's %s must be %s; found \"%s\""),
  SCHEDULE_PARAMETER_MISSING("%s needs %s in @Step(scheduleParams), such as \"%s=%s\""),
  PARAMETER_REPEATED("%s sets %s twice; keep one"),
  CLIPPING_CONFLICT(
      "a @Step clips its gradients one way at most; %s is set, and so is %s; keep one"),
  CLIPPING_VALUE("@Step(%s) must be positive and finite, or 0 to leave it off; found %s"),
  STEP_EVERY("@Step(every) must be at least 1; found %d"),
  STEP_EVERY_NONE(
      "at least one @Step must run on every batch (every = 1): it counts batches and updates the"
          + " metrics; %s all run less often"),

  // @StandardLoss
  STANDARD_LOSS_NAME(
      "@StandardLoss(name) must be a Java identifier no @Loss method is named; found \"%s\""),
  STANDARD_LOSS_MODEL(
      "@StandardLoss(model) must name a @Model the loop calls on its features; \"%s\" is none"
          + " of %s%s"),
  STANDARD_LOSS_LABEL("@StandardLoss(label) must be a valid Java identifier; found \"%s\""),
  STANDARD_LOSS_LABEL_SHAPE("@StandardLoss(labelShape) %s; found %s"),
  STANDARD_LOSS_DELTA("@StandardLoss(delta) %s; found %s"),
  ORPHAN_STANDARD_LOSS(
      "@StandardLoss declares a loss of a @TrainingLoop class; annotate %s with @TrainingLoop"),

  // Suspicious but legal
  UNUSED_LOSS("@Loss %s is minimised by no @Step; it is still reported by evaluate()"),
  UNUSED_MODEL(
      "@Model %s is used by no @Loss, so no step trains its variables; take its output in a"
          + " @Loss or remove it"),

  // The processor itself
  UNRESOLVED(
      "tfloop needs every type and constant of a loop's declarations to resolve; %s never did,"
          + " so %s was not generated; fix it and compile again"),
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

  /** Warnings flag legal but suspicious code; everything else is an error. */
  public Diagnostic.Kind kind() {
    return switch (this) {
      case UNUSED_LOSS, UNUSED_MODEL, STEP_VARIABLES_REPEATED, OUTPUT_TAKEN_TWICE ->
          Diagnostic.Kind.WARNING;
      default -> Diagnostic.Kind.ERROR;
    };
  }

  /** The full message: {@code [tfloop:Id] text}. */
  public String format(Object... arguments) {
    return "[tfloop:" + id() + "] " + String.format(Locale.ROOT, template, arguments);
  }
}
