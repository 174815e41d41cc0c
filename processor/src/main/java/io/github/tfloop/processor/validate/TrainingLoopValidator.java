package io.github.tfloop.processor.validate;

import io.github.tfloop.processor.parse.LoopDeclaration;
import io.github.tfloop.processor.parse.MethodDeclaration.Role;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.NestingKind;
import javax.lang.model.element.TypeElement;

/** The {@code @TrainingLoop} annotation and the class it is on. */
final class TrainingLoopValidator {

  private TrainingLoopValidator() {}

  static void check(LoopDeclaration loop, String loopClassName, Diagnostics diagnostics) {
    TypeElement type = loop.element();
    String name = type.getSimpleName().toString();
    if (type.getKind() != ElementKind.CLASS) {
      diagnostics.error(
          Message.LOOP_CLASS_KIND, type, loop.annotation(), name,
          "an " + type.getKind().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '));
      return;
    }
    NestingKind nesting = type.getNestingKind();
    if (nesting == NestingKind.LOCAL || nesting == NestingKind.ANONYMOUS) {
      diagnostics.error(
          Message.LOOP_CLASS_LOCAL, type, loop.annotation(), name,
          "a " + nesting.name().toLowerCase(java.util.Locale.ROOT) + " class");
      return;
    }
    if (type.getModifiers().contains(Modifier.ABSTRACT)) {
      diagnostics.error(
          Message.LOOP_CLASS_MODIFIERS, type, loop.annotation(), "abstract", loopClassName);
    }
    if (type.getModifiers().contains(Modifier.PRIVATE)) {
      diagnostics.error(
          Message.LOOP_CLASS_MODIFIERS, type, loop.annotation(), "private", loopClassName);
    }
    if (nesting == NestingKind.MEMBER && !type.getModifiers().contains(Modifier.STATIC)) {
      diagnostics.error(Message.LOOP_CLASS_INNER, type, loop.annotation(), name);
    }
    if (!type.getTypeParameters().isEmpty()) {
      diagnostics.error(
          Message.LOOP_CLASS_GENERIC, type, loop.annotation(), name, type.getTypeParameters());
    }
    if (loop.batchSize() <= 0) {
      diagnostics.error(
          Message.BATCH_SIZE, type, loop.annotation(), loop.batchSizeValue(), loop.batchSize());
    }
    if (!loop.loopName().isEmpty()
        && (!SourceVersion.isName(loop.loopName()) || loop.loopName().contains(".")
            || loop.loopName().equals(loop.flatName()))) {
      diagnostics.error(
          Message.LOOP_NAME, type, loop.annotation(), loop.loopNameValue(), loop.loopName());
    }
    if (loop.methods(Role.MODEL).isEmpty()) {
      diagnostics.error(Message.MISSING_MODEL, type, loop.annotation(), name);
    }
    if (loop.methods(Role.LOSS).isEmpty()) {
      diagnostics.error(Message.MISSING_LOSS, type, loop.annotation(), name);
    }
    if (loop.methods(Role.STEP).isEmpty()) {
      diagnostics.error(Message.MISSING_STEP, type, loop.annotation(), name);
    }
  }
}
