package io.github.tfloop.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.testing.compile.Compilation;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The generated sources of representative classes, compared with golden files: an MLP, a GAN
 * (function model, two steps, optimizer parameters, schedule, clipping, step frequency) and a
 * classifier with a built-in loss and several metrics. Run with {@code -Dtfloop.updateGolden=true}
 * to rewrite them, then review the diff.
 */
class GeneratedSourceTest {

  @ParameterizedTest
  @ValueSource(strings = {"FashionMlp", "MixtureGan", "QuickMlp"})
  void matchesTheGoldenFile(String name) throws IOException {
    Compilation compilation =
        Sources.compile(Sources.resource("example." + name, "/golden/" + name + ".java"));
    assertThat(compilation).succeededWithoutWarnings();
    JavaFileObject generated =
        compilation.generatedSourceFile("example." + name + "Loop").orElseThrow();
    String actual = generated.getCharContent(true).toString();
    String golden = "/golden/" + name + "Loop.java";
    if (Boolean.getBoolean("tfloop.updateGolden")) {
      java.nio.file.Files.writeString(Path.of("src/test/resources" + golden), actual);
    }
    assertEquals(Sources.read(golden), actual);
  }

  @Test
  void aValidClassGeneratesExactlyItsLoop() {
    Compilation compilation =
        Sources.compile(Sources.resource("example.FashionMlp", "/golden/FashionMlp.java"));
    List<String> files =
        compilation.generatedSourceFiles().stream().map(file -> file.toUri().getPath()).toList();
    assertEquals(List.of("/SOURCE_OUTPUT/example/FashionMlpLoop.java"), files);
  }
}
