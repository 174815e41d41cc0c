package io.github.tfloop.processor.validate;

import java.util.List;
import javax.annotation.processing.Messager;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.tools.Diagnostic;

/**
 * Reports {@link Message}s on the most precise position javac can show (the annotation value if
 * there is one, else the annotation, else the element) and counts the errors.
 */
public final class Diagnostics {

  private final Messager messager;
  private int errors;

  public Diagnostics(Messager messager) {
    this.messager = messager;
  }

  /** Reports {@code message} on {@code element}. */
  public void report(Message message, Element element, Object... arguments) {
    report(message, element, null, null, arguments);
  }

  /** Reports {@code message} on {@code annotation} of {@code element}. */
  public void report(
      Message message, Element element, AnnotationMirror annotation, Object... arguments) {
    report(message, element, annotation, null, arguments);
  }

  /**
   * Reports {@code message} on {@code value} of {@code annotation}, or on the annotation where the
   * value is {@code null} (a defaulted value has no position of its own).
   */
  public void report(
      Message message,
      Element element,
      AnnotationMirror annotation,
      AnnotationValue value,
      Object... arguments) {
    Diagnostic.Kind kind = message.kind();
    if (kind == Diagnostic.Kind.ERROR) {
      errors++;
    }
    String text = message.format(arguments);
    if (annotation != null && value != null) {
      messager.printMessage(kind, text, element, annotation, value);
    } else if (annotation != null) {
      messager.printMessage(kind, text, element, annotation);
    } else {
      messager.printMessage(kind, text, element);
    }
  }

  /** Errors reported so far. */
  public int errorCount() {
    return errors;
  }

  /**
   * Where to report on element {@code index} of an array value: that element as written, else (a
   * defaulted array has no written elements) {@code whole}.
   */
  static AnnotationValue elementOr(
      List<AnnotationValue> elements, int index, AnnotationValue whole) {
    return index >= 0 && index < elements.size() ? elements.get(index) : whole;
  }
}
