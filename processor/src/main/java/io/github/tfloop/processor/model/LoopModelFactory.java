package io.github.tfloop.processor.model;

import io.github.tfloop.annotations.Metric;
import io.github.tfloop.processor.model.LoopModel.Argument;
import io.github.tfloop.processor.model.LoopModel.Call;
import io.github.tfloop.processor.model.LoopModel.Computation;
import io.github.tfloop.processor.model.LoopModel.Input;
import io.github.tfloop.processor.model.LoopModel.ReportedValue;
import io.github.tfloop.processor.model.LoopModel.StandardLoss;
import io.github.tfloop.processor.model.LoopModel.ValueKind;
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
              arguments(method, loop),
              method.deprecation());
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
              arguments(method, loop),
              method.deprecation()));
    }
    List<LoopModel.Metric> metrics = new ArrayList<>();
    if (!loop.metrics().isEmpty()) {
      Input label = inputs.get(loop.metricLabel().name());
      for (Metric metric : loop.metrics()) {
        metrics.add(metric(metric, loop.logits(), featureModels.get(0), label));
      }
    }
    List<LoopModel.Step> steps = new ArrayList<>();
    for (MethodDeclaration method : loop.methods(Role.STEP)) {
      steps.add(step(method.name(), loop.lossNameOf(method), method.step()));
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
        List.copyOf(steps),
        reportedValues(standardLoss, lossCalls, metrics, steps),
        loop.deprecation());
  }

  /**
   * The names each epoch of a fit reports, as the runtime orders them: the losses and metrics of
   * the training batches, skipped batches, the same over the validation data ({@code val_}), then
   * each step's learning rate ({@code <step>/learning_rate} when there are several steps).
   */
  private static List<ReportedValue> reportedValues(
      StandardLoss standardLoss,
      List<Call> losses,
      List<LoopModel.Metric> metrics,
      List<LoopModel.Step> steps) {
    List<String> lossNames = new ArrayList<>();
    if (standardLoss != null) {
      lossNames.add(standardLoss.name());
    }
    losses.forEach(loss -> lossNames.add(loss.method()));
    Set<String> constants = new HashSet<>();
    List<ReportedValue> values = new ArrayList<>();
    for (String loss : lossNames) {
      values.add(value(loss, ValueKind.LOSS, loss, constants));
    }
    for (LoopModel.Metric metric : metrics) {
      values.add(value(metric.reportedAs(), ValueKind.METRIC, metric.reportedAs(), constants));
    }
    values.add(value("skipped_batches", ValueKind.SKIPPED_BATCHES, null, constants));
    for (String loss : lossNames) {
      values.add(value("val_" + loss, ValueKind.VALIDATION_LOSS, loss, constants));
    }
    for (LoopModel.Metric metric : metrics) {
      String name = metric.reportedAs();
      values.add(value("val_" + name, ValueKind.VALIDATION_METRIC, name, constants));
    }
    for (LoopModel.Step step : steps) {
      String name = steps.size() == 1 ? "learning_rate" : step.name() + "/learning_rate";
      values.add(value(name, ValueKind.LEARNING_RATE, step.name(), constants));
    }
    return values;
  }

  private static ReportedValue value(
      String name, ValueKind kind, String of, Set<String> constants) {
    String base = upperSnake(name.replace('/', '_'));
    String constant = base;
    for (int suffix = 2; !constants.add(constant); suffix++) {
      constant = base + "_" + suffix;
    }
    return new ReportedValue(name, constant, kind, of);
  }

  private static String upperSnake(String name) {
    return name.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
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
    return new StandardLoss(
        declaration.name(),
        declaration.function(),
        model,
        label,
        declaration.fromLogits(),
        declaration.delta(),
        declaration.reduction());
  }

  /** What a {@code Metric} constant computes, chosen by the label it is computed against. */
  private static LoopModel.Metric metric(
      Metric constant, boolean logits, Call predictions, Input label) {
    boolean integer = !label.type().isFloating();
    boolean oneHot = label.shape().size() == 1 && label.shape().get(0) > 1;
    Computation computation =
        switch (constant) {
          case ACCURACY ->
              integer
                  ? Computation.CLASS_ACCURACY
                  : oneHot ? Computation.CATEGORICAL_ACCURACY : Computation.BINARY_ACCURACY;
          case SPARSE_CATEGORICAL_ACCURACY -> Computation.CLASS_ACCURACY;
          case CATEGORICAL_ACCURACY -> Computation.CATEGORICAL_ACCURACY;
          case BINARY_ACCURACY -> Computation.BINARY_ACCURACY;
          case PRECISION -> Computation.PRECISION;
          case RECALL -> Computation.RECALL;
          case F1 -> Computation.F1;
          case AUC -> Computation.AUC;
          case MAE -> Computation.MEAN_ABSOLUTE_ERROR;
          case RMSE -> Computation.ROOT_MEAN_SQUARED_ERROR;
        };
    return new LoopModel.Metric(
        computation, constant.name().toLowerCase(Locale.ROOT), logits, predictions, label);
  }

  /** A step with its optimizer, schedule and clipping, every parameter's value filled in. */
  private static LoopModel.Step step(String name, String loss, StepDeclaration step) {
    StepDeclaration.Clip clip =
        step.clipping().stream()
            .filter(candidate -> candidate.limit() > 0)
            .findFirst()
            .orElse(null);
    return new LoopModel.Step(
        name,
        loss,
        step.optimizer(),
        Hyperparameters.resolve(Hyperparameters.optimizer(step.optimizer()), step.params()),
        step.learningRate(),
        step.schedule(),
        Hyperparameters.resolve(Hyperparameters.schedule(step.schedule()), step.scheduleParams()),
        clip == null ? null : new LoopModel.Clipping(clippingMode(clip.attribute()), clip.limit()),
        step.every(),
        step.variables());
  }

  private static LoopModel.Clipping.Mode clippingMode(String attribute) {
    return switch (attribute) {
      case "clipValue" -> LoopModel.Clipping.Mode.VALUE;
      case "clipNorm" -> LoopModel.Clipping.Mode.NORM;
      case "clipGlobalNorm" -> LoopModel.Clipping.Mode.GLOBAL_NORM;
      default -> throw new IllegalArgumentException("no clipping attribute " + attribute);
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
    String base = upperSnake(inputName);
    String name = base;
    for (int suffix = 2; !constants.add(name); suffix++) {
      name = base + "_" + suffix;
    }
    return name;
  }
}
