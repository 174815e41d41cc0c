package io.github.tfloop.processor;

import static io.github.tfloop.processor.DiagnosticsTest.CRITIC;
import static io.github.tfloop.processor.DiagnosticsTest.LOSS;
import static io.github.tfloop.processor.DiagnosticsTest.MODEL;
import static io.github.tfloop.processor.DiagnosticsTest.STEP;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Mistakes a newcomer makes, beyond the one case per diagnostic of {@link DiagnosticsTest}: each is
 * compiled under javac and under the Eclipse compiler, and must give exactly the diagnostics listed
 * (one mistake, one error), with the same id on the same line under both, and generate nothing for
 * a class in error. Together with {@code DiagnosticsTest}'s cases, which are held to the same rule,
 * they make the misuse suite; {@link #noMistakeRepeatsADiagnosticsCase} keeps the two apart.
 */
class MisuseTest {

  /**
   * One mistake: the files (the first is {@code example/Broken.java}, each after {@link
   * Sources#HEADER}), what must be reported under javac and under ECJ, {@code Id@File.java:line}
   * with the line counted from the first line after the header, and the loops still generated.
   */
  record Misuse(
      String name,
      List<String> javac,
      List<String> ecj,
      Map<String, String> sources,
      Set<String> generates) {
    @Override
    public String toString() {
      return name;
    }

    List<String> expected(Reported.With with) {
      return with == Reported.With.JAVAC ? javac : ecj;
    }

    /** The same mistake, reported otherwise by ECJ. */
    Misuse underEcj(String expected) {
      return new Misuse(
          name, javac, MisuseTest.expected(expected, "Broken.java"), sources, generates);
    }

    /** The same mistake, where the loop of a valid class is still generated. */
    Misuse generating(String path) {
      return new Misuse(name, javac, ecj, sources, Set.of(path));
    }
  }

  private static Misuse misuse(String name, String expected, String... body) {
    Map<String, String> sources = new LinkedHashMap<>();
    sources.put("example/Broken.java", Sources.text(body));
    List<String> reported = expected(expected, "Broken.java");
    return new Misuse(name, reported, reported, sources, Set.of());
  }

  /** Two files, Broken.java and Other.java. */
  private static Misuse misuse2(String name, String expected, String[] broken, String[] other) {
    Map<String, String> sources = new LinkedHashMap<>();
    sources.put("example/Broken.java", Sources.text(broken));
    sources.put("example/Other.java", Sources.text(other));
    List<String> reported = expected(expected, "Broken.java");
    return new Misuse(name, reported, reported, sources, Set.of());
  }

  /** {@code "A@1, B@Other.java:2"}: ids and lines, the file defaulting to {@code file}. */
  private static List<String> expected(String text, String file) {
    List<String> expected = new ArrayList<>();
    for (String entry : text.split(",\\s*")) {
      if (!entry.isBlank()) {
        expected.add(entry.contains(".java:") ? entry : entry.replace("@", "@" + file + ":"));
      }
    }
    return expected;
  }

  private static String[] loop(String annotation, String... members) {
    List<String> lines = new ArrayList<>();
    lines.add(annotation);
    lines.add("class Broken {");
    lines.addAll(List.of(members));
    lines.add("}");
    return lines.toArray(String[]::new);
  }

  static Stream<Misuse> misuses() {
    return Stream.of(
            classMistakes(),
            placementMistakes(),
            methodMistakes(),
            signatureMistakes(),
            inputMistakes(),
            stepMistakes(),
            standardLossMistakes(),
            unresolvedMistakes())
        .flatMap(stream -> stream);
  }

  private static Stream<Misuse> classMistakes() {
    return Stream.of(
        misuse("an interface", "LoopClassKind@0", "@TrainingLoop", "interface Broken {}"),
        misuse("an annotation type", "LoopClassKind@0", "@TrainingLoop", "@interface Broken {}"),
        misuse(
            "an abstract class with an abstract step",
            "LoopClassModifiers@1",
            "@TrainingLoop",
            "abstract class Broken {",
            MODEL,
            LOSS,
            "  @Step abstract void train();",
            "}"),
        misuse(
            "a loop name that is no identifier",
            "LoopName@0",
            loop("@TrainingLoop(name = \"broken-loop\")", MODEL, LOSS, STEP)),
        misuse(
            "a loop name equal to the class",
            "LoopName@0",
            loop("@TrainingLoop(name = \"Broken\")", MODEL, LOSS, STEP)),
        misuse(
            "a loop name taken by a class of the user",
            "LoopNameTaken@0",
            concat(loop("@TrainingLoop", MODEL, LOSS, STEP), "class BrokenLoop {}")),
        misuse2(
            "two classes asking for one loop name",
            "LoopNameTaken@0, LoopNameTaken@Other.java:0",
            loop("@TrainingLoop(name = \"SharedLoop\")", MODEL, LOSS, STEP),
            named("Other", "@TrainingLoop(name = \"SharedLoop\")", MODEL, LOSS, STEP)),
        misuse2(
            "a nested class and a top-level class with one flat name",
            "LoopNameTaken@1, LoopNameTaken@Other.java:0",
            new String[] {
              "class Broken {",
              "  @TrainingLoop",
              "  static class Inner {",
              MODEL,
              LOSS,
              STEP,
              "  }",
              "}"
            },
            named("Broken_Inner", "@TrainingLoop", MODEL, LOSS, STEP)),
        misuse("no model", "MissingModel@0", loop("@TrainingLoop", LOSS, STEP)),
        misuse(
                "a loop class that extends another loop class",
                "MissingModel@0",
                "@TrainingLoop",
                "class Broken extends Base {}",
                "@TrainingLoop",
                "class Base {",
                MODEL,
                LOSS,
                STEP,
                "}")
            .generating("example/BaseLoop.java"),
        misuse(
            "a loop name that is a keyword",
            "LoopName@0",
            loop("@TrainingLoop(name = \"class\")", MODEL, LOSS, STEP)),
        misuse(
            "a model without inputs",
            "MissingFeature@0",
            loop(
                "@TrainingLoop",
                "  @Model Operand<TFloat32> logits(Layers nn) { return null; }",
                LOSS,
                STEP)),
        misuse(
            "@Label instead of @Feature on the model input",
            "LabelInModel@2",
            loop("@TrainingLoop", MODEL.replace("@Feature(shape = {4})", "@Label"), LOSS, STEP)));
  }

  private static Stream<Misuse> placementMistakes() {
    return Stream.of(
        misuse(
                "@Model in a class nested in the loop class",
                "OrphanAnnotation@5",
                "@TrainingLoop",
                "class Broken {",
                MODEL,
                LOSS,
                STEP,
                "  static class Parts { " + MODEL.replace("logits(", "extra(").strip() + " }",
                "}")
            .generating("example/BrokenLoop.java"),
        misuse(
            "@Step in an interface",
            "OrphanAnnotation@1",
            "interface Broken {",
            "  @Step default void train() {}",
            "}"),
        misuse(
            "@Feature on a step",
            "StepSignature@4",
            loop(
                "@TrainingLoop",
                MODEL,
                LOSS,
                "  @Step void train(@Feature Operand<TFloat32> x) {}")),
        misuse(
            "@Model and @Step on one method",
            "DuplicateRole@4",
            loop("@TrainingLoop", MODEL, LOSS, "  @Step @Model void train() {}")));
  }

  private static Stream<Misuse> methodMistakes() {
    return Stream.of(
        misuse(
            "a model that throws a checked exception",
            "MethodThrows@2",
            loop(
                "@TrainingLoop",
                MODEL.replace(") {", ") throws java.io.IOException {"),
                LOSS,
                STEP)));
  }

  private static Stream<Misuse> signatureMistakes() {
    return Stream.of(
        misuse(
            "a model returning integers",
            "ModelReturnType@2",
            loop(
                "@TrainingLoop",
                "  @Model Operand<TInt32> logits(Layers nn, @Feature(shape = {4}) Operand<TFloat32>"
                    + " x) { return null; }",
                LOSS,
                STEP)),
        misuse(
            "a model returning void",
            "ModelReturnType@2",
            loop(
                "@TrainingLoop",
                "  @Model void logits(Layers nn, @Feature(shape = {4}) Operand<TFloat32> x) {}",
                LOSS,
                STEP)),
        misuse(
            "a model returning a raw Operand",
            "ModelReturnType@2",
            loop(
                "@TrainingLoop",
                "  @SuppressWarnings(\"rawtypes\") @Model Operand logits(Layers nn,"
                    + " @Feature(shape = {4}) Operand<TFloat32> x) { return null; }",
                LOSS,
                STEP)),
        misuse(
            "a loss returning float",
            "LossReturnType@3",
            loop(
                "@TrainingLoop",
                MODEL,
                "  @Loss float loss(Ops tf, Operand<TFloat32> logits, @Label Operand<TInt32> y) {"
                    + " return 0f; }",
                STEP)),
        misuse(
            "a loss returning integers",
            "LossReturnType@3",
            loop(
                "@TrainingLoop",
                MODEL,
                "  @Loss Operand<TInt32> loss(Ops tf, Operand<TFloat32> logits, @Label"
                    + " Operand<TInt32> y) { return y; }",
                STEP)),
        misuse(
            "a String parameter of a loss",
            "ParameterType@3",
            loop("@TrainingLoop", MODEL, LOSS.replace("(Ops tf,", "(Ops tf, String name,"), STEP)),
        misuse(
            "a raw Operand in a loss",
            "ParameterType@3",
            loop(
                "@TrainingLoop",
                MODEL,
                "  @SuppressWarnings({\"rawtypes\", \"unchecked\"}) @Loss Operand<TFloat32>"
                    + " loss(Ops tf, Operand logits, @Label Operand<TInt32> y) {"
                    + " return Losses.sparseCategoricalCrossentropy(tf, logits, y); }",
                STEP)),
        misuse(
            "a forgotten @Label with two models",
            "OutputUnknown@4",
            loop(
                "@TrainingLoop",
                MODEL,
                MODEL.replace("logits(", "other("),
                LOSS.replace("@Label ", ""),
                STEP,
                "  @Step(loss = \"loss\") void again() {}")),
        misuse(
            "an output of the wrong type",
            "OutputType@3",
            loop(
                "@TrainingLoop",
                MODEL,
                "  @Loss Operand<TFloat64> loss(Ops tf, Operand<TFloat64> logits,"
                    + " @Label Operand<TInt32> y) { return null; }",
                STEP)),
        misuse(
            "a function model that also takes a feature",
            "FunctionModelInputs@3",
            loop(
                "@TrainingLoop",
                MODEL,
                "  @Model Operand<TFloat32> critic(Layers nn, Operand<TFloat32> sample,"
                    + " @Feature(shape = {4}) Operand<TFloat32> x) { return null; }",
                LOSS.replace("(Ops tf,", "(Ops tf, Network<TFloat32> critic,"),
                STEP)),
        misuse(
            "a function model that changes the type",
            "FunctionModelType@3",
            loop(
                "@TrainingLoop",
                MODEL,
                "  @Model Operand<TFloat32> critic(Layers nn, Operand<TFloat64> sample) {"
                    + " return null; }",
                LOSS.replace("(Ops tf,", "(Ops tf, Network<TFloat32> critic,"),
                STEP)),
        misuse(
            "the output of a function model taken as an Operand",
            "OutputOfFunctionModel@4",
            loop(
                "@TrainingLoop",
                MODEL,
                CRITIC,
                LOSS.replace("@Label", "Operand<TFloat32> critic, @Label"),
                STEP)),
        misuse(
            "a network named after no function model",
            "NetworkUnknown@5",
            loop(
                "@TrainingLoop",
                MODEL,
                CRITIC,
                CRITIC.replace("critic(", "critic2("),
                LOSS.replace(
                    "(Ops tf,", "(Ops tf, Network<TFloat32> critc, Network<TFloat32> critic2,"),
                STEP)),
        misuse(
            "a network of the wrong type",
            "NetworkType@4",
            loop(
                "@TrainingLoop",
                MODEL,
                CRITIC,
                LOSS.replace("(Ops tf,", "(Ops tf, Network<TFloat64> critic,"),
                STEP)),
        misuse(
            "a function model no loss applies",
            "UnusedModel@3 (warning)",
            loop("@TrainingLoop", MODEL, CRITIC, LOSS, STEP)));
  }

  private static Stream<Misuse> inputMistakes() {
    return Stream.of(
        misuse(
            "a feature that is an array",
            "InputType@2",
            loop(
                "@TrainingLoop",
                MODEL
                    .replace("@Feature(shape = {4}) Operand<TFloat32> x", "@Feature float[] x")
                    .replace("nn.dense(x, 3)", "null"),
                LOSS,
                STEP)),
        misuse(
            "a feature of a type tfloop cannot feed",
            "InputType@2",
            loop(
                "@TrainingLoop",
                MODEL
                    .replace("Operand<TFloat32> x", "Operand<org.tensorflow.types.TString> x")
                    .replace("nn.dense(x, 3)", "null"),
                LOSS,
                STEP)),
        misuse(
            "a label of a wildcard type",
            "InputType@3",
            loop(
                "@TrainingLoop",
                MODEL,
                LOSS.replace("Operand<TInt32> y", "Operand<?> y")
                    .replace("logits, y)", "logits, null)"),
                STEP)),
        misuse(
            "an input named by a keyword",
            "InputName@3",
            loop(
                "@TrainingLoop",
                MODEL,
                LOSS.replace("@Label Operand", "@Label(name = \"class\") Operand"),
                STEP)),
        misuse(
            "two types for one input",
            "InputConflict@3",
            loop(
                "@TrainingLoop",
                MODEL,
                LOSS.replace("(Ops tf,", "(Ops tf, @Feature(shape = {4}) Operand<TFloat64> x,"),
                STEP)),
        misuse(
            "a feature and a label of one name",
            "InputConflict@3",
            loop(
                "@TrainingLoop",
                MODEL,
                LOSS.replace("@Label Operand<TInt32> y", "@Label(name = \"x\") Operand<TInt32> y"),
                STEP)));
  }

  private static Stream<Misuse> stepMistakes() {
    return Stream.of(
        misuse(
            "a step with a parameter",
            "StepSignature@4",
            loop("@TrainingLoop", MODEL, LOSS, "  @Step void train(int epochs) {}")),
        misuse(
            "a step returning a value",
            "StepSignature@4",
            loop("@TrainingLoop", MODEL, LOSS, "  @Step int train() { return 0; }")),
        misuse(
            "a step minimising a model",
            "StepLossUnknown@4",
            loop("@TrainingLoop", MODEL, LOSS, "  @Step(loss = \"logits\") void train() {}")),
        misuse(
            "variables of a loss",
            "StepVariablesUnknown@4",
            loop("@TrainingLoop", MODEL, LOSS, "  @Step(variables = \"loss\") void train() {}")),
        misuse(
            "a NaN learning rate",
            "StepLearningRate@4",
            loop(
                "@TrainingLoop",
                MODEL,
                LOSS,
                "  @Step(learningRate = Double.NaN) void train() {}")),
        misuse(
            "a misspelt optimizer parameter",
            "OptimizerParameter@4",
            loop("@TrainingLoop", MODEL, LOSS, "  @Step(params = \"beta3=0.9\") void train() {}")),
        misuse(
            "an optimizer parameter with ':'",
            "OptimizerParameter@4",
            loop(
                "@TrainingLoop",
                MODEL,
                LOSS,
                "  @Step(params = \"epsilon: 1e-8\") void train() {}")),
        misuse(
            "a parameter for SGD",
            "OptimizerParameter@4",
            loop(
                "@TrainingLoop",
                MODEL,
                LOSS,
                "  @Step(optimizer = Optimizer.SGD, params = \"momentum=0.9\") void train() {}")),
        misuse(
            "a boolean parameter that is no boolean",
            "OptimizerParameterValue@4",
            loop(
                "@TrainingLoop",
                MODEL,
                LOSS,
                "  @Step(optimizer = Optimizer.MOMENTUM, params = \"nesterov=yes\") void train() {}")),
        misuse(
            "a misspelt required schedule parameter",
            "ScheduleParameter@4",
            loop(
                "@TrainingLoop",
                MODEL,
                LOSS,
                "  @Step(schedule = Schedule.COSINE_DECAY, scheduleParams = \"decaySteeps=100\")"
                    + " void train() {}")),
        misuse(
            "schedule parameters for a constant rate",
            "ScheduleParameter@4",
            loop(
                "@TrainingLoop",
                MODEL,
                LOSS,
                "  @Step(scheduleParams = \"decaySteps=100\") void train() {}")),
        misuse(
            "a step whose body holds only comments",
            "",
            loop(
                "@TrainingLoop",
                MODEL,
                LOSS,
                "  @Step void train() { /* the loop runs it */ ; // nothing here",
                "  }")),
        misuse(
            "a private, static step",
            "",
            loop("@TrainingLoop", MODEL, LOSS, "  @Step private static void train() {}")),
        misuse(
            "a loss that takes no model output",
            "StepTrainsNothing@4",
            loop(
                "@TrainingLoop",
                MODEL,
                "  @Loss Operand<TFloat32> loss(Ops tf, @Label Operand<TFloat32> y) {"
                    + " return y; }",
                STEP)),
        misuse(
            "a network without function models",
            "NetworkUnknown@3",
            loop(
                "@TrainingLoop",
                MODEL,
                LOSS.replace("(Ops tf,", "(Ops tf, Network<TFloat32> critic,"),
                STEP)),
        misuse(
            "a parameter of another optimizer",
            "OptimizerParameter@4",
            loop(
                "@TrainingLoop",
                MODEL,
                LOSS,
                "  @Step(optimizer = Optimizer.SGD, params = \"momentum=0.9\") void train() {}")),
        misuse(
            "a negative step frequency",
            "StepEvery@4",
            loop("@TrainingLoop", MODEL, LOSS, "  @Step(every = -1) void train() {}")),
        misuse(
            "an infinite clipping limit",
            "ClippingValue@4",
            loop(
                "@TrainingLoop",
                MODEL,
                LOSS,
                "  @Step(clipValue = Double.POSITIVE_INFINITY) void train() {}")));
  }

  private static Stream<Misuse> standardLossMistakes() {
    String sparse = "@TrainingLoop @StandardLoss(LossFunction.SPARSE_CATEGORICAL_CROSSENTROPY)";
    return Stream.of(
        misuse(
            "a Huber loss without a threshold",
            "StandardLossDelta@0",
            loop(
                "@TrainingLoop @StandardLoss(value = LossFunction.HUBER, labelShape = 3, delta = 0)",
                MODEL,
                STEP)),
        misuse(
            "one-hot labels without a shape",
            "StandardLossLabelShape@0",
            loop(
                "@TrainingLoop @StandardLoss(LossFunction.CATEGORICAL_CROSSENTROPY)", MODEL, STEP)),
        misuse(
            "a standard loss of a function model",
            "StandardLossModel@0",
            loop(
                "@TrainingLoop @StandardLoss(value = LossFunction.MEAN_SQUARED_ERROR,"
                    + " labelShape = 1, model = \"critic\")",
                MODEL,
                CRITIC,
                STEP)),
        misuse(
            "a step minimising a misspelt standard loss",
            "StepLossUnknown@3",
            loop(sparse, MODEL, "  @Step(loss = \"los\") void train() {}")),
        misuse(
            "a standard loss and a label of another type",
            "InputConflict@3",
            loop(
                sparse,
                MODEL,
                "  @Loss Operand<TFloat32> penalty(Ops tf, Operand<TFloat32> logits,"
                    + " @Label Operand<TFloat32> label) { return null; }",
                "  @Step(loss = \"loss\") void train() {}",
                "  @Step(loss = \"penalty\") void again() {}")));
  }

  private static Stream<Misuse> unresolvedMistakes() {
    return Stream.of(
        misuse(
            "a loss taking a type that does not exist",
            "Unresolved@3",
            loop(
                "@TrainingLoop",
                MODEL,
                LOSS.replace("(Ops tf,", "(Ops tf, Missing helper,"),
                STEP)),
        // javac stops before the last round after an error of its own, which says it all
        misuse(
                "an optimizer that does not exist",
                "",
                loop(
                    "@TrainingLoop",
                    MODEL,
                    LOSS,
                    "  @Step(optimizer = Optimizer.ADAMW) void train() {}"))
            .underEcj("Unresolved@4"));
  }

  /** A loop class of another name, for a second file. */
  private static String[] named(String name, String annotation, String... members) {
    String[] lines = loop(annotation, members);
    lines[1] = "class " + name + " {";
    return lines;
  }

  private static String[] concat(String[] first, String... second) {
    return Stream.concat(Stream.of(first), Stream.of(second)).toArray(String[]::new);
  }

  static Stream<Arguments> cases() {
    return misuses()
        .flatMap(
            misuse -> Stream.of(Reported.With.values()).map(with -> Arguments.of(misuse, with)));
  }

  @Test
  void noMistakeRepeatsADiagnosticsCase() {
    Set<String> diagnosticsCases =
        DiagnosticsTest.cases()
            .map(diagnostic -> Sources.text(diagnostic.body().toArray(String[]::new)))
            .collect(Collectors.toSet());
    List<String> repeated =
        misuses()
            .filter(misuse -> misuse.sources().size() == 1)
            .filter(
                misuse -> diagnosticsCases.contains(misuse.sources().get("example/Broken.java")))
            .map(Misuse::name)
            .toList();
    assertEquals(List.of(), repeated);
  }

  @ParameterizedTest(name = "{0} ({1})")
  @MethodSource("cases")
  void reportsOneMistakeOnce(Misuse misuse, Reported.With with) {
    Reported.Outcome outcome = Reported.compile(with, misuse.sources());
    assertEquals(
        misuse.expected(with), outcome.tfloop(), misuse + " under " + with + ":\n" + outcome.all());
    if (misuse.expected(with).stream().anyMatch(expected -> !expected.endsWith("(warning)"))) {
      assertEquals(
          misuse.generates(), outcome.generated(), "nothing is generated for a class in error");
    }
  }
}
