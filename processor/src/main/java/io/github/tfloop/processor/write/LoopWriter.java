package io.github.tfloop.processor.write;

import com.palantir.javapoet.AnnotationSpec;
import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import io.github.tfloop.annotations.LossFunction;
import io.github.tfloop.annotations.LossReduction;
import io.github.tfloop.annotations.Optimizer;
import io.github.tfloop.annotations.Schedule;
import io.github.tfloop.processor.model.Hyperparameters.Setting;
import io.github.tfloop.processor.model.Hyperparameters.Value;
import io.github.tfloop.processor.model.LoopModel;
import io.github.tfloop.processor.model.LoopModel.Argument;
import io.github.tfloop.processor.model.LoopModel.Call;
import io.github.tfloop.processor.model.LoopModel.Clipping;
import io.github.tfloop.processor.model.LoopModel.Computation;
import io.github.tfloop.processor.model.LoopModel.Input;
import io.github.tfloop.processor.model.LoopModel.ReportedValue;
import io.github.tfloop.processor.model.LoopModel.StandardLoss;
import io.github.tfloop.processor.model.LoopModel.Step;
import io.github.tfloop.processor.model.LoopModel.ValueKind;
import io.github.tfloop.processor.parse.DataType;
import io.github.tfloop.processor.parse.Deprecation;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.lang.model.element.Modifier;

/**
 * Writes the {@code <Name>Loop} class of a {@link LoopModel}: input constants, a {@code create}
 * method that builds the graph by calling the user's methods, and typed {@code step}, {@code fit},
 * {@code evaluate} and {@code predict} methods over the runtime's {@code Trainer}.
 */
public final class LoopWriter {

  private static final String PROCESSOR = "io.github.tfloop.processor.TfloopProcessor";

  private final LoopModel model;
  private final ClassName loopClass;
  private final ClassName definitionClass;

  private LoopWriter(LoopModel model) {
    this.model = model;
    this.loopClass = ClassName.get(model.packageName(), model.loopClassName());
    this.definitionClass = ClassName.get(model.definition());
  }

  /**
   * Whether {@code element} carries the {@code @Generated} annotation this writer puts on loops.
   */
  public static boolean isGeneratedByTfloop(Element element) {
    for (AnnotationMirror mirror : element.getAnnotationMirrors()) {
      if (!mirror.getAnnotationType().toString().equals(Names.GENERATED.canonicalName())) {
        continue;
      }
      for (AnnotationValue value : mirror.getElementValues().values()) {
        // @Generated's value is a String[]
        if (value.getValue() instanceof List<?> generators) {
          for (Object generator : generators) {
            if (PROCESSOR.equals(((AnnotationValue) generator).getValue())) {
              return true;
            }
          }
        }
      }
    }
    return false;
  }

  /** The generated source file of {@code model}. */
  public static JavaFile write(LoopModel model) {
    return new LoopWriter(model).javaFile();
  }

  private JavaFile javaFile() {
    TypeSpec.Builder type =
        TypeSpec.classBuilder(loopClass)
            .addOriginatingElement(model.definition())
            .addAnnotation(
                AnnotationSpec.builder(Names.GENERATED).addMember("value", "$S", PROCESSOR).build())
            .addModifiers(Modifier.PUBLIC, Modifier.FINAL)
            .addSuperinterface(AutoCloseable.class)
            .addJavadoc(classJavadoc());
    for (Input input : model.inputs()) {
      type.addField(inputConstant(input));
    }
    type.addType(valuesClass());
    type.addField(Names.TRAINER, "trainer", Modifier.PRIVATE, Modifier.FINAL)
        .addMethod(constructor())
        .addMethod(createWithDefaults())
        .addMethod(create())
        .addMethod(dataset())
        .addMethod(step())
        .addMethod(fit())
        .addMethod(fitWithValidation())
        .addMethod(resume())
        .addMethod(resumeWithValidation())
        .addMethod(evaluate())
        .addMethod(predictArrays())
        .addMethod(predictDataset())
        .addMethod(learningRate())
        .addMethod(globalStep())
        .addMethod(reportedNames())
        .addMethod(summary())
        .addMethod(saveWeights())
        .addMethod(loadWeights())
        .addMethod(loadWeightsMapped())
        .addMethod(exportSavedModel())
        .addMethod(close());
    return JavaFile.builder(model.packageName(), type.build())
        .skipJavaLangImports(true)
        .indent("  ")
        .build();
  }

  private CodeBlock classJavadoc() {
    CodeBlock.Builder doc =
        CodeBlock.builder()
            .add(
                "The training loop of {@link $T}, generated by tfloop from its annotations.\n\n",
                definitionClass)
            .add("<p>Inputs:\n<ul>\n")
            .add(
                model.inputs().stream()
                    .map(input -> "  <li>" + describe(input) + "\n")
                    .collect(Collectors.joining()))
            .add(
                "</ul>\n\n<p>Batches of $L examples; seed $L. Each training batch runs, in order:\n",
                model.batchSize(),
                model.seed())
            .add("<ul>\n")
            .add(
                model.steps().stream()
                    .map(step -> "  <li>" + describe(step) + "\n")
                    .collect(Collectors.joining()))
            .add("</ul>\n\n")
            .add(
                "<p>Build it once with {@link #create}, train with {@link #fit} or {@link #step}, and\n")
            .add("close it: it holds a TensorFlow session. One call at a time: a call made while\n")
            .add(
                "another thread's call runs throws {@link IllegalStateException}, and {@link #close}\n")
            .add("waits for a running call, which stops after its current batch.\n");
    return doc.build();
  }

  private static String describe(Input input) {
    return "{@code "
        + input.name()
        + "}"
        + (input.label() ? " (label)" : "")
        + ": "
        + input.type()
        + " "
        + shape(input);
  }

  /**
   * {@code {@code train}: ADAM (beta1=0.9, beta2=0.999, epsilon=1.0E-7) on {@code loss}, learning
   * rate 0.001}, then the schedule, clipping, frequency and variables where they are not the
   * defaults.
   */
  private static String describe(Step step) {
    return "{@code "
        + step.name()
        + "}: "
        + step.optimizer()
        + describe(step.optimizerSettings())
        + " on {@code "
        + step.loss()
        + "}, learning rate "
        + step.learningRate()
        + (step.schedule() == Schedule.CONSTANT
            ? ""
            : " with " + step.schedule() + describe(step.scheduleSettings()))
        + (step.clipping() == null ? "" : ", " + describe(step.clipping()))
        + (step.every() == 1 ? "" : ", every " + step.every() + " batches")
        + (step.variables().isEmpty() ? "" : ", variables of " + step.variables());
  }

  /** {@code (beta1=0.9, beta2=0.999)}, or nothing for no settings. */
  private static String describe(List<Setting> settings) {
    return settings.isEmpty()
        ? ""
        : settings.stream()
            .map(setting -> setting.parameter().name() + "=" + describe(setting.value()))
            .collect(Collectors.joining(", ", " (", ")"));
  }

  /** A value as {@code @Step} parameters write it: {@code 0.9}, {@code 1000}, {@code 100 200}. */
  private static String describe(Value value) {
    if (value instanceof Value.Counts counts) {
      return counts.values().stream().map(String::valueOf).collect(Collectors.joining(" "));
    }
    if (value instanceof Value.Numbers numbers) {
      return numbers.values().stream().map(String::valueOf).collect(Collectors.joining(" "));
    }
    return literal(value).toString().replaceFirst("L$", "");
  }

  /** A value as Java source: {@code 0.9}, {@code 1000L}, {@code true}, {@code new long[] {1L}}. */
  private static CodeBlock literal(Value value) {
    if (value instanceof Value.Number number) {
      return CodeBlock.of("$L", String.valueOf(number.value()));
    }
    if (value instanceof Value.Count count) {
      return CodeBlock.of("$LL", count.value());
    }
    if (value instanceof Value.Flag flag) {
      return CodeBlock.of("$L", flag.value());
    }
    if (value instanceof Value.Counts counts) {
      return longs(counts.values());
    }
    if (value instanceof Value.Numbers numbers) {
      return doubles(numbers.values());
    }
    throw new IllegalArgumentException("no literal for " + value);
  }

  private static CodeBlock longs(List<Long> values) {
    return CodeBlock.of(
        "new long[] {$L}",
        values.stream().map(value -> CodeBlock.of("$LL", value)).collect(CodeBlock.joining(", ")));
  }

  private static CodeBlock doubles(List<Double> values) {
    return CodeBlock.of(
        "new double[] {$L}",
        values.stream()
            .map(value -> CodeBlock.of("$L", String.valueOf(value)))
            .collect(CodeBlock.joining(", ")));
  }

  private static String describe(Clipping clipping) {
    return switch (clipping.mode()) {
      case VALUE -> "gradients clipped to [-" + clipping.limit() + ", " + clipping.limit() + "]";
      case NORM -> "each gradient clipped to a norm of " + clipping.limit();
      case GLOBAL_NORM -> "gradients clipped to a global norm of " + clipping.limit();
    };
  }

  /** {@code FLOAT32 examples of shape [28, 28]}, or {@code INT32 scalars}. */
  private static String examples(Input input) {
    return input.shape().isEmpty()
        ? input.type() + " scalars"
        : input.type() + " examples of shape " + input.shape();
  }

  private static String shape(Input input) {
    return input.shape().isEmpty() ? "scalar" : input.shape().toString();
  }

  private static FieldSpec inputConstant(Input input) {
    CodeBlock.Builder dimensions = CodeBlock.builder();
    for (int dimension : input.shape()) {
      dimensions.add(", $L", dimension);
    }
    return FieldSpec.builder(
            Names.INPUT_SPEC, input.constant(), Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
        .addJavadoc(
            "The $L {@code $L}: $L.\n",
            input.label() ? "label" : "feature",
            input.name(),
            examples(input))
        .initializer(
            "$T.$L($S, $T.$L$L)",
            Names.INPUT_SPEC,
            input.label() ? "label" : "feature",
            input.name(),
            Names.DTYPE,
            input.type(),
            dimensions.build())
        .build();
  }

  private MethodSpec constructor() {
    return MethodSpec.constructorBuilder()
        .addModifiers(Modifier.PRIVATE)
        .addParameter(Names.TRAINER, "trainer")
        .addStatement("this.trainer = trainer")
        .build();
  }

  /**
   * {@code @SuppressWarnings} for the lint categories that code naming the user's deprecated class
   * (and, if {@code calls}, calling its deprecated methods) would warn about; {@code null} if none.
   * Generated code compiles without warnings whatever the user's class carries.
   */
  private AnnotationSpec suppressDeprecation(boolean calls) {
    Set<Deprecation> deprecations = new TreeSet<>();
    deprecations.add(model.definitionDeprecation());
    if (calls) {
      List<Call> called = new ArrayList<>(model.models());
      called.addAll(model.functionModels());
      called.addAll(model.losses());
      called.forEach(call -> deprecations.add(call.deprecation()));
    }
    List<CodeBlock> warnings = new ArrayList<>();
    for (Deprecation deprecation : deprecations) {
      switch (deprecation) {
        case NONE -> {}
        case DEPRECATED -> warnings.add(CodeBlock.of("$S", "deprecation"));
        case FOR_REMOVAL -> warnings.add(CodeBlock.of("$S", "removal"));
      }
    }
    if (warnings.isEmpty()) {
      return null;
    }
    CodeBlock value =
        warnings.size() == 1
            ? warnings.get(0)
            : CodeBlock.of("{$L}", CodeBlock.join(warnings, ", "));
    return AnnotationSpec.builder(SuppressWarnings.class).addMember("value", "$L", value).build();
  }

  private static MethodSpec.Builder annotated(MethodSpec.Builder method, AnnotationSpec suppress) {
    return suppress == null ? method : method.addAnnotation(suppress);
  }

  private MethodSpec createWithDefaults() {
    return annotated(MethodSpec.methodBuilder("create"), suppressDeprecation(false))
        .addJavadoc(
            "Builds the loop of {@code definition} with {@link $T#defaults()}.\n",
            Names.LOOP_OPTIONS)
        .addModifiers(Modifier.PUBLIC, Modifier.STATIC)
        .returns(loopClass)
        .addParameter(definitionClass, "definition")
        .addStatement("return create(definition, $T.defaults())", Names.LOOP_OPTIONS)
        .build();
  }

  private MethodSpec create() {
    CodeBlock.Builder body = CodeBlock.builder();
    body.addStatement("$T.requireNonNull(definition, $S)", Names.OBJECTS, "definition")
        .addStatement("$T.requireNonNull(options, $S)", Names.OBJECTS, "options")
        .addStatement(
            "$T loop = $T.create($S, $L, $LL, options)",
            Names.LOOP_BUILDER,
            Names.LOOP_BUILDER,
            model.definitionName(),
            model.batchSize(),
            model.seed())
        .beginControlFlow("try");
    if (usesOps()) {
      body.addStatement("$T tf = loop.ops()", Names.OPS);
    }
    for (Input input : model.inputs()) {
      body.addStatement(
          "$T $L = loop.input($L, $T.class)",
          operand(input.type()),
          input.local(),
          input.constant(),
          Names.tensorType(input.type()));
    }
    Set<Call> usedOutputs = usedOutputs();
    for (Call call : model.models()) {
      CodeBlock output =
          CodeBlock.of(
              "loop.output($S, definition.$L($L))", call.method(), call.method(), arguments(call));
      if (usedOutputs.contains(call)) {
        body.addStatement("$T $L = $L", operand(call.returns()), call.local(), output);
      } else {
        body.addStatement("$L", output);
      }
    }
    for (Call function : model.functionModels()) {
      // each application builds the model again on its input, sharing the same variables
      body.addStatement(
          "$T $L = input -> definition.$L($L)",
          ParameterizedTypeName.get(Names.NETWORK, Names.tensorType(function.returns())),
          function.local(),
          function.method(),
          arguments(function));
    }
    if (model.standardLoss() != null) {
      StandardLoss loss = model.standardLoss();
      body.addStatement(
          "loop.loss($S, $T.$L(tf, $L, $L, $L))",
          loss.name(),
          Names.LOSSES,
          lossMethod(loss.function()),
          loss.model().local(),
          loss.label().local(),
          lossOptions(loss));
    }
    for (Call call : model.losses()) {
      body.addStatement(
          "loop.loss($S, definition.$L($L))", call.method(), call.method(), arguments(call));
    }
    for (LoopModel.Metric metric : model.metrics()) {
      CodeBlock factory = metricFactory(metric);
      if (!metric.reportedAs().equals(runtimeName(metric.computation()))) {
        factory = CodeBlock.of("$L.named($S)", factory, metric.reportedAs());
      }
      body.addStatement(
          "loop.metric($L, $L, $L)",
          factory,
          metric.predictions().local(),
          metric.labels().local());
    }
    for (Step step : model.steps()) {
      body.addStatement("loop.step($L)", stepSpec(step));
    }
    body.addStatement("return new $T($T.start(loop.build()))", loopClass, Names.TRAINER)
        .nextControlFlow("catch ($T | $T e)", RuntimeException.class, Error.class)
        .addStatement("loop.abort()")
        .addStatement("throw e")
        .endControlFlow();
    return annotated(MethodSpec.methodBuilder("create"), suppressDeprecation(true))
        .addJavadoc(
            "Builds the graph of {@code definition} once: calls its {@code @Model} and\n"
                + "{@code @Loss} methods, adds gradients and optimizer updates, opens a session and\n"
                + "initialises every variable.\n\n"
                + "@throws IllegalArgumentException if a method builds something the loop cannot use,\n"
                + "    such as a loss that is not a scalar\n")
        .addModifiers(Modifier.PUBLIC, Modifier.STATIC)
        .returns(loopClass)
        .addParameter(definitionClass, "definition")
        .addParameter(Names.LOOP_OPTIONS, "options")
        .addCode(body.build())
        .build();
  }

  private boolean usesOps() {
    List<Call> calls = new ArrayList<>(model.models());
    calls.addAll(model.functionModels());
    calls.addAll(model.losses());
    return model.standardLoss() != null
        || calls.stream()
            .flatMap(call -> call.arguments().stream())
            .anyMatch(argument -> argument instanceof LoopModel.OpsArgument);
  }

  /** The runtime {@code Losses} method of a built-in loss. */
  private static String lossMethod(LossFunction function) {
    return switch (function) {
      case MEAN_SQUARED_ERROR -> "meanSquaredError";
      case MEAN_ABSOLUTE_ERROR -> "meanAbsoluteError";
      case HUBER -> "huber";
      case SPARSE_CATEGORICAL_CROSSENTROPY -> "sparseCategoricalCrossentropy";
      case CATEGORICAL_CROSSENTROPY -> "categoricalCrossentropy";
      case BINARY_CROSSENTROPY -> "binaryCrossentropy";
    };
  }

  /**
   * The arguments of a standard loss after predictions and labels: {@code true, Reduction.MEAN}.
   */
  private static CodeBlock lossOptions(StandardLoss loss) {
    List<CodeBlock> options = new ArrayList<>();
    switch (loss.function()) {
      case MEAN_SQUARED_ERROR, MEAN_ABSOLUTE_ERROR -> {}
      case HUBER -> options.add(CodeBlock.of("$L", String.valueOf(loss.delta())));
      case SPARSE_CATEGORICAL_CROSSENTROPY, CATEGORICAL_CROSSENTROPY, BINARY_CROSSENTROPY ->
          options.add(CodeBlock.of("$L", loss.fromLogits()));
    }
    options.add(CodeBlock.of("$T.$L", Names.REDUCTION, reduction(loss.reduction())));
    return CodeBlock.join(options, ", ");
  }

  /** The runtime {@code Reduction} constant of a {@code LossReduction}. */
  private static String reduction(LossReduction reduction) {
    return switch (reduction) {
      case MEAN -> "MEAN";
      case SUM -> "SUM";
    };
  }

  /** The runtime {@code Metrics} call that makes a metric: {@code Metrics.binaryAccuracy(true)}. */
  private static CodeBlock metricFactory(LoopModel.Metric metric) {
    return switch (metric.computation()) {
      case CLASS_ACCURACY -> CodeBlock.of("$T.accuracy()", Names.METRICS);
      case CATEGORICAL_ACCURACY -> CodeBlock.of("$T.categoricalAccuracy()", Names.METRICS);
      case BINARY_ACCURACY ->
          CodeBlock.of("$T.binaryAccuracy($L)", Names.METRICS, metric.fromLogits());
      case PRECISION -> CodeBlock.of("$T.precision($L)", Names.METRICS, metric.fromLogits());
      case RECALL -> CodeBlock.of("$T.recall($L)", Names.METRICS, metric.fromLogits());
      case F1 -> CodeBlock.of("$T.f1($L)", Names.METRICS, metric.fromLogits());
      case AUC -> CodeBlock.of("$T.auc($L)", Names.METRICS, metric.fromLogits());
      case MEAN_ABSOLUTE_ERROR -> CodeBlock.of("$T.meanAbsoluteError()", Names.METRICS);
      case ROOT_MEAN_SQUARED_ERROR -> CodeBlock.of("$T.rootMeanSquaredError()", Names.METRICS);
    };
  }

  /** The name the runtime's metric reports itself under, unless renamed. */
  private static String runtimeName(Computation computation) {
    return switch (computation) {
      case CLASS_ACCURACY -> "accuracy";
      case CATEGORICAL_ACCURACY -> "categorical_accuracy";
      case BINARY_ACCURACY -> "binary_accuracy";
      case PRECISION -> "precision";
      case RECALL -> "recall";
      case F1 -> "f1";
      case AUC -> "auc";
      case MEAN_ABSOLUTE_ERROR -> "mae";
      case ROOT_MEAN_SQUARED_ERROR -> "rmse";
    };
  }

  private Set<Call> usedOutputs() {
    Set<Call> used = new HashSet<>();
    for (Call loss : model.losses()) {
      for (Argument argument : loss.arguments()) {
        if (argument instanceof LoopModel.OutputArgument output) {
          used.add(output.model());
        }
      }
    }
    for (LoopModel.Metric metric : model.metrics()) {
      used.add(metric.predictions());
    }
    if (model.standardLoss() != null) {
      used.add(model.standardLoss().model());
    }
    return used;
  }

  private static CodeBlock arguments(Call call) {
    List<CodeBlock> arguments = new ArrayList<>();
    for (Argument argument : call.arguments()) {
      if (argument instanceof LoopModel.OpsArgument) {
        arguments.add(CodeBlock.of("tf"));
      } else if (argument instanceof LoopModel.LayersArgument layers) {
        arguments.add(CodeBlock.of("loop.layers($S)", layers.group()));
      } else if (argument instanceof LoopModel.InputArgument input) {
        arguments.add(CodeBlock.of("$L", input.input().local()));
      } else if (argument instanceof LoopModel.OutputArgument output) {
        arguments.add(CodeBlock.of("$L", output.model().local()));
      } else if (argument instanceof LoopModel.FunctionInputArgument) {
        arguments.add(CodeBlock.of("input"));
      } else if (argument instanceof LoopModel.NetworkArgument network) {
        arguments.add(CodeBlock.of("$L", network.model().local()));
      }
    }
    return CodeBlock.join(arguments, ", ");
  }

  private static CodeBlock stepSpec(Step step) {
    CodeBlock.Builder spec =
        CodeBlock.builder()
            .add("$T.named($S)\n", Names.STEP_SPEC, step.name())
            .add(".minimizing($S)\n", step.loss())
            .add(
                ".optimizer($T.$L($L))\n",
                Names.OPTIMIZERS,
                optimizerFactory(step.optimizer()),
                step.optimizerSettings().stream()
                    .map(setting -> literal(setting.value()))
                    .collect(CodeBlock.joining(", ")))
            .add(
                ".learningRate($T.$L($L))",
                Names.LEARNING_RATES,
                scheduleFactory(step.schedule()),
                scheduleArguments(step));
    if (step.clipping() != null) {
      spec.add(
          "\n.clipping($T.$L($L))",
          Names.CLIPPING,
          clippingFactory(step.clipping().mode()),
          step.clipping().limit());
    }
    if (step.every() != 1) {
      spec.add("\n.every($L)", step.every());
    }
    if (!step.variables().isEmpty()) {
      spec.add(
          "\n.variables($L)",
          step.variables().stream()
              .map(group -> CodeBlock.of("$S", group))
              .collect(CodeBlock.joining(", ")));
    }
    return spec.build();
  }

  /** The runtime {@code Optimizers} factory of an optimizer. */
  private static String optimizerFactory(Optimizer optimizer) {
    return switch (optimizer) {
      case SGD -> "sgd";
      case MOMENTUM -> "momentum";
      case ADAM -> "adam";
      case ADAMAX -> "adamax";
      case NADAM -> "nadam";
      case RMSPROP -> "rmsProp";
      case ADAGRAD -> "adaGrad";
      case ADAGRAD_DA -> "adaGradDA";
      case ADADELTA -> "adaDelta";
      case FTRL -> "ftrl";
    };
  }

  /** The runtime {@code LearningRates} factory of a schedule. */
  private static String scheduleFactory(Schedule schedule) {
    return switch (schedule) {
      case CONSTANT -> "constant";
      case EXPONENTIAL_DECAY -> "exponentialDecay";
      case PIECEWISE_CONSTANT -> "piecewiseConstant";
      case POLYNOMIAL_DECAY -> "polynomialDecay";
      case COSINE_DECAY -> "cosineDecay";
    };
  }

  /**
   * The schedule factory's arguments: the learning rate, then the settings; {@code
   * piecewiseConstant} takes the boundaries and every rate, the learning rate first.
   */
  private static CodeBlock scheduleArguments(Step step) {
    CodeBlock rate = CodeBlock.of("$L", String.valueOf(step.learningRate()));
    return switch (step.schedule()) {
      case PIECEWISE_CONSTANT -> {
        CodeBlock boundaries = null;
        List<Double> rates = new ArrayList<>(List.of(step.learningRate()));
        for (Setting setting : step.scheduleSettings()) {
          switch (setting.parameter().name()) {
            case "boundaries" -> boundaries = literal(setting.value());
            case "values" -> rates.addAll(((Value.Numbers) setting.value()).values());
            default ->
                throw new IllegalArgumentException(
                    "PIECEWISE_CONSTANT takes no " + setting.parameter().name());
          }
        }
        yield CodeBlock.of("$L, $L", boundaries, doubles(rates));
      }
      case CONSTANT, EXPONENTIAL_DECAY, POLYNOMIAL_DECAY, COSINE_DECAY ->
          CodeBlock.join(
              java.util.stream.Stream.concat(
                      java.util.stream.Stream.of(rate),
                      step.scheduleSettings().stream().map(setting -> literal(setting.value())))
                  .toList(),
              ", ");
    };
  }

  /** The runtime {@code Clipping} factory of a clipping mode. */
  private static String clippingFactory(Clipping.Mode mode) {
    return switch (mode) {
      case VALUE -> "byValue";
      case NORM -> "byNorm";
      case GLOBAL_NORM -> "byGlobalNorm";
    };
  }

  private MethodSpec dataset() {
    MethodSpec.Builder method =
        MethodSpec.methodBuilder("dataset")
            .addJavadoc(
                "A dataset of every input, from flat arrays holding the same number of"
                    + " examples.\n")
            .addModifiers(Modifier.PUBLIC, Modifier.STATIC)
            .returns(Names.DATASET);
    CodeBlock.Builder builder = CodeBlock.builder().add("return $T.builder()", Names.DATASET);
    for (Input input : model.inputs()) {
      method.addParameter(arrayOf(input.type()), input.local());
      builder.add("\n.add($L, $L)", input.constant(), input.local());
    }
    return method.addStatement("$L\n.build()", builder.build()).build();
  }

  private MethodSpec step() {
    Input first = model.inputs().get(0);
    Step firstStep = model.steps().get(0);
    MethodSpec.Builder method =
        MethodSpec.methodBuilder("step")
            .addJavadoc(
                "Trains on one batch: runs "
                    + (model.steps().size() == 1 ? "the step" : "each step once, in order,")
                    + " and returns the loss {@code $L} minimises,\ncomputed before the update.\n\n",
                firstStep.name())
            .addModifiers(Modifier.PUBLIC)
            .returns(TypeName.FLOAT);
    for (Input input : model.inputs()) {
      method
          .addParameter(arrayOf(input.type()), input.local())
          .addJavadoc("@param $L $L, example after example\n", input.local(), examples(input));
    }
    method.addJavadoc(
        "@throws IllegalArgumentException if the arrays do not hold the same whole"
            + " number of examples\n");
    method.addStatement("int examples = $L.examplesIn($L.length)", first.constant(), first.local());
    for (Input input : model.inputs().subList(1, model.inputs().size())) {
      method.addStatement(
          "$L.requireExamples($L.length, examples)", input.constant(), input.local());
    }
    method
        .addStatement("$T batch = trainer.beginStep(examples)", Names.BATCH)
        .beginControlFlow("try");
    for (Input input : model.inputs()) {
      method.addStatement("batch.put($L, $L)", input.constant(), input.local());
    }
    return method
        .addStatement("return trainer.trainStep(batch)")
        .nextControlFlow("finally")
        .addStatement("trainer.endStep()")
        .endControlFlow()
        .build();
  }

  private MethodSpec fit() {
    return MethodSpec.methodBuilder("fit")
        .addJavadoc(
            "Trains for the options' epochs on {@code train}, which needs a column for\n"
                + "every input. With checkpoints, refuses a directory holding checkpoints this fit"
                + " did not\nwrite (see {@code CheckpointPolicy.startFresh()}).\n")
        .addModifiers(Modifier.PUBLIC)
        .returns(Names.HISTORY)
        .addParameter(Names.DATASET, "train")
        .addStatement("return trainer.fit(train, null)")
        .build();
  }

  private MethodSpec fitWithValidation() {
    return MethodSpec.methodBuilder("fit")
        .addJavadoc(
            "Trains for the options' epochs on {@code train}, evaluating {@code"
                + " validation}\nafter each epoch ({@code val_} values in the history).\n")
        .addModifiers(Modifier.PUBLIC)
        .returns(Names.HISTORY)
        .addParameter(Names.DATASET, "train")
        .addParameter(Names.DATASET, "validation")
        .addStatement("return trainer.fit(train, validation)")
        .build();
  }

  private MethodSpec resume() {
    return MethodSpec.methodBuilder("resume")
        .addJavadoc(
            "Continues the fit saved in the newest usable checkpoint of the options'\n"
                + "checkpoint directory, exactly where it stopped; with none there, fits from the"
                + " start.\nRefuses checkpoints of another model or other training data, and a"
                + " directory whose\ncheckpoints are all unusable, before anything changes.\n")
        .addModifiers(Modifier.PUBLIC)
        .returns(Names.HISTORY)
        .addParameter(Names.DATASET, "train")
        .addStatement("return trainer.resume(train, null)")
        .build();
  }

  private MethodSpec resumeWithValidation() {
    return MethodSpec.methodBuilder("resume")
        .addJavadoc(
            "Continues the checkpointed fit on {@code train}, evaluating {@code"
                + " validation}\nafter each epoch; with no checkpoint, fits from the start.\n")
        .addModifiers(Modifier.PUBLIC)
        .returns(Names.HISTORY)
        .addParameter(Names.DATASET, "train")
        .addParameter(Names.DATASET, "validation")
        .addStatement("return trainer.resume(train, validation)")
        .build();
  }

  private MethodSpec evaluate() {
    return MethodSpec.methodBuilder("evaluate")
        .addJavadoc(
            "Every loss and metric over all of {@code data}, in batches, without" + " training.\n")
        .addModifiers(Modifier.PUBLIC)
        .returns(Names.EVALUATION)
        .addParameter(Names.DATASET, "data")
        .addStatement("return trainer.evaluate(data)")
        .build();
  }

  private MethodSpec predictArrays() {
    Call primary = model.primaryModel();
    MethodSpec.Builder method =
        MethodSpec.methodBuilder("predict")
            .addJavadoc(
                "The output of {@code $L} for every example, flat, example after example.\n",
                primary.method())
            .addModifiers(Modifier.PUBLIC)
            .returns(arrayOf(primary.returns()));
    CodeBlock.Builder features = CodeBlock.builder().add("$T.builder()", Names.DATASET);
    for (Input input : modelInputs(primary)) {
      method.addParameter(ParameterSpec.builder(arrayOf(input.type()), input.local()).build());
      features.add(".add($L, $L)", input.constant(), input.local());
    }
    return method
        .addStatement("return trainer.$L($L.build())", predictMethod(primary), features.build())
        .build();
  }

  /** The inputs a model call takes: what predicting with it needs. */
  private static List<Input> modelInputs(Call model) {
    List<Input> inputs = new ArrayList<>();
    for (Argument argument : model.arguments()) {
      if (argument instanceof LoopModel.InputArgument input && !inputs.contains(input.input())) {
        inputs.add(input.input());
      }
    }
    return inputs;
  }

  private MethodSpec predictDataset() {
    Call primary = model.primaryModel();
    return MethodSpec.methodBuilder("predict")
        .addJavadoc(
            "The output of {@code $L} for every example of {@code data}, flat; only the"
                + " columns of\nthe inputs {@code $L} takes are needed.\n",
            primary.method(),
            primary.method())
        .addModifiers(Modifier.PUBLIC)
        .returns(arrayOf(primary.returns()))
        .addParameter(Names.DATASET, "data")
        .addStatement("return trainer.$L(data)", predictMethod(primary))
        .build();
  }

  private static String predictMethod(Call model) {
    return model.returns() == DataType.FLOAT64 ? "predictDoubles" : "predictFloats";
  }

  private MethodSpec learningRate() {
    Step first = model.steps().get(0);
    return MethodSpec.methodBuilder("learningRate")
        .addJavadoc(
            "The learning rate of {@code $L}'s next update, from its schedule and update"
                + " count.\n",
            first.name())
        .addModifiers(Modifier.PUBLIC)
        .returns(TypeName.DOUBLE)
        .addStatement("return trainer.learningRate($S)", first.name())
        .build();
  }

  private MethodSpec globalStep() {
    return MethodSpec.methodBuilder("globalStep")
        .addJavadoc("Training batches run since the loop was created.\n")
        .addModifiers(Modifier.PUBLIC)
        .returns(TypeName.LONG)
        .addStatement("return trainer.globalStep()")
        .build();
  }

  private MethodSpec exportSavedModel() {
    return MethodSpec.methodBuilder("exportSavedModel")
        .addJavadoc(
            "Exports the model, its weights as they are now, as a SavedModel in the new\n"
                + "directory {@code directory}, with a {@code serving_default} signature from each"
                + " feature\nthe model reads to {@code output}.\n")
        .addModifiers(Modifier.PUBLIC)
        .addParameter(Names.PATH, "directory")
        .addStatement("trainer.exportSavedModel(directory)")
        .build();
  }

  /**
   * {@code Values}: a constant for each name an epoch of a fit reports, so that a listener that
   * monitors one names it with the compiler's help.
   */
  private TypeSpec valuesClass() {
    TypeSpec.Builder values =
        TypeSpec.classBuilder("Values")
            .addModifiers(Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
            .addJavadoc(
                "The names each epoch of {@link $L#fit} reports (in {@code History} and"
                    + " {@code EpochLog}),\nfor listeners that monitor one:"
                    + " {@code EarlyStopping.monitoring($L.Values.$L)}.\nThe {@code val_} names are"
                    + " reported when {@code fit} is given validation data.\n",
                model.loopClassName(),
                model.loopClassName(),
                model.values().stream()
                    .filter(value -> value.kind() == ValueKind.VALIDATION_LOSS)
                    .findFirst()
                    .orElseThrow()
                    .constant());
    for (ReportedValue value : model.values()) {
      values.addField(
          FieldSpec.builder(
                  String.class, value.constant(), Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
              .addJavadoc(valueJavadoc(value))
              .initializer("$S", value.name())
              .build());
    }
    return values
        .addMethod(MethodSpec.constructorBuilder().addModifiers(Modifier.PRIVATE).build())
        .build();
  }

  private static String valueJavadoc(ReportedValue value) {
    return switch (value.kind()) {
      case LOSS -> "The loss {@code " + value.of() + "} over the epoch's training batches.\n";
      case METRIC -> "The metric {@code " + value.of() + "} over the epoch's training batches.\n";
      case SKIPPED_BATCHES ->
          "Batches skipped as non-finite in the epoch, with"
              + " {@code LoopOptions.nonFinite(NonFinite.SKIP)}.\n";
      case VALIDATION_LOSS -> "The loss {@code " + value.of() + "} over the validation data.\n";
      case VALIDATION_METRIC -> "The metric {@code " + value.of() + "} over the validation data.\n";
      case LEARNING_RATE ->
          "The learning rate of {@code " + value.of() + "}'s next update when the epoch ended.\n";
    };
  }

  private MethodSpec reportedNames() {
    return MethodSpec.methodBuilder("reportedNames")
        .addJavadoc(
            "The names each epoch of a fit reports, in order ({@link Values} holds each); the"
                + " {@code val_}\nones with {@code withValidation}.\n")
        .addModifiers(Modifier.PUBLIC)
        .returns(ParameterizedTypeName.get(Names.LIST, ClassName.get(String.class)))
        .addParameter(TypeName.BOOLEAN, "withValidation")
        .addStatement("return trainer.reportedNames(withValidation)")
        .build();
  }

  private MethodSpec summary() {
    return MethodSpec.methodBuilder("summary")
        .addJavadoc(
            "The model layer by layer: output shapes, parameters (trainable and not) and the"
                + " totals,\nas Keras's {@code model.summary()} shows them; print it.\n")
        .addModifiers(Modifier.PUBLIC)
        .returns(Names.MODEL_SUMMARY)
        .addStatement("return trainer.summary()")
        .build();
  }

  private MethodSpec saveWeights() {
    return MethodSpec.methodBuilder("saveWeights")
        .addJavadoc(
            "Writes the weights alone (trainable variables and model state, no optimizer state)"
                + " to\n{@code <prefix>.index} and {@code <prefix>.data-00000-of-00001}: a"
                + " TensorFlow checkpoint that\n{@link #loadWeights(Path)}, TensorFlow's"
                + " {@code RestoreV2} and {@code tf.train.load_checkpoint} read.\n")
        .addModifiers(Modifier.PUBLIC)
        .addParameter(Names.PATH, "prefix")
        .addStatement("trainer.saveWeights(prefix)")
        .build();
  }

  private MethodSpec loadWeights() {
    return MethodSpec.methodBuilder("loadWeights")
        .addJavadoc(
            "Sets the weights by variable name from {@code path}: a prefix {@link #saveWeights}"
                + " wrote,\na fit's {@code ckpt-<n>} directory, a TensorFlow checkpoint,"
                + " SavedModel or Keras file;\nthe optimizer's state stays as it is.\n\n"
                + "@return what was loaded into what\n"
                + "@throws io.github.tfloop.weights.WeightMappingException listing every"
                + " mismatch, before any\n    weight changes\n")
        .addModifiers(Modifier.PUBLIC)
        .returns(Names.WEIGHT_PLAN)
        .addParameter(Names.PATH, "path")
        .addStatement("return trainer.loadWeights(path)")
        .build();
  }

  private MethodSpec loadWeightsMapped() {
    return MethodSpec.methodBuilder("loadWeights")
        .addJavadoc(
            "As {@link #loadWeights(Path)}, with the source's entries mapped onto the loop's"
                + " variables\nas {@code weights} says.\n")
        .addModifiers(Modifier.PUBLIC)
        .returns(Names.WEIGHT_PLAN)
        .addParameter(Names.INITIAL_WEIGHTS, "weights")
        .addStatement("return trainer.loadWeights(weights)")
        .build();
  }

  private MethodSpec close() {
    return MethodSpec.methodBuilder("close")
        .addJavadoc("Frees the session, the graph and every tensor.\n")
        .addAnnotation(Override.class)
        .addModifiers(Modifier.PUBLIC)
        .addStatement("trainer.close()")
        .build();
  }

  private static TypeName operand(DataType type) {
    return ParameterizedTypeName.get(Names.OPERAND, Names.tensorType(type));
  }

  private static TypeName arrayOf(DataType type) {
    return switch (type) {
      case FLOAT32 -> ArrayTypeName.of(TypeName.FLOAT);
      case FLOAT64 -> ArrayTypeName.of(TypeName.DOUBLE);
      case INT32 -> ArrayTypeName.of(TypeName.INT);
      case INT64 -> ArrayTypeName.of(TypeName.LONG);
    };
  }
}
