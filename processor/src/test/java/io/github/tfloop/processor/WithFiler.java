package io.github.tfloop.processor;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import javax.annotation.processing.AbstractProcessor;
import javax.annotation.processing.Filer;
import javax.annotation.processing.Messager;
import javax.annotation.processing.ProcessingEnvironment;
import javax.annotation.processing.RoundEnvironment;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.Element;
import javax.lang.model.element.TypeElement;
import javax.lang.model.util.Elements;
import javax.lang.model.util.Types;

/**
 * The tfloop processor, seeing the compiler's {@link Filer} through a wrapper: a test can watch
 * what it writes, or make writing fail.
 */
final class WithFiler extends AbstractProcessor {

  private final TfloopProcessor tfloop = new TfloopProcessor();
  private final UnaryOperator<Filer> wrapper;

  WithFiler(UnaryOperator<Filer> wrapper) {
    this.wrapper = wrapper;
  }

  /**
   * The tfloop processor, recording in {@code writtenFor}, by qualified name of each originating
   * class, the source files it creates.
   */
  static WithFiler recording(Map<String, List<String>> writtenFor) {
    return new WithFiler(
        filer ->
            filer(
                filer,
                (proxy, method, arguments) -> {
                  if (method.getName().equals("createSourceFile")) {
                    for (Element origin : (Element[]) arguments[1]) {
                      writtenFor
                          .computeIfAbsent(
                              ((TypeElement) origin).getQualifiedName().toString(),
                              name -> new ArrayList<>())
                          .add(arguments[0].toString());
                    }
                  }
                  return null;
                }));
  }

  /** A {@link Filer} that first calls {@code before}, then does what {@code filer} does. */
  static Filer filer(Filer filer, InvocationHandler before) {
    return (Filer)
        Proxy.newProxyInstance(
            Filer.class.getClassLoader(),
            new Class<?>[] {Filer.class},
            (proxy, method, arguments) -> {
              before.invoke(proxy, method, arguments);
              return call(filer, method, arguments);
            });
  }

  @Override
  public synchronized void init(ProcessingEnvironment environment) {
    super.init(environment);
    Filer filer = wrapper.apply(environment.getFiler());
    tfloop.init(new Wrapped(environment, filer));
  }

  /**
   * The compiler's environment with another {@link Filer}, as a build tool wraps it (Gradle does,
   * for incremental processing): javac's trees must still be found behind it.
   */
  private static final class Wrapped implements ProcessingEnvironment {
    private final ProcessingEnvironment delegate;
    private final Filer filer;

    Wrapped(ProcessingEnvironment delegate, Filer filer) {
      this.delegate = delegate;
      this.filer = filer;
    }

    @Override
    public Map<String, String> getOptions() {
      return delegate.getOptions();
    }

    @Override
    public Messager getMessager() {
      return delegate.getMessager();
    }

    @Override
    public Filer getFiler() {
      return filer;
    }

    @Override
    public Elements getElementUtils() {
      return delegate.getElementUtils();
    }

    @Override
    public Types getTypeUtils() {
      return delegate.getTypeUtils();
    }

    @Override
    public SourceVersion getSourceVersion() {
      return delegate.getSourceVersion();
    }

    @Override
    public Locale getLocale() {
      return delegate.getLocale();
    }
  }

  private static Object call(Object target, Method method, Object[] arguments) throws Throwable {
    try {
      return method.invoke(target, arguments);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  @Override
  public Set<String> getSupportedAnnotationTypes() {
    return tfloop.getSupportedAnnotationTypes();
  }

  @Override
  public SourceVersion getSupportedSourceVersion() {
    return tfloop.getSupportedSourceVersion();
  }

  @Override
  public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
    return tfloop.process(annotations, round);
  }
}
