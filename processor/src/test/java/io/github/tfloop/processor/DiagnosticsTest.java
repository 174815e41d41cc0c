package io.github.tfloop.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static io.github.tfloop.processor.Sources.FIRST_LINE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import com.google.testing.compile.JavaFileObjects;
import io.github.tfloop.processor.validate.Message;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One compile per diagnostic the processor reports, under javac and under the Eclipse compiler: the
 * diagnostic is the only one tfloop reports (one mistake, one error), with its full text, its file
 * and its line. A failing compile generates nothing; a warning leaves the loop generated. {@link
 * #everyMessageHasACase} keeps this table complete.
 */
class DiagnosticsTest {

  /** A valid model, loss and step, one line each: lines 2, 3 and 4 of a class body. */
  static final String MODEL =
      "  @Model Operand<TFloat32> logits(Layers nn, @Feature(shape = {4}) Operand<TFloat32> x) {"
          + " return nn.dense(x, 3); }";

  static final String LOSS =
      "  @Loss Operand<TFloat32> loss(Ops tf, Operand<TFloat32> logits, @Label Operand<TInt32> y)"
          + " { return Losses.sparseCategoricalCrossentropy(tf, logits, y); }";
  static final String STEP = "  @Step void train() {}";

  /** A function model: a critic a loss applies as it likes. */
  static final String CRITIC =
      "  @Model Operand<TFloat32> critic(Layers nn, Operand<TFloat32> sample) {"
          + " return nn.dense(sample, 1); }";

  /** A second loss that takes the label a {@code @StandardLoss(labelShape = 1)} declares. */
  static final String REGRESSION_PENALTY =
      "  @Loss Operand<TFloat32> penalty(Ops tf, Operand<TFloat32> logits,"
          + " @Label(shape = 1) Operand<TFloat32> label) {"
          + " return Losses.meanSquaredError(tf, logits, label); }";

  /** Messages that need more than one source file or a failing compiler, tested elsewhere. */
  static final Set<Message> TESTED_ELSEWHERE =
      EnumSet.of(Message.WRITE_FAILED, Message.INTERNAL_ERROR);

  /**
   * One diagnostic case: the source body (after the imports, first line {@code FIRST_LINE}), the
   * message expected, its text after the id, and the line it is on, relative to the body.
   */
  record Case(
      String name,
      Message message,
      String text,
      int line,
      List<String> body,
      Set<Reported.With> compilers) {
    @Override
    public String toString() {
      return message.id() + ": " + name;
    }

    /** The same case, checked under javac only. */
    Case javacOnly() {
      return new Case(name, message, text, line, body, EnumSet.of(Reported.With.JAVAC));
    }
  }

  private static Case error(String name, Message message, String text, int line, String... body) {
    return new Case(name, message, text, line, List.of(body), EnumSet.allOf(Reported.With.class));
  }

  /** A loop class named Broken with {@code members}, annotated with {@code annotation}. */
  private static String[] loop(String annotation, String... members) {
    List<String> lines = new ArrayList<>();
    lines.add(annotation);
    lines.add("class Broken {");
    lines.addAll(List.of(members));
    lines.add("}");
    return lines.toArray(String[]::new);
  }

  static Stream<Case> cases() {
    return Stream.of(
        // The annotated class
        error(
            "an enum",
            Message.LOOP_CLASS_KIND,
            "@TrainingLoop must annotate a class; Broken is an enum; move the annotation to a"
                + " class",
            0,
            "@TrainingLoop",
            "enum Broken { A }"),
        error(
            "a record, placed on its header under both compilers",
            Message.LOOP_CLASS_KIND,
            "@TrainingLoop must annotate a class; Broken is a record; move the annotation to a"
                + " class",
            1,
            "@TrainingLoop",
            "record Broken(int a) {}"),
        error(
            "an abstract class",
            Message.LOOP_CLASS_MODIFIERS,
            "@TrainingLoop classes must not be abstract: the loop is generated from this class's"
                + " own methods and runs on an instance of it; remove 'abstract'",
            1,
            "@TrainingLoop",
            "abstract class Broken {",
            MODEL,
            LOSS,
            STEP,
            "}"),
        error(
            "a private nested class",
            Message.LOOP_CLASS_MODIFIERS,
            "@TrainingLoop classes must not be private: the generated Broken_InnerLoop cannot"
                + " refer to a private class; remove 'private'",
            2,
            "class Broken {",
            "  @TrainingLoop",
            "  private static class Inner {",
            MODEL,
            LOSS,
            STEP,
            "  }",
            "}"),
        error(
            "an inner class",
            Message.LOOP_CLASS_INNER,
            "@TrainingLoop classes must be top-level or static nested: an inner class needs an"
                + " outer instance; make Inner static",
            2,
            "class Broken {",
            "  @TrainingLoop",
            "  class Inner {",
            MODEL,
            LOSS,
            STEP,
            "  }",
            "}"),
        error(
                "a local class",
                Message.LOOP_CLASS_LOCAL,
                "@TrainingLoop classes must be top-level or static nested; Local is declared inside a"
                    + " method or initializer; move it out of the method",
                9,
                loopWith("  void make() {", "    @TrainingLoop", "    class Local {}", "  }"))
            .javacOnly(), // the Eclipse compiler offers no source trees to find local classes in
        error(
            "nested in a private class",
            Message.LOOP_CLASS_ENCLOSING,
            "@TrainingLoop classes must be visible in their package; Inner is nested in private"
                + " Hidden; make the enclosing class package-private or wider",
            3,
            "class Broken {",
            "  private static class Hidden {",
            "    @TrainingLoop",
            "    static class Inner {",
            MODEL,
            LOSS,
            STEP,
            "    }",
            "  }",
            "}"),
        error(
            "generic",
            Message.LOOP_CLASS_GENERIC,
            "@TrainingLoop classes must not be generic: the generated loop has no type to put in"
                + " BrokenLoop.create; remove the type parameters <T>",
            1,
            "@TrainingLoop",
            "class Broken<T> {",
            MODEL,
            LOSS,
            STEP,
            "}"),
        error(
            "only private constructors",
            Message.LOOP_CLASS_CONSTRUCTOR,
            "@TrainingLoop classes must be instantiable, since BrokenLoop.create takes an"
                + " instance; every constructor of Broken is private and the class has no static"
                + " member that could call one; make a constructor package-private or add a"
                + " static factory",
            2,
            loop("@TrainingLoop", "  private Broken() {}", MODEL, LOSS, STEP)),
        error(
            "an invalid name",
            Message.LOOP_NAME,
            "@TrainingLoop(name) must be a valid Java identifier other than the class's own name;"
                + " found \"1Loop\"",
            0,
            loop("@TrainingLoop(name = \"1Loop\")", MODEL, LOSS, STEP)),
        error(
            "a name taken by another class",
            Message.LOOP_NAME_TAKEN,
            "the generated loop class must not clash with another type; Other is the name of"
                + " example.Other, which is already declared; rename that type or choose another"
                + " @TrainingLoop(name)",
            0,
            concat(loop("@TrainingLoop(name = \"Other\")", MODEL, LOSS, STEP), "class Other {}")),
        error(
            "a batch size of zero",
            Message.BATCH_SIZE,
            "@TrainingLoop(batchSize) must be positive; found 0",
            0,
            loop("@TrainingLoop(batchSize = 0)", MODEL, LOSS, STEP)),
        error(
            "no model",
            Message.MISSING_MODEL,
            "Broken declares no @Model method; add one that returns the network's output, such as"
                + " Operand<TFloat32> logits(Layers nn, @Feature Operand<TFloat32> x)",
            0,
            loop(
                "@TrainingLoop",
                "  @Loss Operand<TFloat32> loss(Ops tf, @Feature Operand<TFloat32> x) {"
                    + " return x; }",
                STEP)),
        error(
            "no loss",
            Message.MISSING_LOSS,
            "Broken declares no @Loss method; add one that returns a scalar Operand<TFloat32>,"
                + " such as Losses.sparseCategoricalCrossentropy(tf, logits, label)",
            0,
            loop("@TrainingLoop", MODEL, STEP)),
        error(
            "no step",
            Message.MISSING_STEP,
            "Broken declares no @Step method; add an empty one such as"
                + " @Step(optimizer = Optimizer.ADAM) void train() {}",
            0,
            loop("@TrainingLoop", MODEL, LOSS)),
        error(
            "no feature",
            Message.MISSING_FEATURE,
            "Broken declares no @Feature input, the data its model sees; add one to logits(), such"
                + " as Operand<TFloat32> logits(Layers nn, @Feature(shape = {...}) Operand<TFloat32>"
                + " x)",
            0,
            loop(
                "@TrainingLoop",
                "  @Model Operand<TFloat32> logits(Layers nn) { return nn.dense(null, 3); }",
                LOSS,
                STEP)),
        error(
            "no model takes Layers",
            Message.NOTHING_TO_TRAIN,
            "a loop needs trainable variables, which only @Model methods taking Layers create;"
                + " none of [logits()] takes Layers; add a Layers parameter and build the layers"
                + " with it",
            0,
            loop(
                "@TrainingLoop",
                MODEL.replace("Layers nn", "Ops tf").replace("nn.dense(x, 3)", "x"),
                LOSS,
                STEP)),
        error(
            "a metric listed twice",
            Message.METRIC_DUPLICATE,
            "@TrainingLoop(metrics) must list each metric once; ACCURACY is listed again",
            0,
            loop("@TrainingLoop(metrics = {Metric.ACCURACY, Metric.ACCURACY})", MODEL, LOSS, STEP)),
        error(
            "a metric without labels",
            Message.METRIC_NEEDS_LABEL,
            "@TrainingLoop(metrics) are computed against the first @Label, but Broken declares"
                + " none; add a @Label parameter to the @Loss method or remove the metric",
            0,
            loop(
                "@TrainingLoop(metrics = Metric.ACCURACY)",
                MODEL,
                "  @Loss Operand<TFloat32> loss(Ops tf, Operand<TFloat32> logits) {"
                    + " return tf.math.mean(logits, tf.constant(0)); }",
                STEP)),
        error(
            "sparse accuracy on float labels",
            Message.METRIC_LABEL_TYPE,
            "SPARSE_CATEGORICAL_ACCURACY needs integer class (Operand<TInt32>) labels; the first"
                + " @Label, y, is Operand<TFloat32>",
            0,
            loop(
                "@TrainingLoop(metrics = Metric.SPARSE_CATEGORICAL_ACCURACY)",
                MODEL,
                "  @Loss Operand<TFloat32> loss(Ops tf, Operand<TFloat32> logits,"
                    + " @Label(shape = {3}) Operand<TFloat32> y) {"
                    + " return Losses.meanSquaredError(tf, logits, y); }",
                STEP)),
        error(
            "an error metric on class labels",
            Message.METRIC_LABEL_TYPE,
            "MAE needs float (Operand<TFloat32>) labels; the first @Label, y, is Operand<TInt32>",
            0,
            loop("@TrainingLoop(metrics = Metric.MAE)", MODEL, LOSS, STEP)),
        error(
            "accuracy on vector class labels",
            Message.METRIC_LABEL_SHAPE,
            "ACCURACY needs a label of shape {} (one class index per example); the first @Label,"
                + " y, has shape {3}",
            0,
            loop(
                "@TrainingLoop(metrics = Metric.ACCURACY)",
                MODEL,
                LOSS.replace("@Label Operand", "@Label(shape = {3}) Operand"),
                STEP)),
        error(
            "a binary metric on vector labels",
            Message.METRIC_LABEL_SHAPE,
            "AUC needs a label of shape {} or {1} (one 0/1 value per example); the first @Label,"
                + " y, has shape {3}",
            0,
            loop(
                "@TrainingLoop(metrics = Metric.AUC)",
                MODEL,
                "  @Loss Operand<TFloat32> loss(Ops tf, Operand<TFloat32> logits,"
                    + " @Label(shape = {3}) Operand<TFloat32> y) {"
                    + " return Losses.meanSquaredError(tf, logits, y); }",
                STEP)),
        error(
            "a loss named like a metric",
            Message.RESULT_NAME_CONFLICT,
            "losses and metrics are reported by name, so a @Loss must not be named like a metric;"
                + " @Loss accuracy() collides with metric ACCURACY (reported as \"accuracy\");"
                + " rename the method",
            3,
            loop(
                "@TrainingLoop(metrics = Metric.ACCURACY)",
                MODEL,
                LOSS.replace(" loss(", " accuracy("),
                STEP)),

        // Annotations in the wrong place
        error(
            "@Model outside a loop class",
            Message.ORPHAN_ANNOTATION,
            "@Model methods must be declared in a class annotated @TrainingLoop; annotate Broken"
                + " with @TrainingLoop",
            1,
            "class Broken {",
            MODEL,
            "}"),
        error(
            "@Model inherited from an abstract base class",
            Message.ORPHAN_ANNOTATION,
            "@Model methods must be declared in a class annotated @TrainingLoop; Base is a"
                + " supertype of Broken, and a loop takes only the methods its own class declares;"
                + " declare logits() in Broken",
            1,
            "abstract class Base {",
            MODEL,
            "}",
            "@TrainingLoop",
            "class Broken extends Base {",
            LOSS,
            STEP,
            "}"),
        error(
            "@Feature on a plain method",
            Message.ORPHAN_INPUT,
            "@Feature belongs on a parameter of a @Model or @Loss method; helper() is neither",
            5,
            loop(
                "@TrainingLoop",
                MODEL,
                LOSS,
                STEP,
                "  void helper(@Feature Operand<TFloat32> x) {}")),
        error(
            "@Label on a constructor",
            Message.ORPHAN_INPUT,
            "@Label belongs on a parameter of a @Model or @Loss method; the constructor of Broken"
                + " is neither",
            5,
            loop("@TrainingLoop", MODEL, LOSS, STEP, "  Broken(@Label Operand<TInt32> y) {}")),
        error(
            "@Model and @Loss on one method",
            Message.DUPLICATE_ROLE,
            "a method can carry only one of @Model, @Loss and @Step; logits() is already @Model",
            2,
            loop("@TrainingLoop", MODEL.replace("@Model", "@Model @Loss"), LOSS, STEP)),

        // Every tfloop method
        error(
            "two @Model methods of one name",
            Message.DUPLICATE_NAME,
            "@Model methods are identified by their name, which must be unique among them;"
                + " another @Model method is named logits; rename one of them",
            3,
            loop(
                "@TrainingLoop",
                MODEL,
                "  @Model Operand<TFloat32> logits(Layers nn, @Feature(shape = {4})"
                    + " Operand<TFloat32> x, Ops tf) { return x; }",
                LOSS,
                STEP)),
        error(
            "a private method",
            Message.METHOD_PRIVATE,
            "@Model methods must not be private; the generated BrokenLoop calls logits()",
            2,
            loop(
                "@TrainingLoop",
                MODEL.replace("@Model Operand", "@Model private Operand"),
                LOSS,
                STEP)),
        error(
            "a static method",
            Message.METHOD_STATIC,
            "@Loss methods must not be static; the generated loop calls loss() on the instance it"
                + " is given",
            3,
            loop(
                "@TrainingLoop",
                MODEL,
                LOSS.replace("@Loss Operand", "@Loss static Operand"),
                STEP)),
        error(
            "an abstract method",
            Message.METHOD_ABSTRACT,
            "@Step methods must have a body; train() is abstract",
            4,
            "@TrainingLoop",
            "class Broken {",
            MODEL,
            LOSS,
            "  @Step abstract void train();",
            "}"),
        error(
            "a generic method",
            Message.METHOD_GENERIC,
            "@Model methods must not be generic: the loop decides their types from the"
                + " declaration; logits() declares type parameters <T>",
            2,
            loop(
                "@TrainingLoop",
                MODEL.replace("@Model Operand", "@Model <T> Operand"),
                LOSS,
                STEP)),
        error(
            "a checked exception",
            Message.METHOD_THROWS,
            "@Model methods must not declare checked exceptions: the generated create() calls"
                + " them without a throws clause; logits() declares IOException; catch it inside"
                + " the method",
            2,
            loop(
                "@TrainingLoop",
                MODEL.replace(") {", ") throws java.io.IOException, IllegalStateException {"),
                LOSS,
                STEP)),

        // @Model and @Loss signatures
        error(
            "a model returning integers",
            Message.MODEL_RETURN_TYPE,
            "@Model methods must return Operand<TFloat32> or Operand<TFloat64>; found"
                + " Operand<TInt32>",
            2,
            loop(
                "@TrainingLoop",
                "  @Model Operand<TInt32> logits(Ops tf, Layers nn, @Feature Operand<TInt32> x)"
                    + " { return x; }",
                LOSS,
                STEP)),
        error(
            "a loss returning float",
            Message.LOSS_RETURN_TYPE,
            "@Loss methods must return Operand<TFloat32> or Operand<TFloat64>; found float",
            3,
            loop(
                "@TrainingLoop",
                MODEL,
                "  @Loss float loss(Operand<TFloat32> logits, @Label Operand<TInt32> y) {"
                    + " return 0f; }",
                STEP)),
        error(
            "an int parameter",
            Message.PARAMETER_TYPE,
            "@Model parameters must be Layers, Ops, a @Feature Operand<T> or, for a function model,"
                + " one un-annotated Operand<T>; found int units",
            2,
            loop(
                "@TrainingLoop", MODEL.replace("Layers nn,", "Layers nn, int units,"), LOSS, STEP)),
        error(
            "a function model that takes a feature",
            Message.FUNCTION_MODEL_INPUTS,
            "a @Model taking an un-annotated Operand is a function model, applied by losses to the"
                + " input they choose, and takes only that input besides Layers and Ops; logits()"
                + " also takes @Feature x; if the loop feeds extra, annotate it @Feature",
            2,
            loop(
                "@TrainingLoop",
                MODEL.replace("Layers nn,", "Layers nn, Operand<TFloat32> extra,"),
                LOSS,
                STEP)),
        error(
            "a function model with two inputs",
            Message.FUNCTION_MODEL_INPUTS,
            "a @Model taking an un-annotated Operand is a function model, applied by losses to the"
                + " input they choose, and takes only that input besides Layers and Ops; critic()"
                + " also takes a second input, other; if the loop feeds other, annotate it @Feature",
            3,
            loop(
                "@TrainingLoop",
                MODEL,
                "  @Model Operand<TFloat32> critic(Layers nn, Operand<TFloat32> sample,"
                    + " Operand<TFloat32> other) { return nn.dense(sample, 1); }",
                LOSS.replace(
                    "Operand<TFloat32> logits",
                    "Operand<TFloat32> logits," + " Network<TFloat32> critic"),
                STEP)),
        error(
            "a function model that changes the type",
            Message.FUNCTION_MODEL_TYPE,
            "a function @Model returns the type it takes (Network<T> maps Operand<T> to"
                + " Operand<T>); critic() takes Operand<TFloat64> and returns Operand<TFloat32>",
            3,
            loop(
                "@TrainingLoop",
                MODEL,
                "  @Model Operand<TFloat32> critic(Layers nn, Operand<TFloat64> sample) {"
                    + " return null; }",
                LOSS.replace(
                    "Operand<TFloat32> logits",
                    "Operand<TFloat32> logits," + " Network<TFloat32> critic"),
                STEP)),
        error(
            "only function models",
            Message.FEATURE_MODEL_MISSING,
            "a loop needs a @Model it calls on its @Feature inputs, whose output predict()"
                + " returns; every @Model of Broken takes an un-annotated Operand ([logits()]) and"
                + " so is a function model, which losses apply; annotate x of logits() @Feature if"
                + " the loop feeds it",
            2,
            loop("@TrainingLoop", MODEL.replace("@Feature(shape = {4}) ", ""), LOSS, STEP)),
        error(
            "the output of a function model",
            Message.OUTPUT_OF_FUNCTION_MODEL,
            "@Model critic() takes the un-annotated Operand sample, so it is a function model with"
                + " no output of its own: a @Loss applies it through a Network<TFloat32>"
                + " parameter; declare critic as Network<TFloat32>, or annotate sample @Feature if"
                + " the loop feeds it",
            5,
            loop(
                "@TrainingLoop",
                MODEL,
                CRITIC,
                LOSS,
                "  @Loss Operand<TFloat32> other(Ops tf, Operand<TFloat32> critic) {"
                    + " return tf.math.mean(critic, tf.constant(0)); }",
                "  @Step(loss = \"loss\") void train() {}")),
        error(
            "a network named after no function model",
            Message.NETWORK_UNKNOWN,
            "a Network<T> parameter of a @Loss applies a function @Model and is named after it;"
                + " critc matches none of [critic, critic2]; did you mean \"critic\"?",
            6,
            loop(
                "@TrainingLoop",
                MODEL,
                CRITIC,
                CRITIC.replace("critic(", "critic2("),
                LOSS.replace(
                    "Operand<TFloat32> logits",
                    "Operand<TFloat32> logits,"
                        + " Network<TFloat32> critic, Network<TFloat32> critic2"),
                "  @Loss Operand<TFloat32> other(Ops tf, Network<TFloat32> critc,"
                    + " Operand<TFloat32> logits) { return tf.math.mean(critc.apply(logits),"
                    + " tf.constant(0)); }",
                "  @Step(loss = \"loss\") void train() {}")),
        error(
            "a network of the wrong type",
            Message.NETWORK_TYPE,
            "@Loss parameter critic is Network<TFloat64> but function @Model critic() maps"
                + " Operand<TFloat32>; declare it Network<TFloat32>",
            4,
            loop(
                "@TrainingLoop",
                MODEL,
                CRITIC,
                LOSS.replace(
                    "Operand<TFloat32> logits",
                    "Operand<TFloat32> logits," + " Network<TFloat64> critic"),
                STEP)),
        error(
            "a label in a model",
            Message.LABEL_IN_MODEL,
            "@Model methods take features, not labels: prediction has no labels to feed; move"
                + " @Label y to a @Loss method",
            2,
            loop(
                "@TrainingLoop",
                MODEL.replace("Layers nn,", "Layers nn, @Label Operand<TInt32> y,"),
                LOSS.replace("@Label Operand<TInt32> y", "@Label Operand<TInt32> label")
                    .replace("logits, y)", "logits, label)"),
                STEP)),
        error(
            "Layers in a loss",
            Message.LAYERS_IN_LOSS,
            "@Loss methods must not take Layers: variables belong to @Model methods; take Ops"
                + " instead",
            3,
            loop("@TrainingLoop", MODEL, LOSS.replace("(Ops tf,", "(Ops tf, Layers nn,"), STEP)),
        error(
            "an output named after no model",
            Message.OUTPUT_UNKNOWN,
            "an un-annotated Operand parameter of a @Loss method is a model output and must be"
                + " named after a @Model method when there are several; logit matches none of"
                + " [logits, other]; did you mean \"logits\"?",
            4,
            loop(
                "@TrainingLoop",
                MODEL,
                MODEL.replace("logits(", "other("),
                LOSS.replace("logits", "logit"),
                STEP)),
        error(
            "an output of the wrong type",
            Message.OUTPUT_TYPE,
            "@Loss parameter logits is Operand<TFloat64> but @Model logits() returns"
                + " Operand<TFloat32>; declare it Operand<TFloat32>",
            3,
            loop(
                "@TrainingLoop",
                MODEL,
                "  @Loss Operand<TFloat64> loss(Ops tf, Operand<TFloat64> logits,"
                    + " @Label Operand<TInt32> y) { return Losses.sparseCategoricalCrossentropy(tf,"
                    + " logits, y); }",
                STEP)),

        // @Feature and @Label
        error(
            "a forgotten @Label, of another type than the output",
            Message.UNANNOTATED_INPUT,
            "an un-annotated Operand parameter of a @Loss is a model output; loss() takes the"
                + " output of logits() as logits already, and y is Operand<TInt32>, which"
                + " logits() does not return; if the loop feeds y, annotate it @Label",
            3,
            loop("@TrainingLoop", MODEL, LOSS.replace("@Label ", ""), STEP)),
        error(
            "a feature and a label at once",
            Message.INPUT_BOTH_ROLES,
            "a parameter is either a @Feature or a @Label, not both; y is both",
            3,
            loop("@TrainingLoop", MODEL, LOSS.replace("@Label", "@Feature @Label"), STEP)),
        error(
            "a feature that is an array",
            Message.INPUT_TYPE,
            "@Feature parameters must be Operand<TFloat32>, Operand<TFloat64>, Operand<TInt32> or"
                + " Operand<TInt64>; found float[]",
            2,
            loop(
                "@TrainingLoop",
                MODEL.replace("Layers nn,", "Layers nn, @Feature float[] pixels,"),
                LOSS,
                STEP)),
        error(
            "a negative dimension",
            Message.INPUT_SHAPE,
            "@Feature(shape) dimensions must be positive; found -1 in [4, -1]",
            2,
            loop("@TrainingLoop", MODEL.replace("{4}", "{4, -1}"), LOSS, STEP)),
        error(
            "a zero dimension",
            Message.INPUT_SHAPE,
            "@Label(shape) dimensions must be positive; found 0 in [0]",
            3,
            loop(
                "@TrainingLoop",
                MODEL,
                LOSS.replace("@Label Operand", "@Label(shape = 0) Operand"),
                STEP)),
        error(
            "an example too large",
            Message.INPUT_SIZE,
            "@Feature(shape) must describe at most 2147483647 values per example; [65536, 65536]"
                + " holds 4294967296",
            2,
            loop("@TrainingLoop", MODEL.replace("{4}", "{65536, 65536}"), LOSS, STEP)),
        error(
            "a name with a space",
            Message.INPUT_NAME,
            "@Feature(name) must be a valid Java identifier; found \"pixel values\"",
            2,
            loop(
                "@TrainingLoop",
                MODEL.replace(
                    "@Feature(shape = {4})", "@Feature(shape = {4}, name = \"pixel values\")"),
                LOSS,
                STEP)),
        error(
            "two shapes for one input",
            Message.INPUT_CONFLICT,
            "input 'x' is declared as @Feature FLOAT32 [5] here but as @Feature FLOAT32 [4] in"
                + " logits(); every declaration of an input must agree",
            3,
            loop(
                "@TrainingLoop",
                MODEL,
                LOSS.replace("(Ops tf,", "(Ops tf, @Feature(shape = {5}) Operand<TFloat32> x,"),
                STEP)),
        error(
            "a label of another shape than the standard loss's",
            Message.INPUT_CONFLICT,
            "input 'label' is declared as @Label FLOAT32 [2] here but as @Label FLOAT32 [1] in"
                + " @StandardLoss; every declaration of an input must agree",
            3,
            loop(
                "@TrainingLoop"
                    + " @StandardLoss(value = LossFunction.MEAN_SQUARED_ERROR, labelShape = 1)",
                MODEL,
                REGRESSION_PENALTY.replace("shape = 1", "shape = 2"),
                "  @Step(loss = \"loss\") void train() {}",
                "  @Step(loss = \"penalty\") void regularise() {}")),

        // @Step
        error(
            "a step with parameters",
            Message.STEP_SIGNATURE,
            "@Step methods must be void and take no parameters: they only declare a step; found"
                + " int train(int epochs)",
            4,
            loop("@TrainingLoop", MODEL, LOSS, "  @Step int train(int epochs) { return 0; }")),
        error(
            "a step with a body",
            Message.STEP_BODY,
            "@Step methods only declare a step, and the loop never calls them, so their body"
                + " stays empty; train() holds statements; move them to a @Model or @Loss method"
                + " (run once, as the graph is built) or to a TrainingListener (run as training"
                + " goes)",
            4,
            loop(
                "@TrainingLoop",
                MODEL,
                LOSS,
                "  @Step void train() { System.out.println(\"x\"); }")),
        error(
            "two losses, no choice",
            Message.STEP_LOSS_AMBIGUOUS,
            "@Step(loss) must name the loss to minimise when there are several; choose one of"
                + " [loss, other]",
            5,
            loop("@TrainingLoop", MODEL, LOSS, LOSS.replace(" loss(", " other("), STEP)),
        error(
            "a misspelt loss",
            Message.STEP_LOSS_UNKNOWN,
            "@Step(loss) must name a @Loss method; \"los\" is none of [loss]; did you mean"
                + " \"loss\"?",
            4,
            loop("@TrainingLoop", MODEL, LOSS, "  @Step(loss = \"los\") void train() {}")),
        error(
            "a misspelt variable group",
            Message.STEP_VARIABLES_UNKNOWN,
            "@Step(variables) must name @Model methods; \"logit\" is none of [logits]; did you"
                + " mean \"logits\"?",
            4,
            loop("@TrainingLoop", MODEL, LOSS, "  @Step(variables = \"logit\") void train() {}")),
        error(
            "a step that trains nothing",
            Message.STEP_TRAINS_NOTHING,
            "a @Step must train variables its loss depends on; loss() depends only on the"
                + " variables of [logits], and train() trains those of [other]; add logits to"
                + " @Step(variables)",
            5,
            loop(
                "@TrainingLoop",
                MODEL,
                MODEL.replace("logits(", "other("),
                LOSS,
                "  @Step(variables = \"other\") void train() {}")),
        error(
            "a zero learning rate",
            Message.STEP_LEARNING_RATE,
            "@Step(learningRate) must be positive and finite; found 0.0",
            4,
            loop("@TrainingLoop", MODEL, LOSS, "  @Step(learningRate = 0) void train() {}")),
        error(
            "a misspelt optimizer parameter",
            Message.OPTIMIZER_PARAMETER,
            "@Step(params) entries are name=value with a name ADAM takes (beta1, beta2, epsilon);"
                + " found \"beta3=0.9\"; did you mean \"beta1\"?",
            4,
            loop(
                "@TrainingLoop",
                MODEL,
                LOSS,
                "  @Step(optimizer = Optimizer.ADAM, params = \"beta3=0.9\") void train() {}")),
        error(
            "a parameter without a value",
            Message.OPTIMIZER_PARAMETER,
            "@Step(params) entries are name=value with a name MOMENTUM takes (momentum,"
                + " nesterov); found \"nesterov\"; the '=' and a value are missing",
            4,
            loop(
                "@TrainingLoop",
                MODEL,
                LOSS,
                "  @Step(optimizer = Optimizer.MOMENTUM, params = \"nesterov\") void train() {}")),
        error(
            "a parameter without '='",
            Message.OPTIMIZER_PARAMETER,
            "@Step(params) entries are name=value with a name ADAM takes (beta1, beta2, epsilon);"
                + " found \"epsilon 1e-8\"; the '=' is missing: write \"epsilon=1e-8\"",
            4,
            loop(
                "@TrainingLoop",
                MODEL,
                LOSS,
                "  @Step(params = \"epsilon 1e-8\") void train() {}")),
        error(
            "an optimizer parameter out of range",
            Message.OPTIMIZER_PARAMETER_VALUE,
            "ADAM's beta1 must be a number in [0, 1); found \"1.5\"",
            4,
            loop("@TrainingLoop", MODEL, LOSS, "  @Step(params = \"beta1=1.5\") void train() {}")),
        error(
            "a parameter set twice",
            Message.PARAMETER_REPEATED,
            "train() sets beta1 twice; keep one",
            4,
            loop(
                "@TrainingLoop",
                MODEL,
                LOSS,
                "  @Step(params = {\"beta1=0.8\", \"beta1=0.7\"}) void train() {}")),
        error(
            "a misspelt schedule parameter",
            Message.SCHEDULE_PARAMETER,
            "@Step(scheduleParams) entries are name=value with a name EXPONENTIAL_DECAY takes"
                + " (decaySteps, decayRate, staircase); found \"decayRte=0.5\"; did you mean"
                + " \"decayRate\"?",
            4,
            loop(
                "@TrainingLoop",
                MODEL,
                LOSS,
                "  @Step(schedule = Schedule.EXPONENTIAL_DECAY, scheduleParams = {"
                    + "\"decaySteps=100\", \"decayRte=0.5\", \"decayRate=0.5\"}) void train() {}")),
        error(
            "a schedule parameter out of range",
            Message.SCHEDULE_PARAMETER_VALUE,
            "EXPONENTIAL_DECAY's decaySteps must be a positive whole number; found \"-5\"",
            4,
            loop(
                "@TrainingLoop",
                MODEL,
                LOSS,
                "  @Step(schedule = Schedule.EXPONENTIAL_DECAY, scheduleParams = {"
                    + "\"decaySteps=-5\", \"decayRate=0.5\"}) void train() {}")),
        error(
            "piecewise rates that do not match the boundaries",
            Message.SCHEDULE_PARAMETER_VALUE,
            "PIECEWISE_CONSTANT's values must be one rate per boundary (2); found \"values=1e-4\"",
            4,
            loop(
                "@TrainingLoop",
                MODEL,
                LOSS,
                "  @Step(schedule = Schedule.PIECEWISE_CONSTANT, scheduleParams = {"
                    + "\"boundaries=100 200\", \"values=1e-4\"}) void train() {}")),
        error(
            "a schedule without its required parameter",
            Message.SCHEDULE_PARAMETER_MISSING,
            "COSINE_DECAY needs decaySteps in @Step(scheduleParams), such as"
                + " \"decaySteps=1000\"",
            4,
            loop(
                "@TrainingLoop",
                MODEL,
                LOSS,
                "  @Step(schedule = Schedule.COSINE_DECAY) void train() {}")),
        error(
            "two clipping modes",
            Message.CLIPPING_CONFLICT,
            "a @Step clips its gradients one way at most; clipNorm is set, and so is"
                + " clipGlobalNorm; keep one",
            4,
            loop(
                "@TrainingLoop",
                MODEL,
                LOSS,
                "  @Step(clipNorm = 1, clipGlobalNorm = 5) void train() {}")),
        error(
            "a negative clipping limit",
            Message.CLIPPING_VALUE,
            "@Step(clipValue) must be positive and finite, or 0 to leave it off; found -1.0",
            4,
            loop("@TrainingLoop", MODEL, LOSS, "  @Step(clipValue = -1) void train() {}")),
        error(
            "a step that never runs",
            Message.STEP_EVERY,
            "@Step(every) must be at least 1; found 0",
            5,
            loop("@TrainingLoop", MODEL, LOSS, STEP, "  @Step(every = 0) void again() {}")),
        error(
            "the only step never runs",
            Message.STEP_EVERY,
            "@Step(every) must be at least 1; found 0",
            4,
            loop("@TrainingLoop", MODEL, LOSS, "  @Step(every = 0) void train() {}")),
        error(
            "no step on every batch",
            Message.STEP_EVERY_NONE,
            "at least one @Step must run on every batch (every = 1): it counts batches and"
                + " updates the metrics; [train()] all run less often",
            4,
            loop("@TrainingLoop", MODEL, LOSS, "  @Step(every = 2) void train() {}")),

        // @StandardLoss
        error(
            "a standard loss named like a @Loss",
            Message.STANDARD_LOSS_NAME,
            "@StandardLoss(name) must be a Java identifier no @Loss method is named; found"
                + " \"loss\"",
            0,
            loop(
                "@TrainingLoop @StandardLoss(LossFunction.SPARSE_CATEGORICAL_CROSSENTROPY)",
                MODEL,
                LOSS,
                "  @Step(loss = \"loss\") void train() {}")),
        error(
            "a standard loss of an unknown model",
            Message.STANDARD_LOSS_MODEL,
            "@StandardLoss(model) must name a @Model the loop calls on its features; \"logit\""
                + " is none of [logits]; did you mean \"logits\"?",
            0,
            loop(
                "@TrainingLoop @StandardLoss(value ="
                    + " LossFunction.SPARSE_CATEGORICAL_CROSSENTROPY, model = \"logit\")",
                MODEL,
                STEP)),
        error(
            "a standard loss label that is no name",
            Message.STANDARD_LOSS_LABEL,
            "@StandardLoss(label) must be a valid Java identifier; found \"class\"",
            0,
            loop(
                "@TrainingLoop @StandardLoss(value ="
                    + " LossFunction.SPARSE_CATEGORICAL_CROSSENTROPY, label = \"class\")",
                MODEL,
                STEP)),
        error(
            "sparse labels with a shape",
            Message.STANDARD_LOSS_LABEL_SHAPE,
            "@StandardLoss(labelShape) must be {} for SPARSE_CATEGORICAL_CROSSENTROPY: each label"
                + " is one class index; found {1}",
            0,
            loop(
                "@TrainingLoop @StandardLoss(value ="
                    + " LossFunction.SPARSE_CATEGORICAL_CROSSENTROPY, labelShape = 1)",
                MODEL,
                STEP)),
        error(
            "a delta for a loss without one",
            Message.STANDARD_LOSS_DELTA,
            "@StandardLoss(delta) applies to HUBER only, not MEAN_SQUARED_ERROR; found 2.0",
            0,
            loop(
                "@TrainingLoop @StandardLoss(value = LossFunction.MEAN_SQUARED_ERROR,"
                    + " labelShape = 3, delta = 2)",
                MODEL,
                STEP)),
        error(
            "a standard loss outside a loop class",
            Message.ORPHAN_STANDARD_LOSS,
            "@StandardLoss declares a loss of a @TrainingLoop class; annotate Broken with"
                + " @TrainingLoop",
            0,
            "@StandardLoss(LossFunction.MEAN_SQUARED_ERROR)",
            "class Broken {}"),

        // Warnings: the loop is still generated
        error(
            "a forgotten @Label, of the output's type",
            Message.OUTPUT_TAKEN_TWICE,
            "loss() takes the output of logits() twice, as logits and as target: an un-annotated"
                + " Operand parameter of a @Loss is a model output; if the loop feeds target,"
                + " annotate it @Label",
            3,
            loop(
                "@TrainingLoop",
                MODEL,
                "  @Loss Operand<TFloat32> loss(Ops tf, Operand<TFloat32> logits,"
                    + " Operand<TFloat32> target) { return Losses.meanSquaredError(tf, logits,"
                    + " target); }",
                STEP)),
        error(
            "a group listed twice",
            Message.STEP_VARIABLES_REPEATED,
            "@Step(variables) lists \"logits\" more than once; remove the repetition",
            4,
            loop(
                "@TrainingLoop",
                MODEL,
                LOSS,
                "  @Step(variables = {\"logits\", \"logits\"}) void train() {}")),
        error(
            "a loss no step minimises",
            Message.UNUSED_LOSS,
            "@Loss other() is minimised by no @Step; it is still reported by evaluate()",
            4,
            loop(
                "@TrainingLoop",
                MODEL,
                LOSS,
                LOSS.replace(" loss(", " other("),
                "  @Step(loss = \"loss\") void train() {}")),
        error(
            "a model no loss takes",
            Message.UNUSED_MODEL,
            "@Model other() is used by no @Loss, so no step trains its variables; take its output"
                + " in a @Loss or remove it",
            3,
            loop("@TrainingLoop", MODEL, MODEL.replace("logits(", "other("), LOSS, STEP)),

        // The processor
        error(
            "a type that never resolves",
            Message.UNRESOLVED,
            "tfloop needs every type and constant of a loop's declarations to resolve; the return"
                + " type of logits() never did, so BrokenLoop was not generated; fix it and"
                + " compile again",
            2,
            loop(
                "@TrainingLoop",
                MODEL.replace("Operand<TFloat32> logits", "Operand<TFloat16> logits"),
                LOSS,
                STEP)));
  }

  /** A valid loop class {@code Valid} on lines 0 to 5, then {@code members} in class Broken. */
  private static String[] loopWith(String... members) {
    String[] valid = {"@TrainingLoop", "class Valid {", MODEL, LOSS, STEP, "}"};
    return concat(valid, concat(new String[] {"class Broken {"}, concat(members, "}")));
  }

  private static String[] concat(String[] first, String... second) {
    return Stream.concat(Stream.of(first), Stream.of(second)).toArray(String[]::new);
  }

  static Stream<Arguments> casesUnderEachCompiler() {
    return cases()
        .flatMap(
            diagnostic ->
                diagnostic.compilers().stream().map(with -> Arguments.of(diagnostic, with)));
  }

  @ParameterizedTest(name = "{0} ({1})")
  @MethodSource("casesUnderEachCompiler")
  void reportsTheDiagnosticOnItsLine(Case diagnostic, Reported.With with) {
    Reported.Outcome outcome =
        Reported.compile(
            with,
            Map.of("example/Broken.java", Sources.text(diagnostic.body().toArray(String[]::new))));
    boolean warning = diagnostic.message().kind() == Diagnostic.Kind.WARNING;
    String where =
        diagnostic.message().id()
            + "@Broken.java:"
            + diagnostic.line()
            + (warning ? " (warning)" : "");
    assertEquals(List.of(where), outcome.tfloop(), outcome.all());
    assertEquals(
        List.of("[tfloop:" + diagnostic.message().id() + "] " + diagnostic.text()),
        outcome.messages());
    if (warning) {
      assertEquals(
          Set.of("example/BrokenLoop.java"),
          outcome.generated(),
          "a warning does not stop generation");
    } else {
      Set<String> generated = new java.util.TreeSet<>(outcome.generated());
      generated.remove("example/ValidLoop.java");
      assertEquals(Set.of(), generated, "nothing is generated for the broken class");
    }
  }

  /**
   * Two classes asking for one loop class: both are reported, each naming the other, whichever the
   * compiler processes first.
   */
  @ParameterizedTest
  @EnumSource(Reported.With.class)
  void twoClassesAskingForOneLoopAreBothReported(Reported.With with) {
    String[] other = loop("@TrainingLoop(name = \"SharedLoop\")", MODEL, LOSS, STEP);
    other[1] = "class Other {";
    Reported.Outcome outcome =
        Reported.compile(
            with,
            Map.of(
                "example/Broken.java",
                Sources.text(loop("@TrainingLoop(name = \"SharedLoop\")", MODEL, LOSS, STEP)),
                "example/Other.java",
                Sources.text(other)));
    assertEquals(
        List.of("LoopNameTaken@Broken.java:0", "LoopNameTaken@Other.java:0"),
        outcome.tfloop().stream().sorted().toList(),
        outcome.all());
    String text =
        "[tfloop:LoopNameTaken] the generated loop class must not clash with another type;"
            + " example.SharedLoop is also the loop of example.%s; give one of them another"
            + " @TrainingLoop(name)";
    assertEquals(
        List.of(String.format(text, "Broken"), String.format(text, "Other")),
        outcome.messages().stream().sorted().toList());
    assertEquals(Set.of(), outcome.generated());
  }

  /**
   * Deprecated classes and methods: the generated code that names and calls them suppresses exactly
   * the warnings they cause, so it compiles under {@code -Werror} with javac and without warnings
   * with ECJ, whatever the user's class carries.
   */
  private static final Map<String, String> DEPRECATED =
      Map.of(
          "example/Old.java",
          Sources.text(
              "@Deprecated",
              "@TrainingLoop",
              "class Old {",
              "  @Deprecated",
              MODEL,
              "  @Deprecated(forRemoval = true)",
              LOSS,
              "  @Deprecated @SuppressWarnings(\"all\")",
              STEP,
              "}"),
          "example/Fresh.java",
          Sources.text(
              "@TrainingLoop",
              "class Fresh {",
              "  @Deprecated(forRemoval = true)",
              MODEL,
              LOSS,
              STEP,
              "}"),
          "example/Outer.java",
          Sources.text(
              "@Deprecated",
              "class Outer {",
              "  @TrainingLoop",
              "  static class Inner {",
              MODEL,
              LOSS,
              STEP,
              "  }",
              "}"));

  @Test
  void deprecatedClassesAndMethodsCompileWithEveryLintWarningAsAnError() throws IOException {
    List<JavaFileObject> files =
        DEPRECATED.entrySet().stream()
            .map(
                entry ->
                    JavaFileObjects.forSourceString(
                        entry.getKey().replace(".java", "").replace('/', '.'), entry.getValue()))
            .toList();
    Compilation compilation =
        Compiler.javac()
            .withProcessors(new TfloopProcessor())
            .withOptions("-Xlint:all", "-Werror")
            .compile(files);
    assertThat(compilation).succeededWithoutWarnings();
    Map<String, String> generated = CompilersTest.generated(compilation);
    // create(definition) names the class; create(definition, options) also calls its methods
    assertEquals(
        1,
        count(
            generated.get("example/OldLoop.java"),
            "@SuppressWarnings({\"deprecation\", \"removal\"})"));
    assertEquals(
        1, count(generated.get("example/OldLoop.java"), "@SuppressWarnings(\"deprecation\")"));
    assertEquals(2, count(generated.get("example/OldLoop.java"), "@SuppressWarnings("));
    assertEquals(
        1, count(generated.get("example/FreshLoop.java"), "@SuppressWarnings(\"removal\")"));
    assertEquals(1, count(generated.get("example/FreshLoop.java"), "@SuppressWarnings("));
    assertEquals(
        2,
        count(generated.get("example/Outer_InnerLoop.java"), "@SuppressWarnings(\"deprecation\")"));

    Ecj.Result ecj = Ecj.compile(DEPRECATED);
    assertTrue(ecj.success(), ecj.describe());
    assertEquals(generated, ecj.generated());
    List<String> aboutGeneratedCode =
        ecj.diagnostics().stream()
            .filter(diagnostic -> diagnostic.getKind() != Diagnostic.Kind.NOTE)
            .filter(
                diagnostic ->
                    diagnostic.getSource() != null
                        && diagnostic.getSource().getName().contains("generated"))
            .map(diagnostic -> diagnostic.getMessage(null))
            .toList();
    assertEquals(List.of(), aboutGeneratedCode, ecj.describe());
  }

  private static int count(String text, String part) {
    int count = 0;
    for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
      count++;
    }
    return count;
  }

  @Test
  void everyMessageHasACase() {
    Set<Message> covered = cases().map(Case::message).collect(Collectors.toSet());
    covered.addAll(TESTED_ELSEWHERE);
    Set<Message> missing = EnumSet.allOf(Message.class);
    missing.removeAll(covered);
    assertEquals(Set.of(), missing, "messages without a test case");
  }

  @Test
  void aLabelThatAgreesWithTheStandardLossIsTheSameInput() {
    JavaFileObject source =
        Sources.source(
            "Regression",
            concat(
                new String[] {
                  "@TrainingLoop @StandardLoss(value = LossFunction.MEAN_SQUARED_ERROR, labelShape = 1)",
                  "class Regression {"
                },
                MODEL,
                REGRESSION_PENALTY,
                "  @Step(loss = \"loss\") void train() {}",
                "  @Step(loss = \"penalty\") void regularise() {}",
                "}"));
    Compilation compilation = Sources.compile(source);
    assertThat(compilation).succeededWithoutWarnings();
    assertTrue(compilation.generatedSourceFile("example.RegressionLoop").isPresent());
  }

  @Test
  void everyErrorOfAClassIsReportedInOneCompile() {
    JavaFileObject source =
        Sources.source(
            "Broken",
            loop(
                "@TrainingLoop(batchSize = 0)",
                MODEL.replace("@Model Operand", "@Model private Operand"),
                "  @Loss float loss(Operand<TFloat32> logits, @Label Operand<TInt32> y) { return 0f; }",
                "  @Step(loss = \"los\") void train() {}"));
    Compilation compilation = Sources.compile(source);
    assertThat(compilation).hadErrorCount(4);
    assertThat(compilation)
        .hadErrorContaining("[tfloop:BatchSize]")
        .inFile(source)
        .onLine(FIRST_LINE);
    assertThat(compilation)
        .hadErrorContaining("[tfloop:MethodPrivate]")
        .inFile(source)
        .onLine(FIRST_LINE + 2);
    assertThat(compilation)
        .hadErrorContaining("[tfloop:LossReturnType]")
        .inFile(source)
        .onLine(FIRST_LINE + 3);
    assertThat(compilation)
        .hadErrorContaining("[tfloop:StepLossUnknown]")
        .inFile(source)
        .onLine(FIRST_LINE + 4);
  }
}
