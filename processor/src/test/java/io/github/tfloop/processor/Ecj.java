package io.github.tfloop.processor;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import org.eclipse.jdt.internal.compiler.tool.EclipseCompiler;

/**
 * The Eclipse compiler (ECJ), as Eclipse runs it while the user types, with the tfloop processor:
 * sources and outputs in real directories, as in an IDE project.
 */
final class Ecj {

  /** What one compile left: its diagnostics and the sources it generated, by relative path. */
  record Result(
      boolean success,
      List<Diagnostic<? extends JavaFileObject>> diagnostics,
      Map<String, String> generated) {

    /** Diagnostics as {@code KIND file:line message}, one per line. */
    String describe() {
      StringBuilder text = new StringBuilder();
      for (Diagnostic<? extends JavaFileObject> diagnostic : diagnostics) {
        text.append(diagnostic.getKind())
            .append(' ')
            .append(diagnostic.getSource() == null ? "-" : diagnostic.getSource().getName())
            .append(':')
            .append(diagnostic.getLineNumber())
            .append(' ')
            .append(diagnostic.getMessage(Locale.ROOT))
            .append('\n');
      }
      return text.toString();
    }
  }

  private Ecj() {}

  /** Compiles {@code sources} (file name relative to a source root, and text). */
  static Result compile(Map<String, String> sources) {
    try {
      Path root = Files.createTempDirectory("tfloop-ecj");
      Path sourceDirectory = Files.createDirectories(root.resolve("src"));
      Path generatedDirectory = Files.createDirectories(root.resolve("generated"));
      Path classes = Files.createDirectories(root.resolve("classes"));
      List<Path> files = new ArrayList<>();
      for (Map.Entry<String, String> source : sources.entrySet()) {
        Path file = sourceDirectory.resolve(source.getKey());
        Files.createDirectories(file.getParent());
        Files.writeString(file, source.getValue(), StandardCharsets.UTF_8);
        files.add(file);
      }
      JavaCompiler ecj = new EclipseCompiler();
      DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
      boolean success;
      try (StandardJavaFileManager fileManager =
          ecj.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
        JavaCompiler.CompilationTask task =
            ecj.getTask(
                new StringWriter(), // ECJ also prints its diagnostics; they are collected below
                fileManager,
                diagnostics,
                List.of(
                    "--release",
                    "17",
                    "-encoding",
                    "UTF-8",
                    "-classpath",
                    System.getProperty("java.class.path"),
                    "-d",
                    classes.toString(),
                    "-s",
                    generatedDirectory.toString()),
                null,
                fileManager.getJavaFileObjectsFromPaths(files));
        task.setProcessors(List.of(new TfloopProcessor()));
        success = task.call();
      }
      return new Result(success, diagnostics.getDiagnostics(), read(generatedDirectory));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Map<String, String> read(Path directory) throws IOException {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> paths = Files.walk(directory)) {
      for (Path path : paths.filter(Files::isRegularFile).toList()) {
        files.put(
            directory.relativize(path).toString().replace('\\', '/'),
            Files.readString(path, StandardCharsets.UTF_8));
      }
    }
    return files;
  }
}
