package io.github.tfloop.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import io.github.tfloop.annotations.LossFunction;
import io.github.tfloop.annotations.Metric;
import io.github.tfloop.annotations.Optimizer;
import io.github.tfloop.annotations.Schedule;
import io.github.tfloop.optim.Optimizers;
import io.github.tfloop.processor.model.Hyperparameters;
import io.github.tfloop.processor.model.Hyperparameters.Parameter;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A loop for every constant of the annotation enums a loop is configured with, generated, compiled
 * under {@code -Xlint:all -Werror} and run on TensorFlow: every optimizer with each of its
 * parameters set (and those values reaching the runtime's optimizer under their names), every
 * schedule with each parameter set (the learning rate following its formula), every built-in loss
 * and every metric.
 */
class EveryConstantTest {

  private static final int BATCH = 4;
  private static final double RATE = 0.1;

  /** A loop over two features and a float target, with the given step annotation. */
  private static String regression(String step) {
    return Sources.text(
        "@TrainingLoop(batchSize = " + BATCH + ", seed = 3)",
        "public class Every {",
        "  @Model Operand<TFloat32> out(Layers nn, @Feature(shape = {2}) Operand<TFloat32> x) {",
        "    return nn.dense(x, 1);",
        "  }",
        "  @Loss Operand<TFloat32> loss(Ops tf, Operand<TFloat32> out,"
            + " @Label(shape = {1}) Operand<TFloat32> y) {",
        "    return Losses.meanSquaredError(tf, out, y);",
        "  }",
        "  " + step + " void train() {}",
        "}");
  }

  /**
   * A value of {@code parameter}'s kind other than its default, distinct for each position, so that
   * a value landing on another parameter shows.
   */
  private static String otherValue(Parameter parameter, int position) {
    return switch (parameter.kind()) {
      case UNIT_INTERVAL -> String.valueOf(0.5 + 0.01 * position);
      case POSITIVE -> String.valueOf(0.01 * (position + 1));
      case NON_NEGATIVE -> String.valueOf(0.001 * (position + 1));
      case NON_POSITIVE -> String.valueOf(-0.25 - 0.01 * position);
      case FRACTION -> String.valueOf(0.1 + 0.01 * position);
      case BOOLEAN -> String.valueOf(!Boolean.parseBoolean(parameter.defaultValue()));
      case COUNT -> String.valueOf(7 + position);
      case NON_NEGATIVE_COUNT -> String.valueOf(3 + position);
      case INCREASING_COUNTS -> "2 5";
      case POSITIVE_NUMBERS -> "0.05 0.02";
    };
  }

  @ParameterizedTest
  @EnumSource(Optimizer.class)
  void everyOptimizerTakesEachParameterAndTrains(Optimizer optimizer) throws Exception {
    List<Parameter> parameters = Hyperparameters.optimizer(optimizer).parameters();
    Map<String, String> values = new LinkedHashMap<>();
    for (int i = 0; i < parameters.size(); i++) {
      values.put(parameters.get(i).name(), otherValue(parameters.get(i), i));
    }
    String params =
        values.entrySet().stream()
            .map(entry -> "\"" + entry.getKey() + "=" + entry.getValue() + "\"")
            .collect(Collectors.joining(", ", "{", "}"));
    Loaded loop =
        Loaded.compile(
            regression(
                "@Step(optimizer = Optimizer."
                    + optimizer
                    + ", params = "
                    + params
                    + ", learningRate = "
                    + RATE
                    + ")"));

    // the optimizer the generated code builds holds each value under its name
    Matcher call = Pattern.compile("Optimizers\\.(\\w+)\\(([^)]*)\\)").matcher(loop.source());
    assertTrue(call.find(), loop.source());
    Map<String, String> expected = new TreeMap<>();
    values.forEach(
        (name, value) ->
            expected.put(
                name,
                value.equals("true") || value.equals("false")
                    ? (value.equals("true") ? "1.0" : "0.0")
                    : String.valueOf(Double.parseDouble(value))));
    assertEquals(
        optimizer + "(" + expected + ")",
        optimizer + "(" + parametersOf(invoke(call.group(1), call.group(2))) + ")");

    try (AutoCloseable running = loop.create()) {
      float first = loop.step(running, 4);
      float later = loop.step(running, 4);
      assertTrue(Float.isFinite(first) && Float.isFinite(later), first + ", " + later);
      assertNotEquals(first, later, "the step changes the weights");
    }
  }

  /** Calls {@code Optimizers.<factory>} with the arguments written in the generated source. */
  private static Object invoke(String factory, String arguments) throws Exception {
    String[] written = arguments.isBlank() ? new String[0] : arguments.split(",\\s*");
    for (Method method : Optimizers.class.getMethods()) {
      if (method.getName().equals(factory)
          && Modifier.isStatic(method.getModifiers())
          && method.getParameterCount() == written.length) {
        Object[] values = new Object[written.length];
        for (int i = 0; i < written.length; i++) {
          Class<?> type = method.getParameterTypes()[i];
          values[i] =
              type == boolean.class
                  ? (Object) Boolean.parseBoolean(written[i])
                  : type == long.class
                      ? (Object) Long.parseLong(written[i].replace("L", ""))
                      : (Object) Double.parseDouble(written[i]);
        }
        return method.invoke(null, values);
      }
    }
    throw new AssertionError("no Optimizers." + factory + " taking " + written.length);
  }

  /** {@code {beta1=0.9, ...}} from the runtime optimizer's {@code ADAM(beta1=0.9, ...)}. */
  private static Map<String, String> parametersOf(Object optimizer) {
    String text = optimizer.toString();
    String inside = text.substring(text.indexOf('(') + 1, text.lastIndexOf(')'));
    Map<String, String> parameters = new TreeMap<>();
    for (String pair : inside.isEmpty() ? new String[0] : inside.split(",\\s*")) {
      String[] nameAndValue = pair.split("=", 2);
      parameters.put(nameAndValue[0], nameAndValue[1]);
    }
    return parameters;
  }

  @ParameterizedTest
  @EnumSource(Schedule.class)
  void everyScheduleTakesEachParameterAndFollowsItsFormula(Schedule schedule) throws Exception {
    List<Parameter> parameters = Hyperparameters.schedule(schedule).parameters();
    Map<String, String> values = new HashMap<>();
    List<String> entries = new ArrayList<>();
    for (int i = 0; i < parameters.size(); i++) {
      String value = otherValue(parameters.get(i), i);
      values.put(parameters.get(i).name(), value);
      entries.add("\"" + parameters.get(i).name() + "=" + value + "\"");
    }
    Loaded loop =
        Loaded.compile(
            regression(
                "@Step(optimizer = Optimizer.SGD, learningRate = "
                    + RATE
                    + ", schedule = Schedule."
                    + schedule
                    + ", scheduleParams = {"
                    + String.join(", ", entries)
                    + "})"));
    try (AutoCloseable running = loop.create()) {
      for (int t = 0; t <= 6; t++) {
        assertEquals(
            expectedRate(schedule, values, t),
            loop.learningRate(running),
            1e-6,
            schedule + " at update " + t + " with " + values);
        loop.step(running, 4);
      }
    }
  }

  /** The rate at update {@code t}, from each schedule's formula as its constant documents it. */
  private static double expectedRate(Schedule schedule, Map<String, String> values, int t) {
    return switch (schedule) {
      case CONSTANT -> RATE;
      case EXPONENTIAL_DECAY -> {
        double exponent = (double) t / number(values, "decaySteps");
        if (Boolean.parseBoolean(values.get("staircase"))) {
          exponent = Math.floor(exponent);
        }
        yield RATE * Math.pow(number(values, "decayRate"), exponent);
      }
      case PIECEWISE_CONSTANT -> {
        String[] boundaries = values.get("boundaries").split(" ");
        String[] rates = values.get("values").split(" ");
        double rate = Double.parseDouble(rates[rates.length - 1]);
        for (int i = boundaries.length - 1; i >= 0; i--) {
          if (t <= Long.parseLong(boundaries[i])) {
            rate = i == 0 ? RATE : Double.parseDouble(rates[i - 1]);
          }
        }
        yield rate;
      }
      case POLYNOMIAL_DECAY -> {
        double steps = number(values, "decaySteps");
        double end = number(values, "endLearningRate");
        yield (RATE - end) * Math.pow(1 - Math.min(t, steps) / steps, number(values, "power"))
            + end;
      }
      case COSINE_DECAY -> {
        double steps = number(values, "decaySteps");
        double alpha = number(values, "alpha");
        double warmup = number(values, "warmupSteps");
        if (t < warmup) {
          yield RATE * t / warmup;
        }
        double progress = Math.min(Math.max(t - warmup, 0), steps) / steps;
        yield RATE * ((1 - alpha) * 0.5 * (1 + Math.cos(Math.PI * progress)) + alpha);
      }
    };
  }

  private static double number(Map<String, String> values, String name) {
    return Double.parseDouble(values.get(name));
  }

  @ParameterizedTest
  @EnumSource(LossFunction.class)
  void everyBuiltInLossTrains(LossFunction function) throws Exception {
    Loaded loop = Loaded.compile(withStandardLoss(function, ""));
    try (AutoCloseable running = loop.create()) {
      assertTrue(Float.isFinite(loop.step(running, outputs(function))));
    }
  }

  @ParameterizedTest
  @EnumSource(Metric.class)
  void everyMetricCompilesAndRuns(Metric metric) throws Exception {
    LossFunction function =
        switch (metric) {
          case ACCURACY, SPARSE_CATEGORICAL_ACCURACY ->
              LossFunction.SPARSE_CATEGORICAL_CROSSENTROPY;
          case CATEGORICAL_ACCURACY -> LossFunction.CATEGORICAL_CROSSENTROPY;
          case BINARY_ACCURACY, PRECISION, RECALL, F1, AUC -> LossFunction.BINARY_CROSSENTROPY;
          case MAE, RMSE -> LossFunction.MEAN_SQUARED_ERROR;
        };
    Loaded loop = Loaded.compile(withStandardLoss(function, "metrics = Metric." + metric + ", "));
    try (AutoCloseable running = loop.create()) {
      assertTrue(Float.isFinite(loop.step(running, outputs(function))));
    }
  }

  /** The model's outputs per example for a loss: classes for cross-entropies, else one value. */
  private static int outputs(LossFunction function) {
    return switch (function) {
      case SPARSE_CATEGORICAL_CROSSENTROPY, CATEGORICAL_CROSSENTROPY -> 3;
      case MEAN_SQUARED_ERROR, MEAN_ABSOLUTE_ERROR, HUBER, BINARY_CROSSENTROPY -> 1;
    };
  }

  private static String withStandardLoss(LossFunction function, String loopValues) {
    String labelShape =
        function == LossFunction.SPARSE_CATEGORICAL_CROSSENTROPY
            ? ""
            : ", labelShape = " + outputs(function);
    return Sources.text(
        "@TrainingLoop(" + loopValues + "batchSize = " + BATCH + ", seed = 3)",
        "@StandardLoss(value = LossFunction." + function + labelShape + ")",
        "public class Every {",
        "  @Model Operand<TFloat32> out(Layers nn, @Feature(shape = {2}) Operand<TFloat32> x) {",
        "    return nn.dense(x, " + outputs(function) + ");",
        "  }",
        "  @Step(optimizer = Optimizer.SGD, learningRate = " + RATE + ") void train() {}",
        "}");
  }

  /**
   * The parameters and defaults each {@code Optimizer} and {@code Schedule} constant lists in its
   * Javadoc, which users read in the IDE, are those of the processor's table.
   */
  @Test
  void theAnnotationsDocumentEveryParameterWithItsDefault() throws IOException {
    Map<String, List<String>> documented = documented("Optimizer");
    documented.putAll(documented("Schedule"));
    Map<String, List<String>> table = new TreeMap<>();
    for (Optimizer optimizer : Optimizer.values()) {
      table.put(optimizer.name(), names(Hyperparameters.optimizer(optimizer).parameters()));
    }
    for (Schedule schedule : Schedule.values()) {
      table.put(schedule.name(), names(Hyperparameters.schedule(schedule).parameters()));
    }
    assertEquals(table, documented);
  }

  /** {@code beta1=0.9}, or {@code decaySteps} for a required parameter. */
  private static List<String> names(List<Parameter> parameters) {
    return parameters.stream()
        .map(
            parameter ->
                parameter.required()
                    ? parameter.name()
                    : parameter.name() + "=" + parameter.defaultValue())
        .toList();
  }

  /**
   * The parameters the Javadoc of each constant of an annotation enum lists after {@code
   * Parameters:}, as {@code {@code name=default}} or {@code {@code name}}; none for {@code No
   * parameters.}
   */
  private static Map<String, List<String>> documented(String enumName) throws IOException {
    String source =
        Files.readString(
            Path.of(
                "..",
                "annotations",
                "src",
                "main",
                "java",
                "io",
                "github",
                "tfloop",
                "annotations",
                enumName + ".java"));
    Matcher constants =
        Pattern.compile("(?s)/\\*\\*((?:(?!\\*/).)*)\\*/\\s*([A-Z_0-9]+)\\s*[,}]").matcher(source);
    Map<String, List<String>> documented = new TreeMap<>();
    while (constants.find()) {
      String doc = constants.group(1).replaceAll("\\s*\\n\\s*\\*\\s?", " ").replaceAll("\\s+", " ");
      List<String> parameters = new ArrayList<>();
      int start = doc.indexOf("Parameters:");
      if (start >= 0) {
        String listed = doc.substring(start);
        int example = listed.indexOf("e.g.");
        Matcher code =
            Pattern.compile("\\{@code (\\w+(?:=[^}]*)?)}")
                .matcher(example < 0 ? listed : listed.substring(0, example));
        while (code.find()) {
          parameters.add(code.group(1));
        }
      } else {
        assertTrue(doc.contains("No parameters."), constants.group(2) + ": " + doc);
      }
      documented.put(constants.group(2), parameters);
    }
    return documented;
  }

  /** A loop class generated, compiled and loaded, with the source tfloop wrote for it. */
  private record Loaded(Class<?> definition, Class<?> loop, String source) {

    static Loaded compile(String text) throws Exception {
      JavaFileObject source =
          com.google.testing.compile.JavaFileObjects.forSourceString("example.Every", text);
      Compilation compilation =
          Compiler.javac()
              .withProcessors(new TfloopProcessor())
              .withOptions("-Xlint:all", "-Werror")
              .compile(source);
      assertThat(compilation).succeededWithoutWarnings();
      Map<String, byte[]> classes = new HashMap<>();
      for (JavaFileObject file : compilation.generatedFiles()) {
        if (file.getKind() == JavaFileObject.Kind.CLASS) {
          String path = file.toUri().getPath().replaceFirst("^/CLASS_OUTPUT/", "");
          try (InputStream in = file.openInputStream()) {
            classes.put(path.replace(".class", "").replace('/', '.'), in.readAllBytes());
          }
        }
      }
      ClassLoader loader = new BytesClassLoader(classes, EveryConstantTest.class.getClassLoader());
      String generated =
          compilation
              .generatedSourceFile("example.EveryLoop")
              .orElseThrow()
              .getCharContent(true)
              .toString();
      return new Loaded(
          loader.loadClass("example.Every"), loader.loadClass("example.EveryLoop"), generated);
    }

    AutoCloseable create() throws Exception {
      Object instance = definition.getDeclaredConstructor().newInstance();
      return (AutoCloseable) loop.getMethod("create", definition).invoke(null, instance);
    }

    /** One training step on a fixed batch whose labels fit {@code outputs} model outputs. */
    float step(AutoCloseable running, int outputs) throws Exception {
      Method step = null;
      for (Method method : loop.getMethods()) {
        if (method.getName().equals("step")) {
          step = method;
        }
      }
      assertNotNull(step);
      float[] x = new float[BATCH * 2];
      for (int i = 0; i < x.length; i++) {
        x[i] = (i % 5) * 0.25f - 0.5f;
      }
      Class<?> labels = step.getParameterTypes()[1];
      Object y;
      if (labels == int[].class) {
        int[] classes = new int[BATCH];
        for (int i = 0; i < BATCH; i++) {
          classes[i] = i % outputs;
        }
        y = classes;
      } else {
        int perExample = outputs == 3 ? 3 : 1;
        float[] targets = new float[BATCH * perExample];
        for (int i = 0; i < BATCH; i++) {
          targets[i * perExample + (perExample == 3 ? i % 3 : 0)] = i % 2;
        }
        y = targets;
      }
      return (Float) step.invoke(running, x, y);
    }

    double learningRate(AutoCloseable running) throws Exception {
      return (Double) loop.getMethod("learningRate").invoke(running);
    }
  }

  /** Loads classes from bytes, first; everything else from its parent. */
  private static final class BytesClassLoader extends ClassLoader {
    private final Map<String, byte[]> classes;

    BytesClassLoader(Map<String, byte[]> classes, ClassLoader parent) {
      super(parent);
      this.classes = classes;
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
      byte[] bytes = classes.get(name);
      if (bytes == null) {
        throw new ClassNotFoundException(name);
      }
      return defineClass(name, bytes, 0, bytes.length);
    }
  }
}
