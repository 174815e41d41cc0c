package io.github.tfloop.processor.model;

import io.github.tfloop.processor.model.LoopModel.Argument;
import io.github.tfloop.processor.model.LoopModel.Call;
import io.github.tfloop.processor.model.LoopModel.Input;
import io.github.tfloop.processor.parse.InputDeclaration;
import io.github.tfloop.processor.parse.LoopDeclaration;
import io.github.tfloop.processor.parse.MethodDeclaration;
import io.github.tfloop.processor.parse.MethodDeclaration.Role;
import io.github.tfloop.processor.parse.ParameterDeclaration;
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
   * {@code create} and {@code step}, and the loop's {@code engine} field.
   */
  private static final List<String> RESERVED_LOCALS =
      List.of("definition", "options", "loop", "tf", "e", "engine", "examples", "batch");

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
    List<Call> modelCalls = new ArrayList<>();
    List<MethodDeclaration> modelMethods = loop.methods(Role.MODEL);
    for (MethodDeclaration method : modelMethods) {
      Call call = new Call(method.name(), local(method.name()), method.returnType().dataType(),
          arguments(method, modelMethods));
      models.put(method.name(), call);
      modelCalls.add(call);
    }
    List<Call> lossCalls = new ArrayList<>();
    for (MethodDeclaration method : loop.methods(Role.LOSS)) {
      lossCalls.add(new Call(method.name(), local(method.name()), method.returnType().dataType(),
          arguments(method, modelMethods)));
    }
    List<LoopModel.Metric> metrics = new ArrayList<>();
    Input firstLabel = inputs.values().stream().filter(Input::label).findFirst().orElse(null);
    for (String metric : loop.metrics()) {
      metrics.add(new LoopModel.Metric(metric, modelCalls.get(0), firstLabel));
    }
    List<LoopModel.Step> steps = new ArrayList<>();
    for (MethodDeclaration method : loop.methods(Role.STEP)) {
      String loss = method.step().loss().isEmpty()
          ? lossCalls.get(0).method()
          : method.step().loss();
      steps.add(new LoopModel.Step(
          method.name(), loss, method.step().optimizer(), method.step().learningRate(),
          method.step().variables()));
    }
    return new LoopModel(
        loop.element(),
        loop.packageName(),
        loopClassName(loop),
        loop.flatName(),
        loop.batchSize(),
        loop.seed(),
        List.copyOf(inputs.values()),
        List.copyOf(modelCalls),
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

  private List<Argument> arguments(MethodDeclaration method, List<MethodDeclaration> modelMethods) {
    List<Argument> arguments = new ArrayList<>();
    for (ParameterDeclaration parameter : method.parameters()) {
      if (parameter.input() != null) {
        arguments.add(new LoopModel.InputArgument(inputs.get(parameter.input().name())));
        continue;
      }
      switch (parameter.type().kind()) {
        case OPS -> arguments.add(new LoopModel.OpsArgument());
        case LAYERS -> arguments.add(new LoopModel.LayersArgument(method.name()));
        default -> arguments.add(new LoopModel.OutputArgument(models.get(modelFor(parameter, modelMethods))));
      }
    }
    return List.copyOf(arguments);
  }

  private static String modelFor(ParameterDeclaration parameter, List<MethodDeclaration> models) {
    return models.size() == 1 ? models.get(0).name() : parameter.name();
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
