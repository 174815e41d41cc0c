package io.github.tfloop.processor.parse;

import io.github.tfloop.annotations.Metric;
import io.github.tfloop.processor.parse.MethodDeclaration.Role;
import java.util.ArrayList;
import java.util.List;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.TypeElement;

/**
 * A class annotated {@code @TrainingLoop}, its annotation values (each with the value to report
 * errors on, {@code null} when defaulted) and its tfloop methods in declaration order.
 *
 * @param flatName the class's name inside its package with dots replaced by underscores: {@code
 *     Outer_Inner} for a nested class
 * @param metricValues the {@code metrics} elements as written, one per metric; empty if defaulted
 * @param logits whether the primary model outputs logits, for binary metrics
 * @param standardLoss the class's {@code @StandardLoss}, or {@code null}
 * @param deprecation whether the class, or a class it is nested in, is deprecated
 * @param unresolved what in the declaration did not resolve (yet), such as {@code the return type
 *     of logits()}; a class with anything here is not validated but deferred to a later round
 */
public record LoopDeclaration(
    TypeElement element,
    AnnotationMirror annotation,
    String packageName,
    String flatName,
    int batchSize,
    AnnotationValue batchSizeValue,
    long seed,
    String loopName,
    AnnotationValue loopNameValue,
    List<Metric> metrics,
    AnnotationValue metricsValue,
    List<AnnotationValue> metricValues,
    boolean logits,
    StandardLossDeclaration standardLoss,
    List<MethodDeclaration> methods,
    Deprecation deprecation,
    List<Unresolved> unresolved) {

  /** The qualified name of a type in the class's package, such as {@code example.QuickMlpLoop}. */
  public String qualifiedName(String simpleName) {
    return packageName.isEmpty() ? simpleName : packageName + "." + simpleName;
  }

  /** The methods of one role, in declaration order. */
  public List<MethodDeclaration> methods(MethodDeclaration.Role role) {
    return methods.stream().filter(method -> method.role() == role).toList();
  }

  /** The names of every loss: the {@code @StandardLoss} first, then the {@code @Loss} methods. */
  public List<String> lossNames() {
    List<String> names = new ArrayList<>();
    if (standardLoss != null) {
      names.add(standardLoss.name());
    }
    names.addAll(names(Role.LOSS));
    return names;
  }

  /** The {@code @Model} methods that are applied as functions (see {@code MethodDeclaration}). */
  public List<MethodDeclaration> functionModels() {
    return methods(Role.MODEL).stream().filter(MethodDeclaration::isFunctionModel).toList();
  }

  /** The {@code @Model} methods the loop calls once on its features, in declaration order. */
  public List<MethodDeclaration> featureModels() {
    return methods(Role.MODEL).stream().filter(model -> !model.isFunctionModel()).toList();
  }

  /** The names of the methods of one role, in declaration order. */
  public List<String> names(MethodDeclaration.Role role) {
    return methods(role).stream().map(MethodDeclaration::name).toList();
  }

  /**
   * The {@code @Model} whose output an un-annotated operand parameter of a {@code @Loss} is: the
   * only model, or the one of the parameter's name; {@code null} if neither.
   */
  public MethodDeclaration modelFor(ParameterDeclaration parameter) {
    return onlyOrNamed(methods(Role.MODEL), parameter.name());
  }

  /**
   * The function {@code @Model} a {@code Network<T>} parameter applies: the only function model, or
   * the one of the parameter's name; {@code null} if neither.
   */
  public MethodDeclaration networkFor(ParameterDeclaration parameter) {
    return onlyOrNamed(functionModels(), parameter.name());
  }

  /** The only candidate, or the one named {@code name}; {@code null} if neither. */
  private static MethodDeclaration onlyOrNamed(List<MethodDeclaration> candidates, String name) {
    if (candidates.size() == 1) {
      return candidates.get(0);
    }
    for (MethodDeclaration candidate : candidates) {
      if (candidate.name().equals(name)) {
        return candidate;
      }
    }
    return null;
  }

  /**
   * The model the {@code @StandardLoss} takes the output of: the feature model it names, else the
   * first; {@code null} if there is no such model or no {@code @StandardLoss}.
   */
  public MethodDeclaration standardLossModel() {
    if (standardLoss == null) {
      return null;
    }
    for (MethodDeclaration model : featureModels()) {
      if (standardLoss.model().isEmpty() || model.name().equals(standardLoss.model())) {
        return model;
      }
    }
    return null;
  }

  /**
   * The type of the label the {@code @StandardLoss} declares: class indices for the sparse
   * cross-entropy, else its model's type ({@code FLOAT32} where that is unknown).
   */
  public DataType standardLossLabelType() {
    if (standardLoss.sparse()) {
      return DataType.INT32;
    }
    MethodDeclaration model = standardLossModel();
    return model != null && model.returnType().isOperand()
        ? model.returnType().dataType()
        : DataType.FLOAT32;
  }

  /**
   * The name of the loss {@code step} minimises: the one it names, else the only loss; {@code null}
   * if it names no loss of the loop, or leaves the choice among several open.
   */
  public String lossNameOf(MethodDeclaration step) {
    String named = step.step().loss();
    List<String> losses = lossNames();
    if (named.isEmpty()) {
      return losses.size() == 1 ? losses.get(0) : null;
    }
    return losses.contains(named) ? named : null;
  }

  /**
   * The {@code @Loss} method {@code step} minimises; {@code null} if its loss is the
   * {@code @StandardLoss} or does not exist.
   */
  public MethodDeclaration lossMethodOf(MethodDeclaration step) {
    String name = lossNameOf(step);
    for (MethodDeclaration loss : methods(Role.LOSS)) {
      if (loss.name().equals(name)) {
        return loss;
      }
    }
    return null;
  }

  /** Whether {@code step} minimises the {@code @StandardLoss}. */
  public boolean minimisesStandardLoss(MethodDeclaration step) {
    String name = lossNameOf(step);
    return standardLoss != null && standardLoss.name().equals(name) && lossMethodOf(step) == null;
  }

  /**
   * The models {@code loss} takes the output of or applies, in parameter order: the model each
   * un-annotated {@code Operand} is the output of, and the function model each {@code Network}
   * applies.
   */
  public List<MethodDeclaration> modelsUsedBy(MethodDeclaration loss) {
    List<MethodDeclaration> used = new ArrayList<>();
    for (ParameterDeclaration parameter : loss.parameters()) {
      MethodDeclaration model = null;
      if (parameter.input() == null && parameter.type().isOperand()) {
        model = modelFor(parameter);
      } else if (parameter.input() == null && parameter.type().kind() == TypeShape.Kind.NETWORK) {
        model = networkFor(parameter);
      }
      if (model != null && !used.contains(model)) {
        used.add(model);
      }
    }
    return used;
  }

  /**
   * The models the loss of {@code step} depends on: those its {@code @Loss} method uses, or the
   * {@code @StandardLoss}'s model; empty if the loss does not exist.
   */
  public List<MethodDeclaration> modelsMinimisedBy(MethodDeclaration step) {
    MethodDeclaration loss = lossMethodOf(step);
    if (loss != null) {
      return modelsUsedBy(loss);
    }
    if (minimisesStandardLoss(step) && standardLossModel() != null) {
      return List.of(standardLossModel());
    }
    return List.of();
  }

  /**
   * The label metrics compare the primary model's output with: the {@code @StandardLoss}'s, else
   * the first {@code @Label} parameter in declaration order; {@code null} if the loop has none.
   */
  public MetricLabel metricLabel() {
    if (standardLoss != null) {
      return new MetricLabel(
          standardLoss.label(), standardLossLabelType(), standardLoss.labelShape());
    }
    for (MethodDeclaration method : methods) {
      for (ParameterDeclaration parameter : method.parameters()) {
        if (parameter.input() != null && parameter.input().label()) {
          return new MetricLabel(
              parameter.input().name(), parameter.type().dataType(), parameter.input().shape());
        }
      }
    }
    return null;
  }
}
