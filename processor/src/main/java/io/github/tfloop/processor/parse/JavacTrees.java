package io.github.tfloop.processor.parse;

import com.sun.source.util.Trees;
import java.lang.reflect.Field;
import javax.annotation.processing.ProcessingEnvironment;

/**
 * javac's source trees, for what the annotation processing API does not tell (method bodies, local
 * classes). Build tools may hand processors a wrapper around javac's environment (Gradle does, for
 * incremental processing), which {@link Trees#instance} rejects: the wrapped environment is then
 * looked for in a field of the wrapper.
 */
public final class JavacTrees {

  /** How many wrappers deep to look. */
  private static final int MAX_DEPTH = 4;

  private JavacTrees() {}

  /** javac's trees, or {@code null} when the compiler is not javac. */
  public static Trees of(ProcessingEnvironment environment) {
    ProcessingEnvironment candidate = environment;
    for (int depth = 0; candidate != null && depth < MAX_DEPTH; depth++) {
      try {
        return Trees.instance(candidate);
      } catch (IllegalArgumentException | LinkageError notJavac) {
        candidate = wrapped(candidate);
      }
    }
    return null;
  }

  /** The environment a wrapper delegates to, held in one of its fields, or {@code null}. */
  private static ProcessingEnvironment wrapped(ProcessingEnvironment wrapper) {
    for (Class<?> type = wrapper.getClass(); type != null; type = type.getSuperclass()) {
      for (Field field : type.getDeclaredFields()) {
        if (ProcessingEnvironment.class.isAssignableFrom(field.getType())) {
          try {
            field.setAccessible(true);
            Object value = field.get(wrapper);
            if (value instanceof ProcessingEnvironment inner && inner != wrapper) {
              return inner;
            }
          } catch (ReflectiveOperationException | RuntimeException inaccessible) {
            return null;
          }
        }
      }
    }
    return null;
  }
}
