package io.github.tfloop.processor;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import com.google.testing.compile.JavaFileObjects;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.Diagnostic;
import javax.tools.JavaFileObject;

/**
 * The tfloop diagnostics of one compile, as {@code Id@File.java:line} (with {@code (warning)} after
 * a warning), in the order reported, under javac or the Eclipse compiler: what a misuse test
 * compares, so that both compilers are held to the same single, placed diagnostic.
 */
final class Reported {

  private static final Pattern ID = Pattern.compile("\\[tfloop:(\\w+)]");

  private Reported() {}

  /** The compilers a test runs under. */
  enum With {
    JAVAC,
    ECJ
  }

  /**
   * What one compile reported: tfloop's diagnostics, summarised, and their messages; every error
   * and tfloop's warnings, in full; the paths of the sources tfloop generated.
   */
  record Outcome(List<String> tfloop, List<String> messages, String all, Set<String> generated) {}

  /** Compiles {@code sources} (path relative to the source root, and text) under {@code with}. */
  static Outcome compile(With with, Map<String, String> sources) {
    return with == With.JAVAC ? javac(sources) : ecj(sources);
  }

  private static Outcome javac(Map<String, String> sources) {
    List<JavaFileObject> files = new ArrayList<>();
    sources.forEach(
        (path, text) ->
            files.add(
                JavaFileObjects.forSourceString(
                    path.replace(".java", "").replace('/', '.'), text)));
    Map<String, List<String>> written = new TreeMap<>();
    Compilation compilation =
        Compiler.javac()
            .withProcessors(WithFiler.recording(written))
            .withOptions("-Xlint:all")
            .compile(files);
    Set<String> generated = new TreeSet<>();
    written.values().forEach(names -> names.forEach(name -> generated.add(path(name))));
    return summarise(compilation.diagnostics(), generated);
  }

  /** {@code example/BrokenLoop.java} for {@code example.BrokenLoop}. */
  private static String path(String qualifiedName) {
    return qualifiedName.replace('.', '/') + ".java";
  }

  private static Outcome ecj(Map<String, String> sources) {
    Ecj.Result result = Ecj.compile(sources);
    return summarise(result.diagnostics(), result.generated().keySet());
  }

  private static Outcome summarise(
      List<Diagnostic<? extends JavaFileObject>> diagnostics, Set<String> generated) {
    List<String> tfloop = new ArrayList<>();
    List<String> messages = new ArrayList<>();
    StringBuilder all = new StringBuilder();
    for (Diagnostic<? extends JavaFileObject> diagnostic : diagnostics) {
      String message = diagnostic.getMessage(Locale.ROOT);
      String file =
          diagnostic.getSource() == null
              ? "-"
              : diagnostic.getSource().getName().replaceFirst(".*[/\\\\]", "");
      String where = file + ":" + (diagnostic.getLineNumber() - Sources.FIRST_LINE);
      Matcher id = ID.matcher(message);
      boolean ours = id.find();
      if (!ours && diagnostic.getKind() != Diagnostic.Kind.ERROR) {
        continue; // the compiler's own warnings, such as unused imports
      }
      all.append(diagnostic.getKind())
          .append(' ')
          .append(where)
          .append(' ')
          .append(message)
          .append('\n');
      if (ours) {
        messages.add(message);
        tfloop.add(
            id.group(1)
                + "@"
                + where
                + (diagnostic.getKind() == Diagnostic.Kind.ERROR
                    ? ""
                    : " (" + diagnostic.getKind().name().toLowerCase(Locale.ROOT) + ")"));
      }
    }
    return new Outcome(tfloop, messages, all.toString(), generated);
  }
}
