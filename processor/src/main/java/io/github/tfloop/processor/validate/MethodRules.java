package io.github.tfloop.processor.validate;

import io.github.tfloop.processor.parse.MethodDeclaration;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.Modifier;

/** Rules every {@code @Model}, {@code @Loss} and {@code @Step} method follows. */
final class MethodRules {

  private MethodRules() {}

  static void check(MethodDeclaration method, String loopClass, Diagnostics diagnostics) {
    String role = method.role().annotation();
    if (method.modifiers().contains(Modifier.PRIVATE)) {
      diagnostics.error(
          Message.METHOD_PRIVATE, method.element(), role, loopClass, method.name() + "()");
    }
    if (method.modifiers().contains(Modifier.STATIC)) {
      diagnostics.error(Message.METHOD_STATIC, method.element(), role, method.name() + "()");
    }
    if (method.modifiers().contains(Modifier.ABSTRACT)) {
      diagnostics.error(Message.METHOD_ABSTRACT, method.element(), role, method.name() + "()");
    }
    if (method.generic()) {
      diagnostics.error(Message.METHOD_GENERIC, method.element(), role, method.name() + "()");
    }
    for (AnnotationMirror other : method.otherRoles()) {
      diagnostics.error(
          Message.DUPLICATE_ROLE, method.element(), other, method.name() + "()", role);
    }
  }
}
