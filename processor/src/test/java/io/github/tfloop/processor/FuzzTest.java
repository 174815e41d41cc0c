package io.github.tfloop.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import com.google.testing.compile.JavaFileObjects;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.StandardLocation;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * Malformed variations of valid loop classes (annotations removed or swapped, types changed,
 * parameters swapped, dropped or added, bad values, wrong modifiers), generated from a fixed seed.
 * Every compile must end in tfloop's or javac's diagnostics: never an internal error, never an
 * error inside a generated file, and never a generated file for a class tfloop rejected.
 */
class FuzzTest {

  private static final int VARIATIONS = 240;
  private static final long SEED = 20_261_127L;

  /** The valid classes mutated, by qualified name. */
  private static final Map<String, String> BASES =
      Map.of(
          "example.FashionMlp", Sources.read("/golden/FashionMlp.java"),
          "example.TwoHeads", Sources.read("/samples/example/TwoHeads.java"));

  private static final Pattern ANNOTATION =
      Pattern.compile("@(TrainingLoop|Model|Loss|Step|Feature|Label)(\\([^)]*\\))?");
  private static final Pattern ATTRIBUTE =
      Pattern.compile(
          "\\b(batchSize|seed|learningRate|loss|name|variables|metrics|shape|optimizer)\\s*=\\s*"
              + "(\"[^\"]*\"|\\{[^}]*\\}|[\\w.+-]+)");
  private static final Pattern OPERAND_TYPE = Pattern.compile("Operand<T\\w+>");
  private static final Pattern METHOD =
      Pattern.compile("(?m)^(\\s+)((?:Operand<\\w+>|void) )(\\w+)\\(");
  private static final Pattern CLASS = Pattern.compile("public class (\\w+)");

  private static final List<String> TYPES =
      List.of(
          "Operand<TInt32>",
          "Operand<TInt64>",
          "Operand<TFloat64>",
          "Operand<TFloat32>",
          "Operand<?>",
          "Operand",
          "float",
          "int[]",
          "Object",
          "Ops",
          "Layers",
          "Operand<? extends TFloat32>",
          "java.util.List<Operand<TFloat32>>");
  private static final Map<String, List<String>> BAD_VALUES =
      Map.of(
          "batchSize", List.of("0", "-3", "Integer.MAX_VALUE", "1"),
          "seed", List.of("-1L", "Long.MAX_VALUE"),
          "learningRate", List.of("0", "-1e-3", "Double.NaN", "Double.POSITIVE_INFINITY", "1e300"),
          "loss", List.of("\"\"", "\"nope\"", "\"loss \"", "\"logits\"", "\"train\""),
          "name",
              List.of(
                  "\"\"",
                  "\"bad name\"",
                  "\"class\"",
                  "\"engine\"",
                  "\"FashionMlp\"",
                  "\"TwoHeads\"",
                  "\"String\""),
          "variables", List.of("{}", "\"nope\"", "{\"logits\", \"logits\"}", "\"loss\"", "\"\""),
          "metrics", List.of("{}", "{Metric.ACCURACY, Metric.ACCURACY}"),
          "shape", List.of("{}", "{0}", "{-1, 2}", "{65536, 65536}", "{1, 1, 1, 1, 1, 1}", "7"),
          "optimizer", List.of("Optimizer.SGD", "Optimizer.ADAM"));

  /** Values added to an annotation written without any; some legal, such as reserved names. */
  private static final Map<String, List<String>> ADDED_VALUES =
      Map.of(
          "TrainingLoop",
              List.of(
                  "(batchSize = -1)",
                  "(name = \"x y\")",
                  "(name = \"Loop\")",
                  "(metrics = {Metric.ACCURACY, Metric.ACCURACY})",
                  "(batchSize = 1, seed = -5)"),
          "Step",
              List.of(
                  "(loss = \"nope\")",
                  "(learningRate = -2)",
                  "(variables = \"logits\")",
                  "(optimizer = Optimizer.SGD, variables = {\"logits\", \"logits\"})"),
          "Feature",
              List.of(
                  "(shape = {0, -4})",
                  "(name = \"9\")",
                  "(name = \"engine\")",
                  "(name = \"batch\")",
                  "(name = \"examples\")",
                  "(name = \"definition\")",
                  "(shape = 3)"),
          "Label",
              List.of(
                  "(shape = {0, -4})",
                  "(name = \"tf\")",
                  "(name = \"engine\")",
                  "(name = \"loop\")",
                  "(name = \"options\")",
                  "(shape = 2)"));

  private static final List<String> EXTRA_PARAMETERS =
      List.of(
          "int n",
          "Operand<TFloat32> extra",
          "@Feature Operand<TInt64> extra",
          "@Label Operand<TInt32> other",
          "Layers more",
          "Ops tf2",
          "@Feature @Label Operand<TInt32> z",
          "@Feature(shape = {28, 28}) Operand<TInt32> image",
          "String... names");
  private static final List<String> METHOD_PREFIXES =
      List.of(
          "private ",
          "static ",
          "abstract ",
          "<T> ",
          "synchronized ",
          "final ",
          "public ",
          "@Model ",
          "@Loss ",
          "@Step ",
          "@Deprecated ");

  /** One way to break a source; returns {@code null} when it finds nowhere to apply. */
  private record Mutation(String name, BiFunction<String, Random, String> apply) {}

  private static final List<Mutation> MUTATIONS =
      List.of(
          new Mutation(
              "remove an annotation",
              (text, random) -> replaceOne(text, ANNOTATION, random, match -> "")),
          new Mutation(
              "swap an annotation for another",
              (text, random) ->
                  replaceOne(
                      text,
                      ANNOTATION,
                      random,
                      match ->
                          pick(
                              random,
                              List.of(
                                  "@Model",
                                  "@Loss",
                                  "@Step",
                                  "@Feature",
                                  "@Label",
                                  "@Model @Loss",
                                  "@Feature @Label",
                                  "@TrainingLoop")))),
          new Mutation(
              "change a type",
              (text, random) ->
                  replaceOne(text, OPERAND_TYPE, random, match -> pick(random, TYPES))),
          new Mutation(
              "change a value",
              (text, random) ->
                  replaceOne(
                      text,
                      ATTRIBUTE,
                      random,
                      match ->
                          match.group(1) + " = " + pick(random, BAD_VALUES.get(match.group(1))))),
          new Mutation(
              "add a value",
              (text, random) ->
                  replaceOne(
                      text,
                      Pattern.compile("@(TrainingLoop|Step|Feature|Label)\\b(?!\\()"),
                      random,
                      match -> match.group() + pick(random, ADDED_VALUES.get(match.group(1))))),
          new Mutation(
              "add a modifier",
              (text, random) ->
                  replaceOne(
                      text,
                      METHOD,
                      random,
                      match ->
                          match.group(1)
                              + pick(random, METHOD_PREFIXES)
                              + match.group(2)
                              + match.group(3)
                              + "(")),
          new Mutation(
              "rename a method",
              (text, random) ->
                  replaceOne(
                      text,
                      METHOD,
                      random,
                      match ->
                          match.group(1)
                              + match.group(2)
                              + pick(
                                  random, List.of("accuracy", "logits", "loss", "train", "other"))
                              + "(")),
          new Mutation(
              "declare a checked exception",
              (text, random) ->
                  replaceOne(
                      text,
                      Pattern.compile("\\) \\{\\n"),
                      random,
                      match -> ") throws Exception {\n")),
          new Mutation(
              "change the class",
              (text, random) ->
                  replaceOne(
                      text,
                      CLASS,
                      random,
                      match ->
                          pick(
                              random,
                              List.of(
                                  "public abstract class " + match.group(1),
                                  "public class " + match.group(1) + "<T>",
                                  "public final class " + match.group(1),
                                  "public interface " + match.group(1))))),
          new Mutation("swap two parameters", FuzzTest::swapParameters),
          new Mutation(
              "drop a parameter",
              (text, random) ->
                  editParameters(
                      text,
                      random,
                      (parameters, r) -> {
                        if (!parameters.isEmpty()) {
                          parameters.remove(r.nextInt(parameters.size()));
                        }
                      })),
          new Mutation(
              "add a parameter",
              (text, random) ->
                  editParameters(
                      text,
                      random,
                      (parameters, r) ->
                          parameters.add(
                              r.nextInt(parameters.size() + 1), pick(r, EXTRA_PARAMETERS)))));

  /** One variation: a class of its own name, and the mutations that made it. */
  private record Variation(int index, String className, String text, String mutations) {
    String qualifiedName() {
      return "example." + className;
    }

    boolean isIn(Diagnostic<? extends JavaFileObject> diagnostic) {
      return diagnostic.getSource() != null
          && diagnostic.getSource().getName().endsWith("/" + className + ".java");
    }

    String describe() {
      return "variation " + index + " (" + mutations + "):\n" + text;
    }
  }

  /** Diagnostics of one compile, and what the tfloop processor wrote for each class. */
  private record Batch(
      List<Diagnostic<? extends JavaFileObject>> diagnostics,
      Map<String, List<String>> writtenFor) {

    List<Diagnostic<? extends JavaFileObject>> errors() {
      return diagnostics.stream()
          .filter(diagnostic -> diagnostic.getKind() == Diagnostic.Kind.ERROR)
          .toList();
    }
  }

  /**
   * Each variation is first compiled alone, through the processors only: javac runs no processor at
   * all in a compile where one class has certain errors, so variations cannot share these compiles.
   * Those that pass are then compiled fully, together, so that every generated loop is compiled
   * too.
   */
  @Test
  void everyMalformedVariationEndsInDiagnostics() throws IOException {
    long start = System.nanoTime();
    List<Variation> variations = variations();
    List<String> problems = new ArrayList<>();
    List<Variation> accepted = new ArrayList<>();
    List<Batch> batches = new ArrayList<>(processEachAlone(variations));
    for (int i = 0; i < variations.size(); i++) {
      Variation variation = variations.get(i);
      Batch processed = batches.get(i);
      List<String> errors =
          processed.errors().stream()
              .map(diagnostic -> diagnostic.getMessage(Locale.ROOT))
              .toList();
      List<String> written =
          processed.writtenFor().getOrDefault(variation.qualifiedName(), List.of());
      if (errors.stream().anyMatch(error -> error.contains("[tfloop:")) && !written.isEmpty()) {
        problems.add(
            "generated " + written + " despite errors " + errors + " in " + variation.describe());
      }
      if (errors.isEmpty()) {
        accepted.add(variation);
      }
    }
    long processed = System.nanoTime();
    Batch compiled = compileFully(accepted);
    batches.add(compiled);
    for (Diagnostic<? extends JavaFileObject> error : compiled.errors()) {
      if (error.getSource() != null && error.getSource().getName().contains("SOURCE_OUTPUT")) {
        problems.add("an error in generated code: " + error);
      }
    }
    for (Batch batch : batches) {
      batch.diagnostics().stream()
          .map(diagnostic -> diagnostic.getMessage(Locale.ROOT))
          .filter(message -> message.contains("[tfloop:InternalError]"))
          .forEach(problems::add);
    }
    long brokenBodies =
        accepted.stream()
            .filter(variation -> compiled.errors().stream().anyMatch(variation::isIn))
            .count();
    int rejected = variations.size() - accepted.size();
    Map<String, Integer> ids = idsReported(batches);
    System.out.printf(
        Locale.ROOT,
        "fuzz: %d variations: %d rejected while processing, %d more by javac in method bodies,"
            + " %d compiled with their loop (%.1f s processing alone, %.1f s compiling together);"
            + " tfloop ids reported: %s%n",
        variations.size(),
        rejected,
        brokenBodies,
        accepted.size() - brokenBodies,
        (processed - start) / 1e9,
        (System.nanoTime() - processed) / 1e9,
        ids);
    assertEquals(List.of(), problems);
    assertTrue(rejected >= VARIATIONS * 3 / 4, "most variations are broken: " + rejected);
    assertTrue(ids.size() >= 25, "the variations reach many diagnostics: " + ids);
  }

  private static List<Variation> variations() {
    Random random = new Random(SEED);
    List<String> bases = List.copyOf(new TreeMap<>(BASES).keySet());
    List<Variation> variations = new ArrayList<>();
    for (int i = 0; i < VARIATIONS; i++) {
      String base = bases.get(i % bases.size());
      String simpleName = base.substring(base.lastIndexOf('.') + 1);
      StringBuilder applied = new StringBuilder();
      String text = mutate(BASES.get(base), random, 1 + random.nextInt(3), applied);
      String className = simpleName + i;
      variations.add(
          new Variation(
              i,
              className,
              text.replaceAll("\\b" + simpleName + "\\b", className),
              applied.toString()));
    }
    return variations;
  }

  private static Map<String, Integer> idsReported(List<Batch> batches) {
    Map<String, Integer> ids = new TreeMap<>();
    Pattern id = Pattern.compile("\\[tfloop:(\\w+)]");
    for (Batch batch : batches) {
      for (Diagnostic<? extends JavaFileObject> diagnostic : batch.diagnostics()) {
        Matcher matcher = id.matcher(diagnostic.getMessage(Locale.ROOT));
        if (matcher.find()) {
          ids.merge(matcher.group(1), 1, Integer::sum);
        }
      }
    }
    return ids;
  }

  private static String mutate(String text, Random random, int count, StringBuilder applied) {
    String result = text;
    for (int done = 0; done < count; ) {
      Mutation mutation = pick(random, MUTATIONS);
      String mutated = mutation.apply().apply(result, random);
      if (mutated != null && !mutated.equals(result)) {
        result = mutated;
        applied.append(applied.length() == 0 ? "" : ", ").append(mutation.name());
        done++;
      }
    }
    return result;
  }

  private static final List<String> OPTIONS =
      List.of("-Xlint:all", "-Xmaxerrs", "100000", "-Xmaxwarns", "100000");

  /**
   * Each variation through the processors only, in its own compile; the compiles are spread over
   * the machine's cores, each worker with a file manager of its own. Results are in the order of
   * {@code variations}, whatever the number of workers.
   */
  private static List<Batch> processEachAlone(List<Variation> variations) throws IOException {
    int workers = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
    ExecutorService executor = Executors.newFixedThreadPool(workers);
    try {
      List<Future<List<Batch>>> parts = new ArrayList<>();
      for (int worker = 0; worker < workers; worker++) {
        List<Variation> part = new ArrayList<>();
        for (int i = worker; i < variations.size(); i += workers) {
          part.add(variations.get(i));
        }
        parts.add(executor.submit(() -> processAlone(part)));
      }
      Batch[] batches = new Batch[variations.size()];
      for (int worker = 0; worker < workers; worker++) {
        List<Batch> part = parts.get(worker).get();
        for (int j = 0; j < part.size(); j++) {
          batches[worker + j * workers] = part.get(j);
        }
      }
      return List.of(batches);
    } catch (InterruptedException | ExecutionException e) {
      throw new IllegalStateException(e);
    } finally {
      executor.shutdownNow();
    }
  }

  private static List<Batch> processAlone(List<Variation> variations) throws IOException {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    List<Batch> batches = new ArrayList<>();
    try (StandardJavaFileManager files =
        javac.getStandardFileManager(null, Locale.ROOT, StandardCharsets.UTF_8)) {
      files.setLocationFromPaths(
          StandardLocation.SOURCE_OUTPUT, List.of(Files.createTempDirectory("tfloop-fuzz")));
      files.setLocationFromPaths(
          StandardLocation.CLASS_PATH,
          Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
              .map(Path::of)
              .toList());
      for (Variation variation : variations) {
        batches.add(processOnly(javac, files, variation));
      }
    }
    return batches;
  }

  private static Batch processOnly(
      JavaCompiler javac, StandardJavaFileManager files, Variation variation) {
    Map<String, List<String>> writtenFor = new TreeMap<>();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    List<String> options = new ArrayList<>(OPTIONS);
    options.add("-proc:only");
    JavaCompiler.CompilationTask task =
        javac.getTask(
            null,
            files,
            diagnostics,
            options,
            null,
            List.of(JavaFileObjects.forSourceString(variation.qualifiedName(), variation.text())));
    task.setProcessors(List.of(WithFiler.recording(writtenFor)));
    task.call();
    return new Batch(diagnostics.getDiagnostics(), writtenFor);
  }

  private static Batch compileFully(List<Variation> variations) {
    Map<String, List<String>> writtenFor = new TreeMap<>();
    Compilation compilation =
        Compiler.javac()
            .withProcessors(WithFiler.recording(writtenFor))
            .withOptions(OPTIONS)
            .compile(
                variations.stream()
                    .map(
                        variation ->
                            JavaFileObjects.forSourceString(
                                variation.qualifiedName(), variation.text()))
                    .toList());
    return new Batch(compilation.diagnostics(), writtenFor);
  }

  private static String replaceOne(
      String text,
      Pattern pattern,
      Random random,
      java.util.function.Function<Matcher, String> replacement) {
    Matcher matcher = pattern.matcher(text);
    List<int[]> sites = new ArrayList<>();
    List<String> replacements = new ArrayList<>();
    while (matcher.find()) {
      sites.add(new int[] {matcher.start(), matcher.end()});
      replacements.add(null);
    }
    if (sites.isEmpty()) {
      return null;
    }
    int chosen = random.nextInt(sites.size());
    matcher = pattern.matcher(text);
    for (int i = 0; i <= chosen; i++) {
      matcher.find();
    }
    String with = replacement.apply(matcher);
    return text.substring(0, matcher.start()) + with + text.substring(matcher.end());
  }

  private static String swapParameters(String text, Random random) {
    return editParameters(
        text,
        random,
        (parameters, r) -> {
          if (parameters.size() >= 2) {
            int first = r.nextInt(parameters.size());
            int second = (first + 1 + r.nextInt(parameters.size() - 1)) % parameters.size();
            String swap = parameters.get(first);
            parameters.set(first, parameters.get(second));
            parameters.set(second, swap);
          }
        });
  }

  /** Edits the parameter list of one method chosen at random. */
  private static String editParameters(
      String text, Random random, java.util.function.BiConsumer<List<String>, Random> edit) {
    Matcher method = METHOD.matcher(text);
    List<Integer> opens = new ArrayList<>();
    while (method.find()) {
      opens.add(method.end());
    }
    if (opens.isEmpty()) {
      return null;
    }
    int open = opens.get(random.nextInt(opens.size()));
    int close = open;
    List<String> parameters = new ArrayList<>();
    int depth = 0;
    int start = open;
    for (; depth >= 0; close++) {
      char c = text.charAt(close);
      if (c == '(' || c == '{' || c == '<') {
        depth++;
      } else if (c == ')' || c == '}' || c == '>') {
        depth--;
      }
      if ((c == ',' && depth == 0) || depth < 0) {
        String parameter = text.substring(start, close).trim();
        if (!parameter.isEmpty()) {
          parameters.add(parameter);
        }
        start = close + 1;
      }
    }
    edit.accept(parameters, random);
    return text.substring(0, open) + String.join(", ", parameters) + text.substring(close - 1);
  }

  private static <T> T pick(Random random, List<T> values) {
    return values.get(random.nextInt(values.size()));
  }
}
