package io.github.tfloop.processor;

import com.google.auto.service.AutoService;
import io.github.tfloop.processor.model.LoopModel;
import io.github.tfloop.processor.model.LoopModelFactory;
import io.github.tfloop.processor.parse.LoopDeclaration;
import io.github.tfloop.processor.parse.LoopParser;
import io.github.tfloop.processor.parse.TypeNames;
import io.github.tfloop.processor.parse.TypeShape;
import io.github.tfloop.processor.validate.Diagnostics;
import io.github.tfloop.processor.validate.LoopValidator;
import io.github.tfloop.processor.validate.Message;
import io.github.tfloop.processor.write.LoopWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javax.annotation.processing.AbstractProcessor;
import javax.annotation.processing.Processor;
import javax.annotation.processing.RoundEnvironment;
import javax.annotation.processing.SupportedAnnotationTypes;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.util.ElementFilter;

/**
 * Generates a training loop for every class annotated {@code @TrainingLoop}: parse, validate,
 * model, write. Classes whose signatures refer to types not generated yet wait for a later round;
 * an unexpected exception becomes one "internal error" diagnostic on its class, and processing
 * goes on with the next class.
 */
@AutoService(Processor.class)
@SupportedAnnotationTypes({
  TypeNames.TRAINING_LOOP,
  TypeNames.MODEL,
  TypeNames.LOSS,
  TypeNames.STEP,
  TypeNames.FEATURE,
  TypeNames.LABEL,
  TfloopProcessor.GENERATED
})
public final class TfloopProcessor extends AbstractProcessor {

  static final String GENERATED = "javax.annotation.processing.Generated";

  /** Qualified names of classes waiting for their types to resolve. */
  private final Set<String> deferred = new LinkedHashSet<>();

  @Override
  public SourceVersion getSupportedSourceVersion() {
    return SourceVersion.latestSupported();
  }

  @Override
  public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
    Diagnostics diagnostics = new Diagnostics(processingEnv.getMessager());
    LoopParser parser = new LoopParser(processingEnv.getElementUtils());
    for (TypeElement type : loopClasses(round)) {
      if (hasUnresolvedTypes(type, parser)) {
        if (!round.processingOver()) {
          deferred.add(type.getQualifiedName().toString());
        }
        // In the last round javac itself reports the type that never resolved.
        continue;
      }
      generate(type, parser, diagnostics);
    }
    reportOrphans(round, diagnostics);
    return claims(annotations, round);
  }

  /**
   * Whether to claim this round's annotations. Unclaimed annotations make javac warn under {@code
   * -Xlint:processing}, which fails {@code -Werror} builds. tfloop's own annotations are claimed,
   * and {@code @Generated} too when every element carrying it in this round is a loop tfloop wrote.
   */
  private static boolean claims(Set<? extends TypeElement> annotations, RoundEnvironment round) {
    for (TypeElement annotation : annotations) {
      if (annotation.getQualifiedName().contentEquals(GENERATED)) {
        for (Element element : round.getElementsAnnotatedWith(annotation)) {
          if (!LoopWriter.isGeneratedByTfloop(element)) {
            return false;
          }
        }
      }
    }
    return true;
  }

  /** This round's {@code @TrainingLoop} classes and those deferred from earlier rounds. */
  private List<TypeElement> loopClasses(RoundEnvironment round) {
    List<TypeElement> classes = new ArrayList<>();
    for (String name : deferred) {
      TypeElement type = processingEnv.getElementUtils().getTypeElement(name);
      if (type != null) {
        classes.add(type);
      }
    }
    deferred.clear();
    TypeElement annotation = processingEnv.getElementUtils().getTypeElement(TypeNames.TRAINING_LOOP);
    if (annotation != null) {
      for (Element element : round.getElementsAnnotatedWith(annotation)) {
        if (element instanceof TypeElement type && !classes.contains(type)) {
          classes.add(type);
        }
      }
    }
    return classes;
  }

  private static boolean hasUnresolvedTypes(TypeElement type, LoopParser parser) {
    for (ExecutableElement method : ElementFilter.methodsIn(type.getEnclosedElements())) {
      if (!hasTfloopAnnotation(method)) {
        continue;
      }
      if (parser.typeShape(method.getReturnType()).kind() == TypeShape.Kind.UNRESOLVED) {
        return true;
      }
      for (VariableElement parameter : method.getParameters()) {
        if (parser.typeShape(parameter.asType()).kind() == TypeShape.Kind.UNRESOLVED) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean hasTfloopAnnotation(Element element) {
    return LoopParser.find(element, TypeNames.MODEL) != null
        || LoopParser.find(element, TypeNames.LOSS) != null
        || LoopParser.find(element, TypeNames.STEP) != null;
  }

  private void generate(TypeElement type, LoopParser parser, Diagnostics diagnostics) {
    try {
      LoopDeclaration loop = parser.parse(type, LoopParser.find(type, TypeNames.TRAINING_LOOP));
      String loopClassName = LoopModelFactory.loopClassName(loop);
      if (!new LoopValidator(diagnostics).validate(loop, loopClassName)) {
        return;
      }
      LoopModel model = LoopModelFactory.create(loop);
      try {
        LoopWriter.write(model).writeTo(processingEnv.getFiler());
      } catch (IOException e) {
        diagnostics.error(Message.WRITE_FAILED, type, loopClassName, e.getMessage());
      }
    } catch (RuntimeException e) {
      StringWriter trace = new StringWriter();
      e.printStackTrace(new PrintWriter(trace));
      diagnostics.error(Message.INTERNAL_ERROR, type, type.getQualifiedName(), trace);
    }
  }

  /** Method and parameter annotations outside a loop class. */
  private void reportOrphans(RoundEnvironment round, Diagnostics diagnostics) {
    for (String name : List.of(TypeNames.MODEL, TypeNames.LOSS, TypeNames.STEP)) {
      TypeElement annotation = processingEnv.getElementUtils().getTypeElement(name);
      if (annotation == null) {
        continue;
      }
      for (Element method : round.getElementsAnnotatedWith(annotation)) {
        Element owner = method.getEnclosingElement();
        if (LoopParser.find(owner, TypeNames.TRAINING_LOOP) == null) {
          diagnostics.error(
              Message.ORPHAN_ANNOTATION, method, LoopParser.find(method, name),
              "@" + annotation.getSimpleName(), owner.getSimpleName());
        }
      }
    }
    for (String name : List.of(TypeNames.FEATURE, TypeNames.LABEL)) {
      TypeElement annotation = processingEnv.getElementUtils().getTypeElement(name);
      if (annotation == null) {
        continue;
      }
      for (Element parameter : round.getElementsAnnotatedWith(annotation)) {
        Element method = parameter.getEnclosingElement();
        boolean inLoopMethod = method.getKind() == ElementKind.METHOD
            && (LoopParser.find(method, TypeNames.MODEL) != null
                || LoopParser.find(method, TypeNames.LOSS) != null);
        if (!inLoopMethod) {
          diagnostics.error(
              Message.ORPHAN_INPUT, parameter, LoopParser.find(parameter, name),
              "@" + annotation.getSimpleName(), describe(method));
        }
      }
    }
  }

  private static String describe(Element element) {
    return element.getKind() == ElementKind.METHOD
        ? element.getSimpleName() + "()"
        : element.getSimpleName().toString();
  }
}
