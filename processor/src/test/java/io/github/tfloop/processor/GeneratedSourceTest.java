package io.github.tfloop.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.testing.compile.Compilation;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/** The generated source of a representative class, compared with a golden file. */
class GeneratedSourceTest {

  private static final String GOLDEN = "/golden/FashionMlpLoop.java";

  @Test
  void fashionMlpMatchesTheGoldenFile() throws IOException {
    Compilation compilation =
        Sources.compile(Sources.resource("example.FashionMlp", "/golden/FashionMlp.java"));
    assertThat(compilation).succeededWithoutWarnings();
    JavaFileObject generated =
        compilation.generatedSourceFile("example.FashionMlpLoop").orElseThrow();
    String actual = generated.getCharContent(true).toString();
    if (Boolean.getBoolean("tfloop.updateGolden")) {
      java.nio.file.Files.writeString(Path.of("src/test/resources" + GOLDEN), actual);
    }
    assertEquals(Sources.read(GOLDEN), actual);
  }

  @Test
  void aValidClassGeneratesExactlyItsLoop() {
    Compilation compilation =
        Sources.compile(Sources.resource("example.FashionMlp", "/golden/FashionMlp.java"));
    List<String> files = compilation.generatedSourceFiles().stream()
        .map(file -> file.toUri().getPath())
        .toList();
    assertEquals(List.of("/SOURCE_OUTPUT/example/FashionMlpLoop.java"), files);
  }
}
