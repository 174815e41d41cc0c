package io.github.tfloop.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static io.github.tfloop.processor.Sources.FIRST_LINE;
import static io.github.tfloop.processor.Sources.source;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.testing.compile.Compilation;
import java.util.List;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * Each misuse is a compile error with its id, on the line of the offending element, and nothing is
 * generated for the class.
 */
class ErrorsTest {

  private static final String MODEL =
      "  @Model Operand<TFloat32> logits(Layers nn, @Feature(shape = {4}) Operand<TFloat32> x) {"
          + " return nn.dense(x, 3); }";
  private static final String LOSS =
      "  @Loss Operand<TFloat32> loss(Ops tf, Operand<TFloat32> logits, @Label Operand<TInt32> y) {"
          + " return Losses.sparseCategoricalCrossentropy(tf, logits, y); }";
  private static final String STEP = "  @Step void train() {}";

  private static void assertError(
      JavaFileObject source, String message, int line) {
    Compilation compilation = Sources.compile(source);
    assertThat(compilation).failed();
    assertThat(compilation).hadErrorContaining(message).inFile(source).onLine(line);
    assertEquals(List.of(), Sources.generatedFiles(source), "nothing is generated");
  }

  @Test
  void noModel() {
    JavaFileObject source =
        source("Broken", "@TrainingLoop", "class Broken {", LOSS.replace("Operand<TFloat32> logits, ", ""), STEP, "}");
    assertError(source, "[tfloop:MissingModel] Broken declares no @Model method", FIRST_LINE);
  }

  @Test
  void noLoss() {
    JavaFileObject source = source("Broken", "@TrainingLoop", "class Broken {", MODEL, STEP, "}");
    assertError(source, "[tfloop:MissingLoss] Broken declares no @Loss method", FIRST_LINE);
  }

  @Test
  void noStep() {
    JavaFileObject source = source("Broken", "@TrainingLoop", "class Broken {", MODEL, LOSS, "}");
    assertError(source, "[tfloop:MissingStep] Broken declares no @Step method", FIRST_LINE);
  }

  @Test
  void lossReturningANonTensor() {
    JavaFileObject source =
        source(
            "Broken",
            "@TrainingLoop",
            "class Broken {",
            MODEL,
            "  @Loss float loss(Operand<TFloat32> logits, @Label Operand<TInt32> y) { return 0f; }",
            STEP,
            "}");
    assertError(
        source,
        "[tfloop:LossReturnType] @Loss methods must return Operand<TFloat32> or"
            + " Operand<TFloat64>; found float",
        FIRST_LINE + 3);
  }

  @Test
  void lossReturningAnIntegerTensor() {
    JavaFileObject source =
        source(
            "Broken",
            "@TrainingLoop",
            "class Broken {",
            MODEL,
            "  @Loss Operand<TInt32> loss(Operand<TFloat32> logits, @Label Operand<TInt32> y) {"
                + " return y; }",
            STEP,
            "}");
    assertError(source, "[tfloop:LossReturnType]", FIRST_LINE + 3);
    assertError(source, "found Operand<TInt32>", FIRST_LINE + 3);
  }

  @Test
  void privateModelMethod() {
    JavaFileObject source =
        source(
            "Broken",
            "@TrainingLoop",
            "class Broken {",
            MODEL.replace("@Model Operand", "@Model private Operand"),
            LOSS,
            STEP,
            "}");
    assertError(
        source,
        "[tfloop:MethodPrivate] @Model methods must not be private; the generated BrokenLoop"
            + " calls logits()",
        FIRST_LINE + 2);
  }

  @Test
  void privateStepMethod() {
    JavaFileObject source =
        source("Broken", "@TrainingLoop", "class Broken {", MODEL, LOSS, "  @Step private void train() {}", "}");
    assertError(source, "[tfloop:MethodPrivate] @Step methods must not be private", FIRST_LINE + 4);
  }

  @Test
  void everyErrorOfAClassIsReportedInOneCompile() {
    JavaFileObject source =
        source(
            "Broken",
            "@TrainingLoop(batchSize = 0)",
            "class Broken {",
            MODEL.replace("@Model Operand", "@Model private Operand"),
            "  @Loss float loss(Operand<TFloat32> logits, @Label Operand<TInt32> y) { return 0f; }",
            "  @Step(loss = \"los\") void train() {}",
            "}");
    Compilation compilation = Sources.compile(source);
    assertThat(compilation).hadErrorCount(4);
    assertThat(compilation).hadErrorContaining("[tfloop:BatchSize]").inFile(source).onLine(FIRST_LINE);
    assertThat(compilation).hadErrorContaining("[tfloop:MethodPrivate]").inFile(source).onLine(FIRST_LINE + 2);
    assertThat(compilation).hadErrorContaining("[tfloop:LossReturnType]").inFile(source).onLine(FIRST_LINE + 3);
    assertThat(compilation)
        .hadErrorContaining("[tfloop:StepLossUnknown] @Step(loss) must name a @Loss method; \"los\""
            + " is none of [loss]; did you mean \"loss\"?")
        .inFile(source)
        .onLine(FIRST_LINE + 4);
  }
}
