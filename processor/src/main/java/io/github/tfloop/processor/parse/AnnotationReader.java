package io.github.tfloop.processor.parse;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.util.Elements;

/**
 * Typed access to the values of one annotation. A value of the wrong Java type is one that did not
 * resolve, such as a constant of a class another processor has not generated yet (javac then
 * reports the string {@code "<error>"}): it is noted in {@code unresolved}, and a neutral value
 * stands in for it, so the declaration can be deferred rather than misjudged.
 */
final class AnnotationReader {

  /** What javac makes of an annotation value it cannot resolve. */
  private static final String ERROR_VALUE = "<error>";

  private final Element element;
  private final AnnotationMirror mirror;
  private final String annotation;
  private final Map<String, AnnotationValue> values;
  private final Map<String, AnnotationValue> explicit;
  private final List<Unresolved> unresolved;

  /**
   * @param element the element {@code mirror} is on
   * @param annotation how messages name the annotation, such as {@code @Step on train()}
   * @param unresolved where values that did not resolve are added
   */
  AnnotationReader(
      Elements elements,
      Element element,
      AnnotationMirror mirror,
      String annotation,
      List<Unresolved> unresolved) {
    this.element = element;
    this.mirror = mirror;
    this.annotation = annotation;
    this.values = byName(elements.getElementValuesWithDefaults(mirror));
    this.explicit = byName(mirror.getElementValues());
    this.unresolved = unresolved;
  }

  private static Map<String, AnnotationValue> byName(
      Map<? extends ExecutableElement, ? extends AnnotationValue> values) {
    Map<String, AnnotationValue> byName = new HashMap<>();
    values.forEach((element, value) -> byName.put(element.getSimpleName().toString(), value));
    return byName;
  }

  /** The value written in the source, or {@code null} where the default applies. */
  AnnotationValue explicit(String name) {
    return explicit.get(name);
  }

  int integer(String name) {
    return value(name, values.get(name), Integer.class, 0);
  }

  long longValue(String name) {
    return value(name, values.get(name), Long.class, 0L);
  }

  double doubleValue(String name) {
    return value(name, values.get(name), Double.class, 0.0);
  }

  boolean bool(String name) {
    return value(name, values.get(name), Boolean.class, false);
  }

  String string(String name) {
    return value(name, values.get(name), String.class, "");
  }

  /** An enum constant value, or {@code null} if it did not resolve. */
  <E extends Enum<E>> E enumConstant(String name, Class<E> type) {
    return constant(name, values.get(name), type);
  }

  /** The elements of an array value, each an {@link AnnotationValue}. */
  List<AnnotationValue> elements(String name) {
    AnnotationValue value = values.get(name);
    Object raw = value == null ? null : value.getValue();
    List<AnnotationValue> elements = new ArrayList<>();
    if (raw instanceof List<?> list) {
      for (Object element : list) {
        if (element instanceof AnnotationValue annotationValue) {
          elements.add(annotationValue);
        } else {
          unresolved(name);
        }
      }
    } else {
      unresolved(name);
    }
    return elements;
  }

  /** The elements of an array value that was written in the source; empty where defaulted. */
  List<AnnotationValue> explicitElements(String name) {
    return explicit.containsKey(name) ? elements(name) : List.of();
  }

  List<Integer> integers(String name) {
    return elements(name).stream().map(element -> value(name, element, Integer.class, 0)).toList();
  }

  List<String> strings(String name) {
    return elements(name).stream().map(element -> value(name, element, String.class, "")).toList();
  }

  /** The enum constants of an array value; those that did not resolve are left out. */
  <E extends Enum<E>> List<E> enumConstants(String name, Class<E> type) {
    List<E> constants = new ArrayList<>();
    for (AnnotationValue element : elements(name)) {
      E constant = constant(name, element, type);
      if (constant != null) {
        constants.add(constant);
      }
    }
    return List.copyOf(constants);
  }

  private <T> T value(String name, AnnotationValue value, Class<T> type, T fallback) {
    Object raw = value == null ? null : value.getValue();
    if (type.isInstance(raw) && !ERROR_VALUE.equals(raw)) {
      return type.cast(raw);
    }
    unresolved(name);
    return fallback;
  }

  /**
   * The constant of {@code type} named like the value, or {@code null}: a value that did not
   * resolve, or a constant this processor does not know (annotations newer than the processor).
   */
  private <E extends Enum<E>> E constant(String name, AnnotationValue value, Class<E> type) {
    Object raw = value == null ? null : value.getValue();
    if (raw instanceof VariableElement constant) {
      String constantName = constant.getSimpleName().toString();
      for (E known : type.getEnumConstants()) {
        if (known.name().equals(constantName)) {
          return known;
        }
      }
    }
    unresolved(name);
    return null;
  }

  private void unresolved(String name) {
    String description = "the value of " + annotation.replaceFirst("^(@\\w+)", "$1(" + name + ")");
    if (unresolved.stream().noneMatch(known -> known.description().equals(description))) {
      unresolved.add(new Unresolved(description, element, mirror, explicit.get(name)));
    }
  }
}
