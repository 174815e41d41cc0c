package io.github.tfloop.processor.validate;

import io.github.tfloop.processor.parse.LoopParser;
import io.github.tfloop.processor.parse.MethodDeclaration.Role;
import io.github.tfloop.processor.parse.TypeNames;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.annotation.processing.RoundEnvironment;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.util.Elements;
import javax.lang.model.util.Types;

/**
 * tfloop annotations where they have no effect: method annotations and {@code @StandardLoss}
 * outside a {@code @TrainingLoop} class, and input annotations outside a {@code @Model} or
 * {@code @Loss} method. javac's {@code @Target} already rejects them on the wrong kind of element
 * (a field, a type).
 */
public final class PlacementValidator {

  private static final List<String> INPUT_ANNOTATIONS = List.of(TypeNames.FEATURE, TypeNames.LABEL);

  private final Elements elements;
  private final Types types;
  private final Diagnostics diagnostics;

  /** A validator reporting to {@code diagnostics}. */
  public PlacementValidator(Elements elements, Types types, Diagnostics diagnostics) {
    this.elements = elements;
    this.types = types;
    this.diagnostics = diagnostics;
  }

  /**
   * The methods of this round that carry {@code @Model}, {@code @Loss} or {@code @Step} outside a
   * {@code @TrainingLoop} class.
   */
  public Set<Element> orphans(RoundEnvironment round) {
    Set<Element> orphans = new HashSet<>();
    for (Role role : Role.values()) {
      TypeElement annotation = elements.getTypeElement(LoopParser.annotationOf(role));
      if (annotation != null) {
        for (Element method : round.getElementsAnnotatedWith(annotation)) {
          if (LoopParser.find(method.getEnclosingElement(), TypeNames.TRAINING_LOOP) == null) {
            orphans.add(method);
          }
        }
      }
    }
    return orphans;
  }

  /** Checks every element of this round that carries a tfloop method or input annotation. */
  public void check(RoundEnvironment round) {
    List<TypeElement> loopClasses = new ArrayList<>();
    TypeElement trainingLoop = elements.getTypeElement(TypeNames.TRAINING_LOOP);
    if (trainingLoop != null) {
      for (Element element : round.getElementsAnnotatedWith(trainingLoop)) {
        if (element instanceof TypeElement type) {
          loopClasses.add(type);
        }
      }
    }
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
              orphanHint(method, owner, loopClasses));
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

  /**
   * What to do about a method annotation in {@code owner}, which is no loop class: annotate it, or,
   * where that cannot work (an abstract class or interface, an enum or record, a class nested in a
   * loop class or extended by one), move the method to the loop class.
   */
  private String orphanHint(Element method, Element owner, List<TypeElement> loopClasses) {
    String name = method.getSimpleName() + "()";
    for (TypeElement loopClass : loopClasses) {
      if (!loopClass.equals(owner)
          && types.isSubtype(types.erasure(loopClass.asType()), types.erasure(owner.asType()))) {
        return owner.getSimpleName()
            + " is a supertype of "
            + loopClass.getSimpleName()
            + ", and a loop takes only the methods its own class declares; declare "
            + name
            + " in "
            + loopClass.getSimpleName();
      }
    }
    for (Element outer = owner.getEnclosingElement();
        outer instanceof TypeElement enclosing;
        outer = enclosing.getEnclosingElement()) {
      if (LoopParser.find(enclosing, TypeNames.TRAINING_LOOP) != null) {
        return owner.getSimpleName()
            + " is nested in the loop class "
            + enclosing.getSimpleName()
            + ", whose loop takes only the methods it declares itself; move "
            + name
            + " to "
            + enclosing.getSimpleName();
      }
    }
    if (owner.getKind() != ElementKind.CLASS) {
      return owner.getSimpleName()
          + " is "
          + (owner.getKind() == ElementKind.INTERFACE
              ? "an interface"
              : "an " + owner.getKind().name().toLowerCase(Locale.ROOT))
          + "; declare "
          + name
          + " in a class annotated @TrainingLoop";
    }
    if (owner.getModifiers().contains(Modifier.ABSTRACT)) {
      return owner.getSimpleName()
          + " is abstract, and a loop runs on an instance of its own class; declare "
          + name
          + " in the @TrainingLoop class itself";
    }
    return "annotate " + owner.getSimpleName() + " with @TrainingLoop";
  }

  /**
   * Reports input annotations on parameters of methods and constructors of a loop class, other than
   * {@code @Model}, {@code @Loss} and {@code @Step} methods (a step's parameters are reported as
   * StepSignature).
   */
  static void checkInputsIn(TypeElement loopClass, Diagnostics diagnostics) {
    for (Element member : loopClass.getEnclosedElements()) {
      if (member instanceof ExecutableElement executable
          && LoopParser.find(executable, TypeNames.STEP) == null) {
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
