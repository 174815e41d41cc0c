package io.github.tfloop.processor.model;

import io.github.tfloop.processor.model.Hyperparameters.Parameter;
import io.github.tfloop.processor.model.Hyperparameters.Signature;
import io.github.tfloop.processor.model.LoopModel.Argument;
import io.github.tfloop.processor.model.LoopModel.Call;
import io.github.tfloop.processor.model.LoopModel.Input;
import io.github.tfloop.processor.model.LoopModel.StandardLoss;
import io.github.tfloop.processor.parse.InputDeclaration;
import io.github.tfloop.processor.parse.LoopDeclaration;
import io.github.tfloop.processor.parse.MethodDeclaration;
import io.github.tfloop.processor.parse.MethodDeclaration.Role;
import io.github.tfloop.processor.parse.ParameterDeclaration;
import io.github.tfloop.processor.parse.StandardLossDeclaration;
import io.github.tfloop.processor.parse.StepDeclaration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Turns a validated {@link LoopDeclaration} into the {@link LoopModel} to write. */
public final class LoopModelFactory {

  /**
   * Names the generated methods use for themselves, which an input's local (also the name of its
   * parameter in {@code step}, {@code dataset} and {@code predict}) must not take: the locals of
   * {@code create} and {@code step}, the parameter of a function model's lambda, and the loop's
   * {@code engine} field.
   */
  private static final List<String> RESERVED_LOCALS =
      List.of("definition", "options", "loop", "tf", "e", "engine", "examples", "batch", "input");

  private final Set<String> locals = new HashSet<>(RESERVED_LOCALS);
  private final Set<String> constants = new HashSet<>();
  private final Map<String, Input> inputs = new LinkedHashMap<>();
  private final Map<String, Call> models = new HashMap<>();

  private LoopModelFactory() {}

  /** The loop class's simple name: the declared one, or the class's flat name plus {@code Loop}. */
  public static String loopClassName(LoopDeclaration loop) {
    return loop.loopName().isEmpty() ? loop.flatName() + "Loop" : loop.loopName();
  }

  public static LoopModel create(LoopDeclaration loop) {
    return new LoopModelFactory().build(loop);
  }

  private LoopModel build(LoopDeclaration loop) {
    for (MethodDeclaration method : loop.methods()) {
      for (ParameterDeclaration parameter : method.parameters()) {
        if (parameter.input() != null) {
          inputs.computeIfAbsent(parameter.input().name(), name -> input(parameter));
        }
      }
    }
    List<Call> featureModels = new ArrayList<>();
    List<Call> functionModels = new ArrayList<>();
    for (MethodDeclaration method : loop.methods(Role.MODEL)) {
      Call call =
          new Call(
              method.name(),
              local(method.name()),
              method.returnType().dataType(),
              arguments(method, loop));
      models.put(method.name(), call);
      (method.isFunctionModel() ? functionModels : featureModels).add(call);
    }
    StandardLoss standardLoss = standardLoss(loop);
    List<Call> lossCalls = new ArrayList<>();
    for (MethodDeclaration method : loop.methods(Role.LOSS)) {
      lossCalls.add(
          new Call(
              method.name(),
              local(method.name()),
              method.returnType().dataType(),
              arguments(method, loop)));
    }
    Input metricLabel =
        standardLoss != null
            ? standardLoss.label()
            : inputs.values().stream().filter(Input::label).findFirst().orElse(null);
    List<LoopModel.Metric> metrics = new ArrayList<>();
    for (String metric : loop.metrics()) {
      metrics.add(metric(metric, loop.logits(), featureModels.get(0), metricLabel));
    }
    List<LoopModel.Step> steps = new ArrayList<>();
    for (MethodDeclaration method : loop.methods(Role.STEP)) {
      String loss = method.step().loss().isEmpty() ? loop.lossNames().get(0) : method.step().loss();
      steps.add(step(method.name(), loss, method.step()));
    }
    return new LoopModel(
        loop.element(),
        loop.packageName(),
        loopClassName(loop),
        loop.flatName(),
        loop.batchSize(),
        loop.seed(),
        List.copyOf(inputs.values()),
        List.copyOf(featureModels),
        List.copyOf(functionModels),
        standardLoss,
        List.copyOf(lossCalls),
        List.copyOf(metrics),
        List.copyOf(steps));
  }

  private Input input(ParameterDeclaration parameter) {
    InputDeclaration declaration = parameter.input();
    return new Input(
        declaration.name(),
        declaration.label(),
        parameter.type().dataType(),
        declaration.shape(),
        constant(declaration.name()),
        local(declaration.name()));
  }

  private List<Argument> arguments(MethodDeclaration method, LoopDeclaration loop) {
    List<Argument> arguments = new ArrayList<>();
    ParameterDeclaration functionInput = method.functionInput();
    for (ParameterDeclaration parameter : method.parameters()) {
      if (parameter.input() != null) {
        arguments.add(new LoopModel.InputArgument(inputs.get(parameter.input().name())));
      } else if (parameter == functionInput) {
        arguments.add(new LoopModel.FunctionInputArgument());
      } else {
        arguments.add(
            switch (parameter.type().kind()) {
              case OPS -> new LoopModel.OpsArgument();
              case LAYERS -> new LoopModel.LayersArgument(method.name());
              case NETWORK ->
                  new LoopModel.NetworkArgument(models.get(loop.networkFor(parameter).name()));
              default -> new LoopModel.OutputArgument(models.get(loop.modelFor(parameter).name()));
            });
      }
    }
    return List.copyOf(arguments);
  }

  private StandardLoss standardLoss(LoopDeclaration loop) {
    StandardLossDeclaration declaration = loop.standardLoss();
    if (declaration == null) {
      return null;
    }
    Call model = models.get(loop.standardLossModel().name());
    Input label = inputs.get(declaration.label());
    if (label == null) {
      label =
          new Input(
              declaration.label(),
              true,
              loop.standardLossLabelType(),
              declaration.labelShape(),
              constant(declaration.label()),
              local(declaration.label()));
      inputs.put(label.name(), label);
    }
    String reduction = declaration.reduction();
    String logits = String.valueOf(declaration.fromLogits());
    return switch (declaration.function()) {
      case "MEAN_SQUARED_ERROR" ->
          new StandardLoss(
              declaration.name(), "meanSquaredError", model, label, List.of(), reduction);
      case "MEAN_ABSOLUTE_ERROR" ->
          new StandardLoss(
              declaration.name(), "meanAbsoluteError", model, label, List.of(), reduction);
      case "HUBER" ->
          new StandardLoss(
              declaration.name(),
              "huber",
              model,
              label,
              List.of(String.valueOf(declaration.delta())),
              reduction);
      case "SPARSE_CATEGORICAL_CROSSENTROPY" ->
          new StandardLoss(
              declaration.name(),
              "sparseCategoricalCrossentropy",
              model,
              label,
              List.of(logits),
              reduction);
      case "CATEGORICAL_CROSSENTROPY" ->
          new StandardLoss(
              declaration.name(),
              "categoricalCrossentropy",
              model,
              label,
              List.of(logits),
              reduction);
      case "BINARY_CROSSENTROPY" ->
          new StandardLoss(
              declaration.name(), "binaryCrossentropy", model, label, List.of(logits), reduction);
      default -> throw new IllegalArgumentException("unknown loss " + declaration.function());
    };
  }

  /**
   * The runtime factory of a {@code Metric} constant, chosen by the label it is computed against.
   */
  private static LoopModel.Metric metric(
      String constant, boolean logits, Call predictions, Input label) {
    String fromLogits = String.valueOf(logits);
    boolean integer = !label.type().isFloating();
    boolean oneHot = label.shape().size() == 1 && label.shape().get(0) > 1;
    return switch (constant) {
      case "ACCURACY" ->
          integer
              ? new LoopModel.Metric("accuracy", "", null, predictions, label)
              : oneHot
                  ? new LoopModel.Metric("categoricalAccuracy", "", "accuracy", predictions, label)
                  : new LoopModel.Metric(
                      "binaryAccuracy", fromLogits, "accuracy", predictions, label);
      case "SPARSE_CATEGORICAL_ACCURACY" ->
          new LoopModel.Metric("accuracy", "", "sparse_categorical_accuracy", predictions, label);
      case "CATEGORICAL_ACCURACY" ->
          new LoopModel.Metric("categoricalAccuracy", "", null, predictions, label);
      case "BINARY_ACCURACY" ->
          new LoopModel.Metric("binaryAccuracy", fromLogits, null, predictions, label);
      case "PRECISION", "RECALL", "F1", "AUC" ->
          new LoopModel.Metric(
              constant.toLowerCase(Locale.ROOT), fromLogits, null, predictions, label);
      case "MAE" -> new LoopModel.Metric("meanAbsoluteError", "", null, predictions, label);
      case "RMSE" -> new LoopModel.Metric("rootMeanSquaredError", "", null, predictions, label);
      default -> throw new IllegalArgumentException("unknown metric " + constant);
    };
  }

  /** A step with its optimizer, schedule and clipping spelled out, defaults filled in. */
  private static LoopModel.Step step(String name, String loss, StepDeclaration step) {
    Signature optimizer = Hyperparameters.optimizer(step.optimizer());
    List<String> optimizerArguments = new ArrayList<>();
    Hyperparameters.resolve(optimizer, step.params())
        .forEach(
            (parameter, value) ->
                optimizerArguments.add(literal(optimizer.parameter(parameter), value)));
    Signature schedule = Hyperparameters.schedule(step.schedule());
    Map<String, String> scheduleValues = Hyperparameters.resolve(schedule, step.scheduleParams());
    List<String> scheduleArguments = new ArrayList<>();
    String rate = String.valueOf(step.learningRate());
    if (step.schedule().equals("PIECEWISE_CONSTANT")) {
      scheduleArguments.add(
          "new long[] {"
              + String.join(
                  ", ",
                  Hyperparameters.listItems(scheduleValues.get("boundaries")).stream()
                      .map(boundary -> Long.parseLong(boundary) + "L")
                      .toList())
              + "}");
      List<String> rates = new ArrayList<>(List.of(rate));
      Hyperparameters.listItems(scheduleValues.get("values"))
          .forEach(value -> rates.add(String.valueOf(Double.parseDouble(value))));
      scheduleArguments.add("new double[] {" + String.join(", ", rates) + "}");
    } else {
      scheduleArguments.add(rate);
      scheduleValues.forEach(
          (parameter, value) ->
              scheduleArguments.add(literal(schedule.parameter(parameter), value)));
    }
    StepDeclaration.Clip clip =
        step.clipping().stream()
            .filter(candidate -> candidate.limit() > 0)
            .findFirst()
            .orElse(null);
    return new LoopModel.Step(
        name,
        loss,
        step.optimizer(),
        optimizer.factory(),
        List.copyOf(optimizerArguments),
        schedule.factory(),
        List.copyOf(scheduleArguments),
        clip == null ? null : clippingFactory(clip.attribute()),
        clip == null ? null : clip.limit(),
        step.every(),
        step.variables());
  }

  private static String clippingFactory(String attribute) {
    return switch (attribute) {
      case "clipValue" -> "byValue";
      case "clipNorm" -> "byNorm";
      default -> "byGlobalNorm";
    };
  }

  /** A parameter's value as Java source: {@code 0.9}, {@code 1000L}, {@code true}. */
  private static String literal(Parameter parameter, String value) {
    return switch (parameter.kind()) {
      case BOOLEAN -> value;
      case COUNT, NON_NEGATIVE_COUNT -> Long.parseLong(value) + "L";
      default -> String.valueOf(Double.parseDouble(value));
    };
  }

  /** A local variable name not yet used in {@code create}. */
  private String local(String base) {
    String name = base;
    for (int suffix = 2; !locals.add(name); suffix++) {
      name = base + suffix;
    }
    return name;
  }

  /** An UPPER_SNAKE constant name for an input, unique in the generated class. */
  private String constant(String inputName) {
    String base = inputName.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
    String name = base;
    for (int suffix = 2; !constants.add(name); suffix++) {
      name = base + "_" + suffix;
    }
    return name;
  }
}
