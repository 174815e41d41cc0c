package io.github.tfloop.processor;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import com.google.testing.compile.JavaFileObjects;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import javax.tools.JavaFileObject;

/** Test sources and the compiler that runs the processor over them. */
final class Sources {

  /** The imports every test class starts with, on lines 2 to 14; bodies start on line 15. */
  static final String HEADER =
      String.join(
          "\n",
          "package example;",
          "import io.github.tfloop.annotations.*;",
          "import io.github.tfloop.loss.Losses;",
          "import io.github.tfloop.nn.Activation;",
          "import io.github.tfloop.nn.Layers;",
          "import org.tensorflow.Operand;",
          "import org.tensorflow.op.Ops;",
          "import org.tensorflow.types.TFloat32;",
          "import org.tensorflow.types.TFloat64;",
          "import org.tensorflow.types.TInt32;",
          "import org.tensorflow.types.TInt64;",
          "import java.util.List;",
          "import io.github.tfloop.nn.Network;",
          "// (line 14)");

  /** The first line of a body written after {@link #HEADER}. */
  static final int FIRST_LINE = 15;

  private Sources() {}

  /** {@code example.<name>}: the header, then {@code lines}, the first on line 15. */
  static JavaFileObject source(String name, String... lines) {
    return JavaFileObjects.forSourceString("example." + name, text(lines));
  }

  /** The text of a source in package {@code example}: the header, then {@code lines}. */
  static String text(String... lines) {
    return HEADER + "\n" + String.join("\n", lines) + "\n";
  }

  /** A test resource as a source file of the given qualified name. */
  static JavaFileObject resource(String qualifiedName, String path) {
    return JavaFileObjects.forSourceString(qualifiedName, read(path));
  }

  static String read(String path) {
    try (InputStream in = Sources.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalArgumentException("no test resource " + path);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** javac with the processor, warnings on. */
  static Compilation compile(JavaFileObject... sources) {
    return Compiler.javac()
        .withProcessors(new TfloopProcessor())
        .withOptions("-Xlint:all")
        .compile(sources);
  }
}
