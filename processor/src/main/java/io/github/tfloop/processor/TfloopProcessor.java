package io.github.tfloop.processor;

import com.google.auto.service.AutoService;
import io.github.tfloop.processor.model.LoopModel;
import io.github.tfloop.processor.model.LoopModelFactory;
import io.github.tfloop.processor.parse.LoopDeclaration;
import io.github.tfloop.processor.parse.LoopParser;
import io.github.tfloop.processor.parse.TypeNames;
import io.github.tfloop.processor.validate.Diagnostics;
import io.github.tfloop.processor.validate.LocalLoopClasses;
import io.github.tfloop.processor.validate.LoopValidator;
import io.github.tfloop.processor.validate.Message;
import io.github.tfloop.processor.validate.PlacementValidator;
import io.github.tfloop.processor.write.LoopWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javax.annotation.processing.AbstractProcessor;
import javax.annotation.processing.Processor;
import javax.annotation.processing.RoundEnvironment;
import javax.annotation.processing.SupportedAnnotationTypes;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.Element;
import javax.lang.model.element.TypeElement;
import javax.tools.Diagnostic;

/**
 * Generates a training loop for every class annotated {@code @TrainingLoop}: parse, validate,
 * model, write. Classes whose declarations refer to types or constants not generated yet wait for a
 * later round; an unexpected exception becomes one "internal error" diagnostic on its class, and
 * processing goes on with the next class.
 */
@AutoService(Processor.class)
@SupportedAnnotationTypes({
  TypeNames.TRAINING_LOOP,
  TypeNames.MODEL,
  TypeNames.LOSS,
  TypeNames.STEP,
  TypeNames.FEATURE,
  TypeNames.LABEL,
  TypeNames.STANDARD_LOSS,
  TfloopProcessor.GENERATED
})
public final class TfloopProcessor extends AbstractProcessor {

  static final String GENERATED = "javax.annotation.processing.Generated";

  /** Qualified names of classes waiting for their declarations to resolve. */
  private final Set<String> deferred = new LinkedHashSet<>();

  /** Qualified names of the user's own top-level types, which a loop class must not clash with. */
  private final Set<String> userTypes = new HashSet<>();

  /** Qualified names of the loop classes written so far. */
  private final Set<String> written = new HashSet<>();

  @Override
  public SourceVersion getSupportedSourceVersion() {
    return SourceVersion.latestSupported();
  }

  @Override
  public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
    Diagnostics diagnostics = new Diagnostics(processingEnv.getMessager());
    try {
      rememberUserTypes(round);
      LoopParser parser =
          new LoopParser(processingEnv.getElementUtils(), processingEnv.getTypeUtils());
      for (TypeElement type : loopClasses(round)) {
        process(type, parser, diagnostics, round.processingOver());
      }
      new PlacementValidator(processingEnv.getElementUtils(), diagnostics).check(round);
      LocalLoopClasses.report(processingEnv, round);
    } catch (RuntimeException | LinkageError | AssertionError e) {
      processingEnv
          .getMessager()
          .printMessage(
              Diagnostic.Kind.ERROR, Message.INTERNAL_ERROR.format("this round", trace(e)));
    }
    return claims(annotations, round);
  }

  /** Parses, validates, models and writes one loop class, or defers it to the next round. */
  private void process(
      TypeElement type, LoopParser parser, Diagnostics diagnostics, boolean lastRound) {
    try {
      LoopDeclaration loop = parser.parse(type, LoopParser.find(type, TypeNames.TRAINING_LOOP));
      String loopClassName = LoopModelFactory.loopClassName(loop);
      if (!loop.unresolved().isEmpty()) {
        if (lastRound) {
          diagnostics.report(
              Message.UNRESOLVED, type, loop.annotation(), loop.unresolved().get(0), loopClassName);
        } else {
          deferred.add(type.getQualifiedName().toString());
        }
        return;
      }
      LoopValidator validator = new LoopValidator(diagnostics, this::isTaken);
      if (!validator.validate(loop, loopClassName)) {
        return;
      }
      LoopModel model = LoopModelFactory.create(loop);
      try {
        LoopWriter.write(model).writeTo(processingEnv.getFiler());
        written.add(loop.qualifiedName(loopClassName));
      } catch (IOException e) {
        diagnostics.report(Message.WRITE_FAILED, type, loopClassName, e.getMessage());
      }
    } catch (RuntimeException | LinkageError | AssertionError e) {
      diagnostics.report(Message.INTERNAL_ERROR, type, type.getQualifiedName(), trace(e));
    }
  }

  private boolean isTaken(String qualifiedName) {
    return userTypes.contains(qualifiedName) || written.contains(qualifiedName);
  }

  private void rememberUserTypes(RoundEnvironment round) {
    for (Element root : round.getRootElements()) {
      if (root instanceof TypeElement type && !LoopWriter.isGeneratedByTfloop(type)) {
        userTypes.add(type.getQualifiedName().toString());
      }
    }
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
    TypeElement annotation =
        processingEnv.getElementUtils().getTypeElement(TypeNames.TRAINING_LOOP);
    if (annotation != null) {
      for (Element element : round.getElementsAnnotatedWith(annotation)) {
        if (element instanceof TypeElement type && !classes.contains(type)) {
          classes.add(type);
        }
      }
    }
    return classes;
  }

  private static String trace(Throwable e) {
    StringWriter trace = new StringWriter();
    e.printStackTrace(new PrintWriter(trace));
    return trace.toString();
  }
}
