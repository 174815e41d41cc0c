package io.github.tfloop.processor.validate;

import io.github.tfloop.processor.parse.LoopDeclaration;
import io.github.tfloop.processor.parse.MethodDeclaration;
import io.github.tfloop.processor.parse.MethodDeclaration.Role;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.TypeParameterElement;

/** Rules every {@code @Model}, {@code @Loss} and {@code @Step} method follows. */
final class MethodRules {

  private MethodRules() {}

  /**
   * The rules of methods the generated loop calls, {@code @Model} and {@code @Loss}: not private,
   * static, generic or throwing checked exceptions. A {@code @Step} only declares a step, and the
   * loop never calls it, so these do not apply to it. Every method needs a body.
   */
  static void check(MethodDeclaration method, String loopClass, Diagnostics diagnostics) {
    String role = method.role().annotation();
    boolean called = method.role() != Role.STEP;
    if (called && method.modifiers().contains(Modifier.PRIVATE)) {
      diagnostics.report(
          Message.METHOD_PRIVATE, method.element(), role, loopClass, method.displayName());
    }
    if (called && method.modifiers().contains(Modifier.STATIC)) {
      diagnostics.report(Message.METHOD_STATIC, method.element(), role, method.displayName());
    }
    if (method.modifiers().contains(Modifier.ABSTRACT)
        && !method.element().getEnclosingElement().getModifiers().contains(Modifier.ABSTRACT)) {
      // in an abstract class, LoopClassModifiers asks for the body already
      diagnostics.report(Message.METHOD_ABSTRACT, method.element(), role, method.displayName());
    }
    if (called && method.generic()) {
      diagnostics.report(
          Message.METHOD_GENERIC,
          method.element(),
          role,
          method.displayName(),
          typeParameters(method.element().getTypeParameters()));
    }
    if (called && !method.checkedExceptions().isEmpty()) {
      diagnostics.report(
          Message.METHOD_THROWS,
          method.element(),
          role,
          method.displayName(),
          String.join(", ", method.checkedExceptions()));
    }
  }

  /** A method has one role: {@code @Model}, {@code @Loss} or {@code @Step}. */
  static void checkOneRole(MethodDeclaration method, Diagnostics diagnostics) {
    for (AnnotationMirror other : method.otherRoles()) {
      diagnostics.report(
          Message.DUPLICATE_ROLE,
          method.element(),
          other,
          method.displayName(),
          method.role().annotation());
    }
  }

  /** {@code <T, U>}, as written. */
  static String typeParameters(List<? extends TypeParameterElement> parameters) {
    return parameters.stream()
        .map(parameter -> parameter.getSimpleName().toString())
        .collect(Collectors.joining(", ", "<", ">"));
  }

  /**
   * Methods of one role are identified by name (a loss by {@code @Step(loss)}, a model by
   * {@code @Step(variables)} and by the loss parameters named after it), so overloads cannot share
   * a role.
   */
  static void checkUniqueNames(LoopDeclaration loop, Diagnostics diagnostics) {
    for (Role role : Role.values()) {
      Set<String> seen = new HashSet<>();
      for (MethodDeclaration method : loop.methods(role)) {
        if (!seen.add(method.name())) {
          diagnostics.report(
              Message.DUPLICATE_NAME,
              method.element(),
              role.annotation(),
              role.annotation(),
              method.name());
        }
      }
    }
  }
}
