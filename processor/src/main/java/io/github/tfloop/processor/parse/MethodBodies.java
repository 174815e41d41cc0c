package io.github.tfloop.processor.parse;

import com.sun.source.tree.EmptyStatementTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.util.Trees;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import javax.annotation.processing.ProcessingEnvironment;
import javax.lang.model.element.ExecutableElement;

/**
 * Whether a method's body holds statements, which the annotation processing API does not say. javac
 * answers through its trees ({@link Trees}); the Eclipse compiler through its own AST, read by
 * reflection, as the source text between the braces. Where neither answers (another compiler, or a
 * build tool that hides the compiler's environment), nothing is known.
 */
public final class MethodBodies {

  private final Trees trees;
  private final boolean eclipse;

  private MethodBodies(Trees trees, boolean eclipse) {
    this.trees = trees;
    this.eclipse = eclipse;
  }

  /** The method bodies of the compiler behind {@code environment}. */
  public static MethodBodies of(ProcessingEnvironment environment) {
    Trees trees = JavacTrees.of(environment);
    return new MethodBodies(trees, trees == null);
  }

  /** Whether {@code method}'s body holds a statement; {@code false} where that is not known. */
  public boolean hasStatements(ExecutableElement method) {
    try {
      if (trees != null) {
        MethodTree tree = trees.getTree(method);
        return tree != null
            && tree.getBody() != null
            && tree.getBody().getStatements().stream()
                .anyMatch(statement -> !(statement instanceof EmptyStatementTree));
      }
      if (eclipse) {
        return eclipseHasStatements(method);
      }
    } catch (ReflectiveOperationException | RuntimeException | LinkageError unknown) {
      // another version of the compiler: say nothing rather than something wrong
    }
    return false;
  }

  /**
   * ECJ parses method bodies after annotation processing, but its method declaration knows where
   * the body starts and ends in the source: {@code ((ElementImpl) method)._binding.sourceMethod()}.
   */
  private static boolean eclipseHasStatements(ExecutableElement method)
      throws ReflectiveOperationException {
    Object binding = field(method, "_binding");
    Object declaration = call(binding, "sourceMethod");
    if (declaration == null) {
      return false;
    }
    int start = (Integer) field(declaration, "bodyStart");
    int end = (Integer) field(declaration, "bodyEnd");
    Object unit = call(call(declaration, "compilationResult"), "getCompilationUnit");
    char[] source = (char[]) call(unit, "getContents");
    if (start <= 0 || end < start || end > source.length) {
      return false;
    }
    return hasCode(new String(source, start, end - start));
  }

  /** Whether {@code text} holds anything besides white space, comments, braces and semicolons. */
  static boolean hasCode(String text) {
    String code =
        text.replaceAll("(?s)/\\*.*?\\*/", " ")
            .replaceAll("//[^\\n]*", " ")
            .replaceAll("[\\s;{}]", "");
    return !code.isEmpty();
  }

  private static Object field(Object target, String name) throws ReflectiveOperationException {
    Field field = target.getClass().getField(name);
    return field.get(target);
  }

  /** Calls the public no-argument method {@code name} through a public type that declares it. */
  private static Object call(Object target, String name) throws ReflectiveOperationException {
    Method method = publicMethod(target.getClass(), name);
    if (method == null) {
      throw new NoSuchMethodException(name);
    }
    return method.invoke(target);
  }

  private static Method publicMethod(Class<?> type, String name) {
    if (type == null) {
      return null;
    }
    if (Modifier.isPublic(type.getModifiers())) {
      try {
        return type.getMethod(name);
      } catch (NoSuchMethodException notHere) {
        return null;
      }
    }
    for (Class<?> candidate : type.getInterfaces()) {
      Method method = publicMethod(candidate, name);
      if (method != null) {
        return method;
      }
    }
    return publicMethod(type.getSuperclass(), name);
  }
}
