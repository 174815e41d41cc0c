package io.github.tfloop.processor.parse;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
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

  private final String annotation;
  private final Map<String, AnnotationValue> values;
  private final Map<String, AnnotationValue> explicit;
  private final List<String> unresolved;

  /**
   * @param annotation how messages name the annotation, such as {@code @Step on train()}
   * @param unresolved where descriptions of values that did not resolve are added
   */
  AnnotationReader(
      Elements elements, AnnotationMirror mirror, String annotation, List<String> unresolved) {
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

  /** The simple name of an enum constant value, or {@code ""} if it did not resolve. */
  String enumConstant(String name) {
    return constantName(name, values.get(name));
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

  List<String> enumConstants(String name) {
    return elements(name).stream().map(element -> constantName(name, element)).toList();
  }

  private <T> T value(String name, AnnotationValue value, Class<T> type, T fallback) {
    Object raw = value == null ? null : value.getValue();
    if (type.isInstance(raw) && !ERROR_VALUE.equals(raw)) {
      return type.cast(raw);
    }
    unresolved(name);
    return fallback;
  }

  private String constantName(String name, AnnotationValue value) {
    Object raw = value == null ? null : value.getValue();
    if (raw instanceof VariableElement constant) {
      return constant.getSimpleName().toString();
    }
    unresolved(name);
    return "";
  }

  private void unresolved(String name) {
    String description = "the value of " + annotation.replaceFirst("^(@\\w+)", "$1(" + name + ")");
    if (!unresolved.contains(description)) {
      unresolved.add(description);
    }
  }
}
