package io.github.tfloop.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import com.google.testing.compile.JavaFileObjects;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.tools.Diagnostic;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * The sample classes under javac, warnings as errors, and under the Eclipse compiler: both give the
 * same generated sources, and neither warns about them.
 */
class CompilersTest {

  /** Sample sources by path relative to a source root, and the test resource holding each. */
  private static final Map<String, String> SAMPLES =
      Map.of(
          "example/FashionMlp.java", "/golden/FashionMlp.java",
          "example/TwoHeads.java", "/samples/example/TwoHeads.java",
          "example/Outer.java", "/samples/example/Outer.java",
          "Scratch.java", "/samples/Scratch.java");

  private static final List<String> EXPECTED_LOOPS =
      List.of(
          "ScratchLoop.java", "example/FashionMlpLoop.java",
          "example/NamedLoop.java", "example/TwoHeadsLoop.java");

  private static Map<String, String> samples() {
    Map<String, String> sources = new TreeMap<>();
    SAMPLES.forEach((path, resource) -> sources.put(path, Sources.read(resource)));
    return sources;
  }

  private static Compilation javac(String... options) {
    List<JavaFileObject> files =
        samples().entrySet().stream()
            .map(
                entry ->
                    JavaFileObjects.forSourceString(
                        entry.getKey().replace(".java", "").replace('/', '.'), entry.getValue()))
            .toList();
    return Compiler.javac()
        .withProcessors(new TfloopProcessor())
        .withOptions((Object[]) options)
        .compile(files);
  }

  /** Generated sources by path relative to the output root. */
  static Map<String, String> generated(Compilation compilation) throws IOException {
    Map<String, String> sources = new TreeMap<>();
    for (JavaFileObject file : compilation.generatedSourceFiles()) {
      String path = file.toUri().getPath().replaceFirst("^/SOURCE_OUTPUT/", "");
      sources.put(path, file.getCharContent(true).toString());
    }
    return sources;
  }

  @Test
  void generatedSourcesCompileWithEveryLintWarningAsAnError() {
    Compilation compilation = javac("-Xlint:all", "-Werror");
    assertThat(compilation).succeededWithoutWarnings();
  }

  @Test
  void theEclipseCompilerGeneratesWhatJavacGenerates() throws IOException {
    Map<String, String> javac = generated(javac("-Xlint:all"));
    Ecj.Result ecj = Ecj.compile(samples());
    assertTrue(ecj.success(), ecj.describe());
    assertEquals(EXPECTED_LOOPS.stream().sorted().toList(), List.copyOf(ecj.generated().keySet()));
    assertEquals(javac.keySet(), ecj.generated().keySet());
    for (String path : javac.keySet()) {
      assertEquals(javac.get(path), ecj.generated().get(path), path);
    }
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

  @Test
  void theEclipseCompilerReportsTfloopErrorsOnTheirLines() {
    Ecj.Result ecj =
        Ecj.compile(
            Map.of(
                "example/Broken.java",
                Sources.text(
                    "@TrainingLoop(batchSize = 0)",
                    "class Broken {",
                    DiagnosticsTest.MODEL.replace("@Model Operand", "@Model private Operand"),
                    DiagnosticsTest.LOSS,
                    "  @Step(loss = \"los\") void train() {}",
                    "}")));
    String diagnostics = ecj.describe();
    assertFalse(ecj.success(), diagnostics);
    int first = Sources.FIRST_LINE;
    for (String expected :
        List.of(
            "Broken.java:" + first + " [tfloop:BatchSize]",
            "Broken.java:" + (first + 2) + " [tfloop:MethodPrivate]",
            "Broken.java:" + (first + 4) + " [tfloop:StepLossUnknown]")) {
      assertTrue(
          diagnostics
              .lines()
              .anyMatch(line -> line.startsWith("ERROR ") && line.contains(expected)),
          expected + " in\n" + diagnostics);
    }
    assertEquals(Map.of(), ecj.generated(), "nothing is generated");
  }
}
