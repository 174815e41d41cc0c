package io.github.tfloop.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.annotation.processing.Processor;
import javax.lang.model.element.Element;
import javax.lang.model.element.TypeElement;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * What build tools rely on: Gradle's isolating-processor metadata, one originating element per
 * generated file, and the same bytes from the same input.
 */
class IncrementalBuildTest {

  private static final String GRADLE_METADATA = "META-INF/gradle/incremental.annotation.processors";

  @Test
  void theJarDeclaresAnIsolatingProcessorToGradle() throws Exception {
    List<String> lines = resourceLines(GRADLE_METADATA);
    assertEquals(List.of(TfloopProcessor.class.getName() + ",isolating"), lines);
    // ... and the class it names is the one registered as a processor.
    assertTrue(
        resourceLines("META-INF/services/" + Processor.class.getName())
            .contains(TfloopProcessor.class.getName()));
  }

  /**
   * The non-comment lines of a resource of the processor's own jar (or classes directory): the code
   * source {@link TfloopProcessor} was loaded from, which is what a build tool reads.
   */
  private static List<String> resourceLines(String name) throws IOException {
    URL location = TfloopProcessor.class.getProtectionDomain().getCodeSource().getLocation();
    try (URLClassLoader processorJar = new URLClassLoader(new URL[] {location}, null)) {
      URL resource = processorJar.findResource(name);
      assertNotNull(resource, name + " in " + location);
      try (InputStream in = resource.openStream()) {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8)
            .lines()
            .map(String::trim)
            .filter(line -> !line.isEmpty() && !line.startsWith("#"))
            .toList();
      }
    }
  }

  @Test
  void eachGeneratedFileHasItsLoopClassAsOnlyOriginatingElement() {
    List<String> created = new ArrayList<>();
    WithFiler processor =
        new WithFiler(
            filer ->
                WithFiler.filer(
                    filer,
                    (proxy, method, args) -> {
                      if (method.getName().equals("createSourceFile")) {
                        Element[] origins = (Element[]) args[1];
                        StringBuilder entry = new StringBuilder(args[0].toString()).append(" <-");
                        for (Element origin : origins) {
                          entry.append(' ').append(((TypeElement) origin).getQualifiedName());
                        }
                        created.add(entry.toString());
                      }
                      return null;
                    }));
    JavaFileObject first = Sources.resource("example.FashionMlp", "/golden/FashionMlp.java");
    JavaFileObject second =
        Sources.source(
            "Outer",
            "class Outer {",
            "  @TrainingLoop(name = \"NestedLoop\")",
            "  static class Nested {",
            DiagnosticsTest.MODEL,
            DiagnosticsTest.LOSS,
            DiagnosticsTest.STEP,
            "  }",
            "}");
    Compilation compilation = Compiler.javac().withProcessors(processor).compile(first, second);
    assertThat(compilation).succeeded();
    assertEquals(
        List.of(
            "example.FashionMlpLoop <- example.FashionMlp",
            "example.NestedLoop <- example.Outer.Nested"),
        created.stream().sorted().toList());
  }

  @Test
  void theSameInputGivesTheSameBytes() throws IOException {
    assertEquals(generatedLoop(), generatedLoop());
  }

  private static String generatedLoop() throws IOException {
    return Sources.compile(Sources.resource("example.FashionMlp", "/golden/FashionMlp.java"))
        .generatedSourceFile("example.FashionMlpLoop")
        .orElseThrow()
        .getCharContent(true)
        .toString();
  }
}
