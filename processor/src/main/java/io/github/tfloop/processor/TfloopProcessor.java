package io.github.tfloop.processor;

import com.google.auto.service.AutoService;
import io.github.tfloop.processor.model.LoopModel;
import io.github.tfloop.processor.model.LoopModelFactory;
import io.github.tfloop.processor.parse.LoopDeclaration;
import io.github.tfloop.processor.parse.LoopParser;
import io.github.tfloop.processor.parse.MethodBodies;
import io.github.tfloop.processor.parse.TypeNames;
import io.github.tfloop.processor.parse.Unresolved;
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
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
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

  /** The loop classes written so far, by qualified name, each with the class it was written for. */
  private final Map<String, String> written = new HashMap<>();

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
          new LoopParser(
              processingEnv.getElementUtils(),
              processingEnv.getTypeUtils(),
              MethodBodies.of(processingEnv));
      PlacementValidator placement =
          new PlacementValidator(
              processingEnv.getElementUtils(), processingEnv.getTypeUtils(), diagnostics);
      Set<Element> orphans = placement.orphans(round);
      Map<TypeElement, LoopDeclaration> loops = new LinkedHashMap<>();
      for (TypeElement type : loopClasses(round)) {
        LoopDeclaration loop = parse(type, parser, diagnostics);
        if (loop != null) {
          loops.put(type, loop);
        }
      }
      Map<String, List<String>> claims = claims(loops.values());
      reportClashesWithEarlierLoops(claims, diagnostics);
      for (LoopDeclaration loop : loops.values()) {
        process(loop, claims, orphans, diagnostics, round.processingOver());
      }
      placement.check(round);
      LocalLoopClasses.report(processingEnv, round);
    } catch (RuntimeException | LinkageError | AssertionError e) {
      processingEnv
          .getMessager()
          .printMessage(
              Diagnostic.Kind.ERROR, Message.INTERNAL_ERROR.format("this round", trace(e)));
    }
    return claims(annotations, round);
  }

  private LoopDeclaration parse(TypeElement type, LoopParser parser, Diagnostics diagnostics) {
    try {
      return parser.parse(type, LoopParser.find(type, TypeNames.TRAINING_LOOP));
    } catch (RuntimeException | LinkageError | AssertionError e) {
      diagnostics.report(Message.INTERNAL_ERROR, type, type.getQualifiedName(), trace(e));
      return null;
    }
  }

  /**
   * The classes that ask for each loop class name: those of this round, and those written for in
   * earlier rounds, by qualified name. A class waiting for a type to resolve asks for its name in
   * the round in which it resolves.
   */
  private Map<String, List<String>> claims(Collection<LoopDeclaration> loops) {
    Map<String, List<String>> claims = new HashMap<>();
    written.forEach(
        (loopClass, definition) ->
            claims.computeIfAbsent(loopClass, name -> new ArrayList<>()).add(definition));
    for (LoopDeclaration loop : loops) {
      if (!loop.unresolved().isEmpty()) {
        continue;
      }
      List<String> claimants =
          claims.computeIfAbsent(
              loop.qualifiedName(LoopModelFactory.loopClassName(loop)), name -> new ArrayList<>());
      String definition = loop.element().getQualifiedName().toString();
      if (!claimants.contains(definition)) {
        claimants.add(definition);
      }
    }
    return claims;
  }

  /**
   * A class of this round that asks for the name of a loop written in an earlier round (it waited
   * for a generated type) is reported by its validation; the class that loop was written for is
   * reported here, the same way.
   */
  private void reportClashesWithEarlierLoops(
      Map<String, List<String>> claims, Diagnostics diagnostics) {
    written.forEach(
        (loopClass, definition) -> {
          LoopValidator.NameClash clash = clash(loopClass, definition, claims);
          TypeElement type = processingEnv.getElementUtils().getTypeElement(definition);
          if (clash != null && !clash.otherLoops().isEmpty() && type != null) {
            LoopValidator.reportClash(
                diagnostics,
                type,
                LoopParser.find(type, TypeNames.TRAINING_LOOP),
                null,
                loopClass,
                clash);
          }
        });
  }

  /** Validates, models and writes one loop class, or defers it to the next round. */
  private void process(
      LoopDeclaration loop,
      Map<String, List<String>> claims,
      Set<Element> orphans,
      Diagnostics diagnostics,
      boolean lastRound) {
    TypeElement type = loop.element();
    try {
      String loopClassName = LoopModelFactory.loopClassName(loop);
      if (!loop.unresolved().isEmpty()) {
        if (lastRound) {
          Unresolved first = loop.unresolved().get(0);
          diagnostics.report(
              Message.UNRESOLVED,
              first.element(),
              first.annotation(),
              first.value(),
              first.description(),
              loopClassName);
        } else {
          deferred.add(type.getQualifiedName().toString());
        }
        return;
      }
      String definition = type.getQualifiedName().toString();
      LoopValidator validator =
          new LoopValidator(
              diagnostics,
              qualifiedName -> clash(qualifiedName, definition, claims),
              orphans::contains);
      if (!validator.validate(loop, loopClassName)) {
        return;
      }
      LoopModel model = LoopModelFactory.create(loop);
      try {
        LoopWriter.write(model).writeTo(processingEnv.getFiler());
        written.put(loop.qualifiedName(loopClassName), definition);
      } catch (IOException e) {
        diagnostics.report(Message.WRITE_FAILED, type, loopClassName, e.getMessage());
      }
    } catch (RuntimeException | LinkageError | AssertionError e) {
      diagnostics.report(Message.INTERNAL_ERROR, type, type.getQualifiedName(), trace(e));
    }
  }

  /**
   * What the loop class {@code qualifiedName} of {@code definition} clashes with: other classes
   * asking for the same loop class, named in alphabetical order whichever the compiler processes
   * first, else a type of the user's; {@code null} if nothing.
   */
  private LoopValidator.NameClash clash(
      String qualifiedName, String definition, Map<String, List<String>> claims) {
    List<String> others = new ArrayList<>(claims.getOrDefault(qualifiedName, List.of()));
    others.remove(definition);
    if (!others.isEmpty()) {
      Collections.sort(others);
      return new LoopValidator.NameClash(null, List.copyOf(others));
    }
    return userTypes.contains(qualifiedName)
        ? new LoopValidator.NameClash(qualifiedName, List.of())
        : null;
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
