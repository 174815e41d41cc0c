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
