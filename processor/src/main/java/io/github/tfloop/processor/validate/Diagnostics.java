package io.github.tfloop.processor.validate;

import javax.annotation.processing.Messager;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.tools.Diagnostic;

/**
 * Reports {@link Message}s on the most precise position javac can show, the annotation value if
 * there is one, else the annotation, else the element, and counts the errors.
 */
public final class Diagnostics {

  private final Messager messager;
  private int errors;

  public Diagnostics(Messager messager) {
    this.messager = messager;
  }

  public void error(Message message, Element element, Object... arguments) {
    report(Diagnostic.Kind.ERROR, message, element, null, null, arguments);
  }

  public void error(
      Message message, Element element, AnnotationMirror annotation, Object... arguments) {
    report(Diagnostic.Kind.ERROR, message, element, annotation, null, arguments);
  }

  public void error(
      Message message,
      Element element,
      AnnotationMirror annotation,
      AnnotationValue value,
      Object... arguments) {
    report(Diagnostic.Kind.ERROR, message, element, annotation, value, arguments);
  }

  public void warning(Message message, Element element, Object... arguments) {
    report(Diagnostic.Kind.WARNING, message, element, null, null, arguments);
  }

  private void report(
      Diagnostic.Kind kind,
      Message message,
      Element element,
      AnnotationMirror annotation,
      AnnotationValue value,
      Object[] arguments) {
    if (kind == Diagnostic.Kind.ERROR) {
      errors++;
    }
    String text = message.format(arguments);
    if (value != null) {
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
}
