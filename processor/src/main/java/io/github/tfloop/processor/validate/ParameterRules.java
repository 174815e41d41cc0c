package io.github.tfloop.processor.validate;

import io.github.tfloop.processor.parse.InputDeclaration;
import io.github.tfloop.processor.parse.ParameterDeclaration;
import javax.lang.model.SourceVersion;

/** Rules for {@code @Feature} and {@code @Label} parameters, wherever they are. */
final class ParameterRules {

  /** The most values one example may hold: the runtime indexes them with {@code int}. */
  static final long MAX_EXAMPLE_LENGTH = Integer.MAX_VALUE;

  private ParameterRules() {}

  static void checkInput(ParameterDeclaration parameter, Diagnostics diagnostics) {
    InputDeclaration input = parameter.input();
    if (parameter.inputAnnotations().size() > 1) {
      diagnostics.report(
          Message.INPUT_BOTH_ROLES,
          parameter.element(),
          parameter.inputAnnotations().get(1),
          parameter.name());
    }
    if (!parameter.type().isOperand()) {
      diagnostics.report(
          Message.INPUT_TYPE,
          parameter.element(),
          input.annotationName(),
          parameter.type().display());
    }
    checkShape(parameter, diagnostics);
    if (input.nameValue() != null && !isIdentifier(input.name())) {
      diagnostics.report(
          Message.INPUT_NAME,
          parameter.element(),
          input.annotation(),
          input.nameValue(),
          input.annotationName(),
          input.name());
    }
  }

  /** Whether {@code name} can name a Java variable or class: an identifier, not a keyword. */
  static boolean isIdentifier(String name) {
    return SourceVersion.isIdentifier(name) && !SourceVersion.isKeyword(name);
  }

  /** Every dimension positive, and the product within what the runtime can index. */
  private static void checkShape(ParameterDeclaration parameter, Diagnostics diagnostics) {
    InputDeclaration input = parameter.input();
    long length = 1;
    boolean positive = true;
    for (int i = 0; i < input.shape().size(); i++) {
      int dimension = input.shape().get(i);
      if (dimension <= 0) {
        diagnostics.report(
            Message.INPUT_SHAPE,
            parameter.element(),
            input.annotation(),
            Diagnostics.elementOr(input.dimensionValues(), i, input.shapeValue()),
            input.annotationName(),
            dimension,
            input.displayShape());
        positive = false;
      } else {
        length = Math.min(length * dimension, MAX_EXAMPLE_LENGTH + 1);
      }
    }
    if (positive && length > MAX_EXAMPLE_LENGTH) {
      diagnostics.report(
          Message.INPUT_SIZE,
          parameter.element(),
          input.annotation(),
          input.shapeValue(),
          input.annotationName(),
          MAX_EXAMPLE_LENGTH,
          input.displayShape(),
          exactLength(input));
    }
  }

  private static java.math.BigInteger exactLength(InputDeclaration input) {
    java.math.BigInteger length = java.math.BigInteger.ONE;
    for (int dimension : input.shape()) {
      length = length.multiply(java.math.BigInteger.valueOf(dimension));
    }
    return length;
  }
}
