package io.github.tfloop.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static io.github.tfloop.processor.DiagnosticsTest.LOSS;
import static io.github.tfloop.processor.DiagnosticsTest.MODEL;
import static io.github.tfloop.processor.DiagnosticsTest.STEP;
import static io.github.tfloop.processor.Sources.FIRST_LINE;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import java.io.IOException;
import java.util.Map;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * Classes that refer to types or constants another processor generates in the same compile wait for
 * the round in which they exist, and are then judged like any other.
 */
class RoundsTest {

  private static final String HYPER =
      "package example; public final class Hyper {"
          + " public static final int BATCH = 16;"
          + " public static final String LOSS = \"loss\";"
          + " public static final String MODEL = \"logits\";"
          + " private Hyper() {} }";
  private static final String WIDGET = "package example; public final class Widget {}";

  private static Compilation compileWith(Map<String, String> generated, JavaFileObject source) {
    return Compiler.javac()
        .withProcessors(new GeneratingProcessor(generated), new TfloopProcessor())
        .withOptions("-Xlint:all")
        .compile(source);
  }

  @Test
  void constantsGeneratedInTheFirstRoundAreUsedInTheNext() throws IOException {
    JavaFileObject source =
        Sources.source(
            "Deferred",
            "@TrainingLoop(batchSize = Hyper.BATCH)",
            "class Deferred {",
            MODEL,
            LOSS,
            "  @Step(loss = Hyper.LOSS, variables = Hyper.MODEL) void train() {}",
            "}");
    Compilation compilation = compileWith(Map.of("example.Hyper", HYPER), source);
    assertThat(compilation).succeededWithoutWarnings();
    String loop =
        compilation
            .generatedSourceFile("example.DeferredLoop")
            .orElseThrow()
            .getCharContent(true)
            .toString();
    assertTrue(loop.contains("LoopBuilder.create(\"Deferred\", 16, 42L, options)"), loop);
    assertTrue(loop.contains(".minimizing(\"loss\")"), loop);
    assertTrue(loop.contains(".variables(\"logits\")"), loop);
  }

  @Test
  void aGeneratedTypeIsJudgedOnceItExists() {
    JavaFileObject source =
        Sources.source(
            "Deferred",
            "@TrainingLoop",
            "class Deferred {",
            MODEL,
            LOSS.replace("(Ops tf,", "(Ops tf, Widget widget,"),
            STEP,
            "}");
    Compilation compilation = compileWith(Map.of("example.Widget", WIDGET), source);
    assertThat(compilation).hadErrorCount(1);
    assertThat(compilation)
        .hadErrorContaining(
            "[tfloop:ParameterType] @Loss parameters must be Ops, a model output Operand<T>, a"
                + " Network<T> or a @Feature or @Label Operand<T>; found Widget widget")
        .inFile(source)
        .onLine(FIRST_LINE + 3);
  }

  /**
   * A class that waits for a generated type and then asks for the loop name of a class written in
   * an earlier round: both are reported, each naming the other, as in one round.
   */
  @Test
  void aLoopNameTakenInAnEarlierRoundIsReportedOnBothClasses() {
    JavaFileObject early =
        Sources.source(
            "Early",
            "@TrainingLoop(name = \"SharedLoop\")",
            "class Early {",
            MODEL,
            LOSS,
            STEP,
            "}");
    JavaFileObject late =
        Sources.source(
            "Late",
            "@TrainingLoop(name = \"SharedLoop\", batchSize = Hyper.BATCH)",
            "class Late {",
            MODEL,
            LOSS,
            STEP,
            "}");
    Compilation compilation =
        Compiler.javac()
            .withProcessors(
                new GeneratingProcessor(Map.of("example.Hyper", HYPER)), new TfloopProcessor())
            .withOptions("-Xlint:all")
            .compile(early, late);
    assertThat(compilation).hadErrorCount(2);
    String text =
        "[tfloop:LoopNameTaken] the generated loop class must not clash with another type;"
            + " example.SharedLoop is also the loop of example.%s; give one of them another"
            + " @TrainingLoop(name)";
    assertThat(compilation)
        .hadErrorContaining(String.format(text, "Late"))
        .inFile(early)
        .onLine(FIRST_LINE);
    assertThat(compilation)
        .hadErrorContaining(String.format(text, "Early"))
        .inFile(late)
        .onLine(FIRST_LINE);
  }

  @Test
  void aFileAnotherProcessorAlreadyWroteIsAWriteError() {
    JavaFileObject source =
        Sources.source("Taken", "@TrainingLoop", "class Taken {", MODEL, LOSS, STEP, "}");
    Compilation compilation =
        compileWith(Map.of("example.TakenLoop", "package example; class TakenLoop {}"), source);
    assertThat(compilation).failed();
    assertThat(compilation)
        .hadErrorContaining("[tfloop:WriteFailed] could not write TakenLoop: ")
        .inFile(source)
        .onLine(FIRST_LINE + 1);
  }
}
