package io.github.tfloop.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static io.github.tfloop.processor.Sources.FIRST_LINE;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import java.util.ArrayList;
import java.util.List;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/** A bug in the processor is one diagnostic with its trace, never a javac crash. */
class InternalErrorTest {

  @Test
  void anExceptionBecomesOneInternalErrorOnItsClassAndTheNextClassIsStillGenerated() {
    List<String> written = new ArrayList<>();
    WithFiler failing =
        new WithFiler(
            filer ->
                WithFiler.filer(
                    filer,
                    (proxy, method, args) -> {
                      if (method.getName().equals("createSourceFile")) {
                        if (args[0].toString().equals("example.FirstLoop")) {
                          throw new IllegalStateException("simulated bug");
                        }
                        written.add(args[0].toString());
                      }
                      return null;
                    }));
    JavaFileObject first =
        Sources.source(
            "First",
            "@TrainingLoop",
            "class First {",
            DiagnosticsTest.MODEL,
            DiagnosticsTest.LOSS,
            DiagnosticsTest.STEP,
            "}");
    JavaFileObject second =
        Sources.source(
            "Second",
            "@TrainingLoop",
            "class Second {",
            DiagnosticsTest.MODEL,
            DiagnosticsTest.LOSS,
            DiagnosticsTest.STEP,
            "}");
    Compilation compilation = Compiler.javac().withProcessors(failing).compile(first, second);
    assertThat(compilation).hadErrorCount(1);
    assertThat(compilation)
        .hadErrorContaining(
            "[tfloop:InternalError] internal error while processing example.First; please report"
                + " it with this trace:")
        .inFile(first)
        .onLine(FIRST_LINE + 1);
    assertThat(compilation).hadErrorContaining("java.lang.IllegalStateException: simulated bug");
    assertEquals(List.of("example.SecondLoop"), written, "the next class is still generated");
  }
}
