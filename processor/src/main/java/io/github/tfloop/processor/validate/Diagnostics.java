package io.github.tfloop.processor.validate;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.annotation.processing.Messager;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.tools.Diagnostic;

/**
 * Reports {@link Message}s on the most precise position javac can show (the annotation value if
 * there is one, else the annotation, else the element), counts the errors, and remembers what they
 * were reported on, so that checks depending on an element already in error can be skipped: one
 * mistake, one error.
 */
public final class Diagnostics {

  private final Messager messager;
  private int errors;

  /** The elements and annotations errors were reported on. */
  private final Set<Object> inError = new HashSet<>();

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
      inError.add(element);
      if (annotation != null) {
        inError.add(annotation);
      }
      if (element.getKind() == ElementKind.PARAMETER) {
        inError.add(element.getEnclosingElement());
      }
    }
    String text = message.format(arguments);
    if (element.getKind() == ElementKind.RECORD) {
      // The Eclipse compiler (3.40) cannot place a record, or an annotation on it, but places its
      // canonical constructor on the record's header; javac places that there too.
      Element constructor = firstConstructor(element);
      if (constructor != null) {
        messager.printMessage(kind, text, constructor);
        return;
      }
    }
    if (annotation != null && value != null) {
      messager.printMessage(kind, text, element, annotation, value);
    } else if (annotation != null) {
      messager.printMessage(kind, text, element, annotation);
    } else {
      messager.printMessage(kind, text, element);
    }
  }

  /**
   * Counts an error of the class at hand that another diagnostic, on another element, reports
   * already: the class must not be generated, and one mistake gets one error.
   */
  public void reportedElsewhere() {
    errors++;
  }

  /** Errors reported so far. */
  public int errorCount() {
    return errors;
  }

  /**
   * Whether an error was reported on {@code subject}: an element (a method is in error when one of
   * its parameters is) or an annotation.
   */
  public boolean inError(Object subject) {
    return subject != null && inError.contains(subject);
  }

  private static Element firstConstructor(Element type) {
    for (Element member : type.getEnclosedElements()) {
      if (member.getKind() == ElementKind.CONSTRUCTOR) {
        return member;
      }
    }
    return null;
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
