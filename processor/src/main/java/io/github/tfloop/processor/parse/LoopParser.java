package io.github.tfloop.processor.parse;

import io.github.tfloop.annotations.LossFunction;
import io.github.tfloop.annotations.LossReduction;
import io.github.tfloop.annotations.Metric;
import io.github.tfloop.annotations.Optimizer;
import io.github.tfloop.annotations.Schedule;
import io.github.tfloop.processor.parse.MethodDeclaration.Role;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.ArrayType;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.type.WildcardType;
import javax.lang.model.util.Elements;
import javax.lang.model.util.Types;

/**
 * Reads a {@code @TrainingLoop} class into a {@link LoopDeclaration}: plain values, no judgement.
 * Whether those values make sense is the validators' business. What does not resolve (yet) is
 * listed in {@link LoopDeclaration#unresolved()} instead of being guessed at.
 */
public final class LoopParser {

  private final Elements elements;
  private final Types types;
  private final MethodBodies bodies;

  /**
   * @param bodies what the compiler tells of method bodies, for a {@code @Step} that holds code
   */
  public LoopParser(Elements elements, Types types, MethodBodies bodies) {
    this.elements = elements;
    this.types = types;
    this.bodies = bodies;
  }

  /** Parses {@code type}, which carries {@code loopAnnotation}. */
  public LoopDeclaration parse(TypeElement type, AnnotationMirror loopAnnotation) {
    List<Unresolved> unresolved = new ArrayList<>();
    AnnotationReader values =
        new AnnotationReader(elements, type, loopAnnotation, "@TrainingLoop", unresolved);
    List<MethodDeclaration> methods = new ArrayList<>();
    for (Element member : type.getEnclosedElements()) {
      if (member.getKind() == ElementKind.METHOD) {
        MethodDeclaration method = parseMethod((ExecutableElement) member, unresolved);
        if (method != null) {
          methods.add(method);
        }
      }
    }
    return new LoopDeclaration(
        type,
        loopAnnotation,
        elements.getPackageOf(type).getQualifiedName().toString(),
        flatName(type),
        values.integer("batchSize"),
        values.explicit("batchSize"),
        values.longValue("seed"),
        values.string("name"),
        values.explicit("name"),
        values.enumConstants("metrics", Metric.class),
        values.explicit("metrics"),
        values.explicitElements("metrics"),
        values.bool("logits"),
        parseStandardLoss(type, unresolved),
        List.copyOf(methods),
        classDeprecation(type),
        List.copyOf(unresolved));
  }

  /** Whether the class, or a class it is nested in, is deprecated. */
  private Deprecation classDeprecation(TypeElement type) {
    Deprecation deprecation = Deprecation.NONE;
    for (Element element = type;
        element instanceof TypeElement;
        element = element.getEnclosingElement()) {
      Deprecation own = deprecation(element);
      if (own.compareTo(deprecation) > 0) {
        deprecation = own;
      }
    }
    return deprecation;
  }

  /** Whether {@code element} is deprecated, and for removal. */
  private Deprecation deprecation(Element element) {
    if (!elements.isDeprecated(element)) {
      return Deprecation.NONE;
    }
    AnnotationMirror deprecated = find(element, "java.lang.Deprecated");
    if (deprecated != null) {
      for (var value : elements.getElementValuesWithDefaults(deprecated).entrySet()) {
        if (value.getKey().getSimpleName().contentEquals("forRemoval")
            && Boolean.TRUE.equals(value.getValue().getValue())) {
          return Deprecation.FOR_REMOVAL;
        }
      }
    }
    return Deprecation.DEPRECATED;
  }

  /** The method's declaration, or {@code null} if it has no tfloop method annotation. */
  private MethodDeclaration parseMethod(ExecutableElement method, List<Unresolved> unresolved) {
    List<AnnotationMirror> roles = new ArrayList<>();
    List<Role> kinds = new ArrayList<>();
    for (Role role : Role.values()) {
      AnnotationMirror mirror = find(method, annotationOf(role));
      if (mirror != null) {
        roles.add(mirror);
        kinds.add(role);
      }
    }
    if (roles.isEmpty()) {
      return null;
    }
    String name = method.getSimpleName() + "()";
    TypeShape returnType = typeShape(method.getReturnType());
    if (returnType.kind() == TypeShape.Kind.UNRESOLVED) {
      unresolved.add(new Unresolved("the return type of " + name, method, null, null));
    }
    List<ParameterDeclaration> parameters = new ArrayList<>();
    for (VariableElement parameter : method.getParameters()) {
      parameters.add(parseParameter(parameter, name, unresolved));
    }
    List<String> checkedExceptions = new ArrayList<>();
    for (TypeMirror thrown : method.getThrownTypes()) {
      if (containsError(thrown)) {
        unresolved.add(
            new Unresolved(
                "the exception " + display(thrown) + " thrown by " + name, method, null, null));
      } else if (isChecked(thrown)) {
        checkedExceptions.add(display(thrown));
      }
    }
    Role role = kinds.get(0);
    return new MethodDeclaration(
        method,
        role,
        roles.get(0),
        List.copyOf(roles.subList(1, roles.size())),
        method.getSimpleName().toString(),
        returnType,
        List.copyOf(parameters),
        method.getModifiers(),
        !method.getTypeParameters().isEmpty(),
        List.copyOf(checkedExceptions),
        bodies.hasStatements(method),
        deprecation(method),
        role == Role.STEP ? parseStep(method, roles.get(0), name, unresolved) : null);
  }

  private ParameterDeclaration parseParameter(
      VariableElement parameter, String methodName, List<Unresolved> unresolved) {
    AnnotationMirror feature = find(parameter, TypeNames.FEATURE);
    AnnotationMirror label = find(parameter, TypeNames.LABEL);
    List<AnnotationMirror> inputAnnotations = new ArrayList<>();
    if (feature != null) {
      inputAnnotations.add(feature);
    }
    if (label != null) {
      inputAnnotations.add(label);
    }
    InputDeclaration input = null;
    AnnotationMirror first = feature != null ? feature : label;
    if (first != null) {
      String annotation =
          (first == label ? "@Label" : "@Feature")
              + " on "
              + parameter.getSimpleName()
              + " of "
              + methodName;
      AnnotationReader values =
          new AnnotationReader(elements, parameter, first, annotation, unresolved);
      String declaredName = values.string("name");
      input =
          new InputDeclaration(
              first == label,
              first,
              declaredName.isEmpty() ? parameter.getSimpleName().toString() : declaredName,
              values.integers("shape"),
              values.explicit("name"),
              values.explicit("shape"),
              values.explicitElements("shape"));
    }
    TypeShape type = typeShape(parameter.asType());
    if (type.kind() == TypeShape.Kind.UNRESOLVED) {
      unresolved.add(
          new Unresolved(
              "the type of parameter " + parameter.getSimpleName() + " of " + methodName,
              parameter,
              null,
              null));
    }
    return new ParameterDeclaration(
        parameter,
        parameter.getSimpleName().toString(),
        type,
        input,
        List.copyOf(inputAnnotations));
  }

  private StepDeclaration parseStep(
      ExecutableElement method,
      AnnotationMirror step,
      String methodName,
      List<Unresolved> unresolved) {
    AnnotationReader values =
        new AnnotationReader(elements, method, step, "@Step on " + methodName, unresolved);
    List<StepDeclaration.Clip> clipping = new ArrayList<>();
    for (String attribute : List.of("clipValue", "clipNorm", "clipGlobalNorm")) {
      if (values.explicit(attribute) != null) {
        clipping.add(
            new StepDeclaration.Clip(
                attribute, values.doubleValue(attribute), values.explicit(attribute)));
      }
    }
    return new StepDeclaration(
        values.string("loss"),
        values.explicit("loss"),
        values.enumConstant("optimizer", Optimizer.class),
        values.explicit("optimizer"),
        values.strings("params"),
        values.explicitElements("params"),
        values.doubleValue("learningRate"),
        values.explicit("learningRate"),
        values.enumConstant("schedule", Schedule.class),
        values.explicit("schedule"),
        values.strings("scheduleParams"),
        values.explicitElements("scheduleParams"),
        List.copyOf(clipping),
        values.integer("every"),
        values.explicit("every"),
        values.strings("variables"),
        values.explicit("variables"),
        values.explicitElements("variables"));
  }

  /** The class's {@code @StandardLoss}, or {@code null}. */
  private StandardLossDeclaration parseStandardLoss(TypeElement type, List<Unresolved> unresolved) {
    AnnotationMirror mirror = find(type, TypeNames.STANDARD_LOSS);
    if (mirror == null) {
      return null;
    }
    AnnotationReader values =
        new AnnotationReader(elements, type, mirror, "@StandardLoss", unresolved);
    return new StandardLossDeclaration(
        mirror,
        values.enumConstant("value", LossFunction.class),
        values.string("name"),
        values.explicit("name"),
        values.string("model"),
        values.explicit("model"),
        values.string("label"),
        values.explicit("label"),
        values.integers("labelShape"),
        values.explicit("labelShape"),
        values.bool("fromLogits"),
        values.enumConstant("reduction", LossReduction.class),
        values.doubleValue("delta"),
        values.explicit("delta"));
  }

  /** What {@code type} is, as far as tfloop signatures are concerned. */
  public TypeShape typeShape(TypeMirror type) {
    String display = display(type);
    if (containsError(type)) {
      return new TypeShape(TypeShape.Kind.UNRESOLVED, null, display);
    }
    if (type.getKind() == TypeKind.VOID) {
      return new TypeShape(TypeShape.Kind.VOID, null, display);
    }
    if (type.getKind() != TypeKind.DECLARED) {
      return new TypeShape(TypeShape.Kind.OTHER, null, display);
    }
    DeclaredType declared = (DeclaredType) type;
    String name = ((TypeElement) declared.asElement()).getQualifiedName().toString();
    return switch (name) {
      case TypeNames.OPS -> new TypeShape(TypeShape.Kind.OPS, null, display);
      case TypeNames.LAYERS -> new TypeShape(TypeShape.Kind.LAYERS, null, display);
      case TypeNames.NETWORK -> networkShape(declared, display);
      case TypeNames.OPERAND -> operandShape(declared, display);
      default -> new TypeShape(TypeShape.Kind.OTHER, null, display);
    };
  }

  private static TypeShape operandShape(DeclaredType operand, String display) {
    DataType dataType = typeArgument(operand);
    return dataType != null
        ? new TypeShape(TypeShape.Kind.OPERAND, dataType, display)
        : new TypeShape(TypeShape.Kind.OPERAND_OF_OTHER, null, display);
  }

  /** {@code Network<T>}: a function model a loss applies; {@code T} must be a known type. */
  private static TypeShape networkShape(DeclaredType network, String display) {
    DataType dataType = typeArgument(network);
    return dataType != null
        ? new TypeShape(TypeShape.Kind.NETWORK, dataType, display)
        : new TypeShape(TypeShape.Kind.OTHER, null, display);
  }

  /** The data type of a single type argument such as {@code TFloat32}, or {@code null}. */
  private static DataType typeArgument(DeclaredType type) {
    List<? extends TypeMirror> arguments = type.getTypeArguments();
    if (arguments.size() == 1 && arguments.get(0).getKind() == TypeKind.DECLARED) {
      TypeElement element = (TypeElement) ((DeclaredType) arguments.get(0)).asElement();
      return DataType.ofTensorClass(element.getQualifiedName().toString());
    }
    return null;
  }

  /** Whether {@code type}, or any type inside it, did not resolve. */
  static boolean containsError(TypeMirror type) {
    return switch (type.getKind()) {
      case ERROR -> true;
      case DECLARED ->
          ((DeclaredType) type).getTypeArguments().stream().anyMatch(LoopParser::containsError);
      case ARRAY -> containsError(((ArrayType) type).getComponentType());
      case WILDCARD -> {
        WildcardType wildcard = (WildcardType) type;
        yield (wildcard.getExtendsBound() != null && containsError(wildcard.getExtendsBound()))
            || (wildcard.getSuperBound() != null && containsError(wildcard.getSuperBound()));
      }
      default -> false;
    };
  }

  private boolean isChecked(TypeMirror thrown) {
    return !isSubtypeOf(thrown, "java.lang.RuntimeException")
        && !isSubtypeOf(thrown, "java.lang.Error");
  }

  private boolean isSubtypeOf(TypeMirror type, String qualifiedName) {
    TypeElement supertype = elements.getTypeElement(qualifiedName);
    return supertype != null && types.isSubtype(type, types.erasure(supertype.asType()));
  }

  /** A type as a user reads it: simple names, type arguments kept. */
  static String display(TypeMirror type) {
    if (type.getKind() == TypeKind.DECLARED) {
      DeclaredType declared = (DeclaredType) type;
      String name = declared.asElement().getSimpleName().toString();
      if (declared.getTypeArguments().isEmpty()) {
        return name;
      }
      return name
          + declared.getTypeArguments().stream()
              .map(LoopParser::display)
              .collect(Collectors.joining(", ", "<", ">"));
    }
    if (type.getKind() == TypeKind.ARRAY) {
      return display(((ArrayType) type).getComponentType()) + "[]";
    }
    if (type.getKind() == TypeKind.WILDCARD) {
      WildcardType wildcard = (WildcardType) type;
      if (wildcard.getExtendsBound() != null) {
        return "? extends " + display(wildcard.getExtendsBound());
      }
      if (wildcard.getSuperBound() != null) {
        return "? super " + display(wildcard.getSuperBound());
      }
      return "?";
    }
    return type.toString();
  }

  /** The annotation of type {@code qualifiedName} on {@code element}, or {@code null}. */
  public static AnnotationMirror find(Element element, String qualifiedName) {
    for (AnnotationMirror mirror : element.getAnnotationMirrors()) {
      TypeElement type = (TypeElement) mirror.getAnnotationType().asElement();
      if (type.getQualifiedName().contentEquals(qualifiedName)) {
        return mirror;
      }
    }
    return null;
  }

  /** The qualified name of the annotation that gives a method {@code role}. */
  public static String annotationOf(Role role) {
    return switch (role) {
      case MODEL -> TypeNames.MODEL;
      case LOSS -> TypeNames.LOSS;
      case STEP -> TypeNames.STEP;
    };
  }

  /** {@code Outer_Inner} for {@code Outer.Inner}; the simple name for a top-level class. */
  static String flatName(TypeElement type) {
    StringBuilder name = new StringBuilder(type.getSimpleName());
    Element enclosing = type.getEnclosingElement();
    while (enclosing instanceof TypeElement outer) {
      name.insert(0, outer.getSimpleName() + "_");
      enclosing = outer.getEnclosingElement();
    }
    return name.toString();
  }
}
