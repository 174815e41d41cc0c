package io.github.tfloop.processor.validate;

import io.github.tfloop.annotations.Metric;
import io.github.tfloop.processor.parse.LoopDeclaration;
import io.github.tfloop.processor.parse.LoopParser;
import io.github.tfloop.processor.parse.MethodDeclaration;
import io.github.tfloop.processor.parse.MethodDeclaration.Role;
import io.github.tfloop.processor.parse.MetricLabel;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.NestingKind;
import javax.lang.model.element.TypeElement;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.ElementFilter;

/** The {@code @TrainingLoop} annotation, its values, and the class it is on. */
final class TrainingLoopValidator {

  private TrainingLoopValidator() {}

  /**
   * @param reportedAsOrphan whether a method of a superclass was reported as an orphan annotation
   *     in this compile, an error that names this class already
   */
  static void check(
      LoopDeclaration loop,
      String loopClassName,
      Predicate<Element> reportedAsOrphan,
      Diagnostics diagnostics) {
    if (checkClass(loop, loopClassName, diagnostics)) {
      checkValues(loop, diagnostics);
      checkRoles(loop, reportedAsOrphan, diagnostics);
      checkMetrics(loop, diagnostics);
    }
  }

  /** Whether {@code @TrainingLoop(name)} is empty or a name the loop class can take. */
  static boolean validLoopName(LoopDeclaration loop) {
    return loop.loopName().isEmpty()
        || (ParameterRules.isIdentifier(loop.loopName())
            && !loop.loopName().equals(loop.flatName()));
  }

  /** The class's kind, nesting, modifiers and constructors; false if it is no class at all. */
  private static boolean checkClass(
      LoopDeclaration loop, String loopClassName, Diagnostics diagnostics) {
    TypeElement type = loop.element();
    String name = type.getSimpleName().toString();
    if (type.getKind() != ElementKind.CLASS) {
      diagnostics.report(
          Message.LOOP_CLASS_KIND,
          type,
          loop.annotation(),
          name,
          article(type.getKind().name().toLowerCase(Locale.ROOT).replace('_', ' ')));
      return false;
    }
    NestingKind nesting = type.getNestingKind();
    if (nesting == NestingKind.LOCAL || nesting == NestingKind.ANONYMOUS) {
      diagnostics.report(
          Message.LOOP_CLASS_LOCAL,
          type,
          loop.annotation(),
          name,
          "a " + nesting.name().toLowerCase(Locale.ROOT) + " class");
      return true;
    }
    if (type.getModifiers().contains(Modifier.ABSTRACT)) {
      List<String> abstractMethods =
          loop.methods().stream()
              .filter(method -> method.modifiers().contains(Modifier.ABSTRACT))
              .map(MethodDeclaration::displayName)
              .toList();
      diagnostics.report(
          Message.LOOP_CLASS_MODIFIERS,
          type,
          "abstract",
          "the loop is generated from this class's own methods and runs on an instance of it",
          "remove 'abstract'"
              + (abstractMethods.isEmpty()
                  ? ""
                  : " and give " + String.join(", ", abstractMethods) + " a body"));
    }
    if (type.getModifiers().contains(Modifier.PRIVATE)) {
      diagnostics.report(
          Message.LOOP_CLASS_MODIFIERS,
          type,
          "private",
          "the generated " + loopClassName + " cannot refer to a private class",
          "remove 'private'");
    }
    if (nesting == NestingKind.MEMBER && !type.getModifiers().contains(Modifier.STATIC)) {
      diagnostics.report(Message.LOOP_CLASS_INNER, type, name);
    }
    String hidden = hiddenEnclosing(type);
    if (hidden != null) {
      diagnostics.report(Message.LOOP_CLASS_ENCLOSING, type, name, hidden);
    }
    if (!type.getTypeParameters().isEmpty()) {
      diagnostics.report(
          Message.LOOP_CLASS_GENERIC,
          type,
          loopClassName + ".create",
          MethodRules.typeParameters(type.getTypeParameters()));
    }
    ExecutableElement unusable = unusableConstructor(type);
    if (unusable != null && !type.getModifiers().contains(Modifier.ABSTRACT)) {
      diagnostics.report(Message.LOOP_CLASS_CONSTRUCTOR, unusable, loopClassName, name);
    }
    return true;
  }

  /** The first enclosing type that hides the class from its package, described, or null. */
  private static String hiddenEnclosing(TypeElement type) {
    for (Element outer = type.getEnclosingElement();
        outer instanceof TypeElement enclosing;
        outer = enclosing.getEnclosingElement()) {
      if (enclosing.getModifiers().contains(Modifier.PRIVATE)) {
        return "private " + enclosing.getSimpleName();
      }
      NestingKind nesting = enclosing.getNestingKind();
      if (nesting == NestingKind.LOCAL || nesting == NestingKind.ANONYMOUS) {
        return "the "
            + nesting.name().toLowerCase(Locale.ROOT)
            + " class "
            + enclosing.getSimpleName();
      }
    }
    return null;
  }

  /**
   * A private constructor, if every constructor is private and nothing could ever call one: the
   * class is top-level and has no static method or field and no nested class (which could hold a
   * factory). Such a class can never be passed to the generated {@code create}.
   */
  private static ExecutableElement unusableConstructor(TypeElement type) {
    if (type.getNestingKind() != NestingKind.TOP_LEVEL) {
      return null; // the enclosing class may call a private constructor
    }
    List<ExecutableElement> constructors = ElementFilter.constructorsIn(type.getEnclosedElements());
    for (ExecutableElement constructor : constructors) {
      if (!constructor.getModifiers().contains(Modifier.PRIVATE)) {
        return null;
      }
    }
    for (Element member : type.getEnclosedElements()) {
      boolean staticMember =
          (member.getKind() == ElementKind.METHOD || member.getKind() == ElementKind.FIELD)
              && member.getModifiers().contains(Modifier.STATIC);
      if (staticMember || member instanceof TypeElement) {
        return null;
      }
    }
    return constructors.isEmpty() ? null : constructors.get(0);
  }

  private static void checkValues(LoopDeclaration loop, Diagnostics diagnostics) {
    TypeElement type = loop.element();
    if (loop.batchSize() <= 0) {
      diagnostics.report(
          Message.BATCH_SIZE, type, loop.annotation(), loop.batchSizeValue(), loop.batchSize());
    }
    if (!validLoopName(loop)) {
      diagnostics.report(
          Message.LOOP_NAME, type, loop.annotation(), loop.loopNameValue(), loop.loopName());
    }
  }

  private static void checkRoles(
      LoopDeclaration loop, Predicate<Element> reportedAsOrphan, Diagnostics diagnostics) {
    TypeElement type = loop.element();
    Set<ExecutableElement> explained = new HashSet<>();
    if (loop.methods(Role.MODEL).isEmpty()) {
      reportMissing(
          loop, Role.MODEL, Message.MISSING_MODEL, reportedAsOrphan, explained, diagnostics);
    } else if (!loop.featureModels().isEmpty() // else FeatureModelMissing, once models are checked
        && loop.methods(Role.MODEL).stream().noneMatch(model -> model.takesLayers())) {
      diagnostics.report(
          Message.NOTHING_TO_TRAIN,
          type,
          loop.annotation(),
          loop.methods(Role.MODEL).stream().map(model -> model.displayName()).toList());
    }
    if (loop.lossNames().isEmpty()) {
      reportMissing(
          loop, Role.LOSS, Message.MISSING_LOSS, reportedAsOrphan, explained, diagnostics);
    }
    if (loop.methods(Role.STEP).isEmpty()) {
      reportMissing(
          loop, Role.STEP, Message.MISSING_STEP, reportedAsOrphan, explained, diagnostics);
    }
  }

  /**
   * A loop needs a {@code @Model} it calls on its features. When every model is a function model,
   * reported on the un-annotated input of the first, the likely forgotten {@code @Feature}; not
   * when a model is in error already (a function model that also takes a feature, say).
   */
  static void checkFeatureModel(LoopDeclaration loop, Diagnostics diagnostics) {
    List<MethodDeclaration> models = loop.methods(Role.MODEL);
    if (models.isEmpty()
        || !loop.featureModels().isEmpty()
        || models.stream().anyMatch(model -> diagnostics.inError(model.element()))) {
      return;
    }
    MethodDeclaration first = models.get(0);
    diagnostics.report(
        Message.FEATURE_MODEL_MISSING,
        first.functionInput().element(),
        loop.element().getSimpleName(),
        models.stream().map(MethodDeclaration::displayName).toList(),
        first.functionInput().name() + " of " + first.displayName());
  }

  /**
   * Reports that the class declares no method of {@code role}. A class that inherits one is told
   * once that a loop takes only its own class's methods: not again for another role, and not at all
   * when this compile reports the inherited method as an orphan annotation, an error that names
   * this class already.
   *
   * @param explained the inherited methods an error has been reported for
   */
  private static void reportMissing(
      LoopDeclaration loop,
      Role role,
      Message message,
      Predicate<Element> reportedAsOrphan,
      Set<ExecutableElement> explained,
      Diagnostics diagnostics) {
    if (loop.methods().stream()
        .anyMatch(method -> method.otherRoles().stream().anyMatch(other -> isOf(other, role)))) {
      diagnostics.reportedElsewhere(); // DuplicateRole: the method is meant to be one
      return;
    }
    List<ExecutableElement> inherited = inherited(loop.element(), role);
    if (inherited.stream().anyMatch(reportedAsOrphan)
        || (!inherited.isEmpty() && !explained.isEmpty())) {
      diagnostics.reportedElsewhere();
      return;
    }
    explained.addAll(inherited);
    String note =
        inherited.isEmpty()
            ? ""
            : " of its own (a loop takes only the methods its class declares, not "
                + inherited.get(0).getSimpleName()
                + "() of "
                + inherited.get(0).getEnclosingElement().getSimpleName()
                + ")";
    diagnostics.report(
        message, loop.element(), loop.annotation(), loop.element().getSimpleName(), note);
  }

  /** Whether {@code annotation} gives a method {@code role}. */
  private static boolean isOf(AnnotationMirror annotation, Role role) {
    return ((TypeElement) annotation.getAnnotationType().asElement())
        .getQualifiedName()
        .contentEquals(LoopParser.annotationOf(role));
  }

  /** The methods of {@code role} the class inherits from its superclasses and interfaces. */
  private static List<ExecutableElement> inherited(TypeElement type, Role role) {
    List<ExecutableElement> inherited = new ArrayList<>();
    List<TypeMirror> supertypes = new ArrayList<>(type.getInterfaces());
    supertypes.add(0, type.getSuperclass());
    for (int i = 0; i < supertypes.size(); i++) {
      if (!(supertypes.get(i) instanceof DeclaredType declared)
          || !(declared.asElement() instanceof TypeElement supertype)) {
        continue;
      }
      for (ExecutableElement method : ElementFilter.methodsIn(supertype.getEnclosedElements())) {
        if (LoopParser.find(method, LoopParser.annotationOf(role)) != null) {
          inherited.add(method);
        }
      }
      supertypes.add(supertype.getSuperclass());
      supertypes.addAll(supertype.getInterfaces());
    }
    return inherited;
  }

  private static void checkMetrics(LoopDeclaration loop, Diagnostics diagnostics) {
    TypeElement type = loop.element();
    List<Metric> seen = new ArrayList<>();
    for (int i = 0; i < loop.metrics().size(); i++) {
      Metric metric = loop.metrics().get(i);
      if (seen.contains(metric)) {
        diagnostics.report(
            Message.METRIC_DUPLICATE,
            type,
            loop.annotation(),
            Diagnostics.elementOr(loop.metricValues(), i, loop.metricsValue()),
            metric);
      }
      seen.add(metric);
      String reportedAs = metric.name().toLowerCase(Locale.ROOT);
      if (loop.names(Role.LOSS).contains(reportedAs)) {
        diagnostics.report(
            Message.RESULT_NAME_CONFLICT,
            loop.methods(Role.LOSS).get(loop.names(Role.LOSS).indexOf(reportedAs)).element(),
            "@Loss " + reportedAs + "()",
            "metric " + metric + " (reported as \"" + reportedAs + "\")");
      } else if (loop.standardLoss() != null && loop.standardLoss().name().equals(reportedAs)) {
        diagnostics.report(
            Message.RESULT_NAME_CONFLICT,
            type,
            loop.standardLoss().annotation(),
            loop.standardLoss().nameValue(),
            "@StandardLoss " + reportedAs,
            "metric " + metric + " (reported as \"" + reportedAs + "\")");
      }
    }
    if (loop.metrics().isEmpty()) {
      return;
    }
    MetricLabel label = loop.metricLabel();
    if (label == null) {
      diagnostics.report(
          Message.METRIC_NEEDS_LABEL,
          type,
          loop.annotation(),
          loop.metricsValue(),
          type.getSimpleName());
      return;
    }
    for (int i = 0; i < loop.metrics().size(); i++) {
      checkMetricLabel(
          loop,
          loop.metrics().get(i),
          Diagnostics.elementOr(loop.metricValues(), i, loop.metricsValue()),
          label,
          diagnostics);
    }
  }

  /** Whether the first label suits a metric: its type, then its shape. */
  private static void checkMetricLabel(
      LoopDeclaration loop,
      Metric metric,
      AnnotationValue value,
      MetricLabel label,
      Diagnostics diagnostics) {
    if (label.type() == null) {
      return; // reported as InputType
    }
    boolean integer = !label.type().isFloating();
    int rank = label.shape().size();
    boolean binaryShape = rank == 0 || (rank == 1 && label.shape().get(0) == 1);
    String neededType =
        switch (metric) {
          case SPARSE_CATEGORICAL_ACCURACY -> integer ? null : "integer class";
          case CATEGORICAL_ACCURACY, MAE, RMSE -> integer ? "float" : null;
          case ACCURACY, BINARY_ACCURACY, PRECISION, RECALL, F1, AUC -> null;
        };
    if (neededType != null) {
      diagnostics.report(
          Message.METRIC_LABEL_TYPE,
          loop.element(),
          loop.annotation(),
          value,
          metric,
          neededType + " (" + (integer ? "Operand<TFloat32>" : "Operand<TInt32>") + ")",
          label.name(),
          label.type() == null
              ? "of an unknown type"
              : "Operand<" + label.type().simpleName() + ">");
      return;
    }
    String neededShape =
        switch (metric) {
          case ACCURACY ->
              integer
                  ? (rank == 0 ? null : "shape {} (one class index per example)")
                  : (rank == 1
                      ? null
                      : binaryShape ? null : "shape {}, {1} (binary) or {classes} (one-hot)");
          case SPARSE_CATEGORICAL_ACCURACY ->
              rank == 0 ? null : "shape {} (one class index per example)";
          case CATEGORICAL_ACCURACY -> rank == 1 ? null : "shape {classes} (one-hot)";
          case BINARY_ACCURACY, PRECISION, RECALL, F1, AUC ->
              binaryShape ? null : "shape {} or {1} (one 0/1 value per example)";
          case MAE, RMSE -> null;
        };
    if (neededShape != null) {
      diagnostics.report(
          Message.METRIC_LABEL_SHAPE,
          loop.element(),
          loop.annotation(),
          value,
          metric,
          neededShape,
          label.name(),
          inBraces(label.shape()));
    }
  }

  /** A shape as annotations write it: {@code {}} or {@code {28, 28}}. */
  static String inBraces(List<Integer> shape) {
    return shape.toString().replace('[', '{').replace(']', '}');
  }

  private static String article(String noun) {
    return ("aeiou".indexOf(noun.charAt(0)) >= 0 ? "an " : "a ") + noun;
  }
}
