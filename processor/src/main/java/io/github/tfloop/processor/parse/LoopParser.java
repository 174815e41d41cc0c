package io.github.tfloop.processor.parse;

import io.github.tfloop.processor.parse.MethodDeclaration.Role;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.PackageElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.Elements;

/**
 * Reads a {@code @TrainingLoop} class into a {@link LoopDeclaration}: plain values, no judgement.
 * Whether those values make sense is the validators' business.
 */
public final class LoopParser {

  private final Elements elements;

  public LoopParser(Elements elements) {
    this.elements = elements;
  }

  /** Parses {@code type}, which carries {@code loopAnnotation}. */
  public LoopDeclaration parse(TypeElement type, AnnotationMirror loopAnnotation) {
    Map<String, AnnotationValue> values = valuesWithDefaults(loopAnnotation);
    Map<String, AnnotationValue> explicit = explicitValues(loopAnnotation);
    List<MethodDeclaration> methods = new ArrayList<>();
    for (Element member : type.getEnclosedElements()) {
      if (member.getKind() == ElementKind.METHOD) {
        MethodDeclaration method = parseMethod((ExecutableElement) member);
        if (method != null) {
          methods.add(method);
        }
      }
    }
    return new LoopDeclaration(
        type,
        loopAnnotation,
        packageOf(type).getQualifiedName().toString(),
        flatName(type),
        (Integer) values.get("batchSize").getValue(),
        explicit.get("batchSize"),
        (Long) values.get("seed").getValue(),
        (String) values.get("name").getValue(),
        explicit.get("name"),
        enumConstants(values.get("metrics")),
        explicit.get("metrics"),
        List.copyOf(methods));
  }

  /** The method's declaration, or {@code null} if it has no tfloop method annotation. */
  private MethodDeclaration parseMethod(ExecutableElement method) {
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
    List<ParameterDeclaration> parameters = new ArrayList<>();
    for (VariableElement parameter : method.getParameters()) {
      parameters.add(parseParameter(parameter));
    }
    Role role = kinds.get(0);
    return new MethodDeclaration(
        method,
        role,
        roles.get(0),
        List.copyOf(roles.subList(1, roles.size())),
        method.getSimpleName().toString(),
        typeShape(method.getReturnType()),
        List.copyOf(parameters),
        method.getModifiers(),
        !method.getTypeParameters().isEmpty(),
        role == Role.STEP ? parseStep(roles.get(0)) : null);
  }

  private ParameterDeclaration parseParameter(VariableElement parameter) {
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
      Map<String, AnnotationValue> values = valuesWithDefaults(first);
      Map<String, AnnotationValue> explicit = explicitValues(first);
      String declaredName = (String) values.get("name").getValue();
      input =
          new InputDeclaration(
              first == label,
              first,
              declaredName.isEmpty() ? parameter.getSimpleName().toString() : declaredName,
              integers(values.get("shape")),
              explicit.get("name"),
              explicit.get("shape"));
    }
    return new ParameterDeclaration(
        parameter,
        parameter.getSimpleName().toString(),
        typeShape(parameter.asType()),
        input,
        List.copyOf(inputAnnotations));
  }

  private StepDeclaration parseStep(AnnotationMirror step) {
    Map<String, AnnotationValue> values = valuesWithDefaults(step);
    Map<String, AnnotationValue> explicit = explicitValues(step);
    return new StepDeclaration(
        (String) values.get("loss").getValue(),
        explicit.get("loss"),
        enumConstant(values.get("optimizer")),
        explicit.get("optimizer"),
        (Double) values.get("learningRate").getValue(),
        explicit.get("learningRate"),
        strings(values.get("variables")),
        explicit.get("variables"));
  }

  /** What {@code type} is, as far as tfloop signatures are concerned. */
  public TypeShape typeShape(TypeMirror type) {
    String display = display(type);
    if (type.getKind() == TypeKind.VOID) {
      return new TypeShape(TypeShape.Kind.VOID, null, display);
    }
    if (type.getKind() == TypeKind.ERROR) {
      return new TypeShape(TypeShape.Kind.UNRESOLVED, null, display);
    }
    if (type.getKind() != TypeKind.DECLARED) {
      return new TypeShape(TypeShape.Kind.OTHER, null, display);
    }
    DeclaredType declared = (DeclaredType) type;
    String name = ((TypeElement) declared.asElement()).getQualifiedName().toString();
    switch (name) {
      case TypeNames.OPS:
        return new TypeShape(TypeShape.Kind.OPS, null, display);
      case TypeNames.LAYERS:
        return new TypeShape(TypeShape.Kind.LAYERS, null, display);
      case TypeNames.OPERAND:
        return operandShape(declared, display);
      default:
        return new TypeShape(TypeShape.Kind.OTHER, null, display);
    }
  }

  private static TypeShape operandShape(DeclaredType operand, String display) {
    List<? extends TypeMirror> arguments = operand.getTypeArguments();
    if (arguments.size() != 1) {
      return new TypeShape(TypeShape.Kind.OPERAND_OF_OTHER, null, display);
    }
    TypeMirror argument = arguments.get(0);
    if (argument.getKind() == TypeKind.ERROR) {
      return new TypeShape(TypeShape.Kind.UNRESOLVED, null, display);
    }
    if (argument.getKind() == TypeKind.DECLARED) {
      TypeElement element = (TypeElement) ((DeclaredType) argument).asElement();
      DataType dataType = DataType.ofTensorClass(element.getQualifiedName().toString());
      if (dataType != null) {
        return new TypeShape(TypeShape.Kind.OPERAND, dataType, display);
      }
    }
    return new TypeShape(TypeShape.Kind.OPERAND_OF_OTHER, null, display);
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
    if (type.getKind() == TypeKind.WILDCARD) {
      javax.lang.model.type.WildcardType wildcard = (javax.lang.model.type.WildcardType) type;
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

  private static String annotationOf(Role role) {
    return switch (role) {
      case MODEL -> TypeNames.MODEL;
      case LOSS -> TypeNames.LOSS;
      case STEP -> TypeNames.STEP;
    };
  }

  private Map<String, AnnotationValue> valuesWithDefaults(AnnotationMirror mirror) {
    return byName(elements.getElementValuesWithDefaults(mirror));
  }

  private static Map<String, AnnotationValue> explicitValues(AnnotationMirror mirror) {
    return byName(mirror.getElementValues());
  }

  private static Map<String, AnnotationValue> byName(
      Map<? extends ExecutableElement, ? extends AnnotationValue> values) {
    Map<String, AnnotationValue> byName = new java.util.HashMap<>();
    values.forEach((element, value) -> byName.put(element.getSimpleName().toString(), value));
    return byName;
  }

  private static List<?> list(AnnotationValue value) {
    return (List<?>) value.getValue();
  }

  private static List<Integer> integers(AnnotationValue value) {
    return list(value).stream()
        .map(element -> (Integer) ((AnnotationValue) element).getValue())
        .toList();
  }

  private static List<String> strings(AnnotationValue value) {
    return list(value).stream()
        .map(element -> (String) ((AnnotationValue) element).getValue())
        .toList();
  }

  private static String enumConstant(AnnotationValue value) {
    return ((VariableElement) value.getValue()).getSimpleName().toString();
  }

  private static List<String> enumConstants(AnnotationValue value) {
    return list(value).stream().map(element -> enumConstant((AnnotationValue) element)).toList();
  }

  private PackageElement packageOf(TypeElement type) {
    return elements.getPackageOf(type);
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
