package io.github.tfloop.processor.validate;

import io.github.tfloop.processor.parse.LoopParser;
import io.github.tfloop.processor.parse.MethodDeclaration.Role;
import io.github.tfloop.processor.parse.TypeNames;
import java.util.List;
import javax.annotation.processing.RoundEnvironment;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.util.Elements;

/**
 * tfloop annotations where they have no effect: method annotations and {@code @StandardLoss}
 * outside a {@code @TrainingLoop} class, and input annotations outside a {@code @Model} or
 * {@code @Loss} method. javac's {@code @Target} already rejects them on the wrong kind of element
 * (a field, a type).
 */
public final class PlacementValidator {

  private static final List<String> INPUT_ANNOTATIONS = List.of(TypeNames.FEATURE, TypeNames.LABEL);

  private final Elements elements;
  private final Diagnostics diagnostics;

  public PlacementValidator(Elements elements, Diagnostics diagnostics) {
    this.elements = elements;
    this.diagnostics = diagnostics;
  }

  /** Checks every element of this round that carries a tfloop method or input annotation. */
  public void check(RoundEnvironment round) {
    for (Role role : Role.values()) {
      TypeElement annotation = elements.getTypeElement(LoopParser.annotationOf(role));
      if (annotation == null) {
        continue;
      }
      for (Element method : round.getElementsAnnotatedWith(annotation)) {
        Element owner = method.getEnclosingElement();
        if (LoopParser.find(owner, TypeNames.TRAINING_LOOP) == null) {
          diagnostics.report(
              Message.ORPHAN_ANNOTATION,
              method,
              LoopParser.find(method, annotation.toString()),
              role.annotation(),
              owner.getSimpleName());
        }
      }
    }
    TypeElement standardLoss = elements.getTypeElement(TypeNames.STANDARD_LOSS);
    if (standardLoss != null) {
      for (Element type : round.getElementsAnnotatedWith(standardLoss)) {
        if (LoopParser.find(type, TypeNames.TRAINING_LOOP) == null) {
          diagnostics.report(
              Message.ORPHAN_STANDARD_LOSS,
              type,
              LoopParser.find(type, TypeNames.STANDARD_LOSS),
              type.getSimpleName());
        }
      }
    }
    for (String name : INPUT_ANNOTATIONS) {
      TypeElement annotation = elements.getTypeElement(name);
      if (annotation == null) {
        continue;
      }
      for (Element parameter : round.getElementsAnnotatedWith(annotation)) {
        Element owner = parameter.getEnclosingElement().getEnclosingElement();
        if (LoopParser.find(owner, TypeNames.TRAINING_LOOP) == null) {
          checkInput(parameter, name, diagnostics); // inside a loop class, LoopValidator checks
        }
      }
    }
  }

  /** Reports input annotations on parameters of methods and constructors of a loop class. */
  static void checkInputsIn(TypeElement loopClass, Diagnostics diagnostics) {
    for (Element member : loopClass.getEnclosedElements()) {
      if (member instanceof ExecutableElement executable) {
        for (VariableElement parameter : executable.getParameters()) {
          for (String name : INPUT_ANNOTATIONS) {
            if (LoopParser.find(parameter, name) != null) {
              checkInput(parameter, name, diagnostics);
            }
          }
        }
      }
    }
  }

  private static void checkInput(Element parameter, String annotation, Diagnostics diagnostics) {
    Element method = parameter.getEnclosingElement();
    boolean inLoopMethod =
        method.getKind() == ElementKind.METHOD
            && (LoopParser.find(method, TypeNames.MODEL) != null
                || LoopParser.find(method, TypeNames.LOSS) != null);
    if (!inLoopMethod) {
      diagnostics.report(
          Message.ORPHAN_INPUT,
          parameter,
          LoopParser.find(parameter, annotation),
          "@" + annotation.substring(annotation.lastIndexOf('.') + 1),
          describe(method));
    }
  }

  private static String describe(Element element) {
    return switch (element.getKind()) {
      case METHOD -> element.getSimpleName() + "()";
      case CONSTRUCTOR -> "the constructor of " + element.getEnclosingElement().getSimpleName();
      default -> element.getSimpleName().toString();
    };
  }
}
