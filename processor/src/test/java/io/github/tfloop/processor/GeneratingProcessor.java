package io.github.tfloop.processor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.Map;
import java.util.Set;
import javax.annotation.processing.AbstractProcessor;
import javax.annotation.processing.RoundEnvironment;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.TypeElement;

/**
 * Another processor in the same compile: in the first round it writes the sources it is given,
 * which the user's classes may already refer to. It claims nothing.
 */
final class GeneratingProcessor extends AbstractProcessor {

  private final Map<String, String> sources;
  private boolean done;

  /**
   * @param sources source text by qualified class name
   */
  GeneratingProcessor(Map<String, String> sources) {
    this.sources = sources;
  }

  @Override
  public Set<String> getSupportedAnnotationTypes() {
    return Set.of("*");
  }

  @Override
  public SourceVersion getSupportedSourceVersion() {
    return SourceVersion.latestSupported();
  }

  @Override
  public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
    if (done) {
      return false;
    }
    done = true;
    sources.forEach(
        (name, text) -> {
          try (Writer writer = processingEnv.getFiler().createSourceFile(name).openWriter()) {
            writer.write(text);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
    return false;
  }
}
