package io.github.tfloop.processor.validate;

import com.sun.source.tree.AnnotationTree;
import com.sun.source.tree.BlockTree;
import com.sun.source.tree.ClassTree;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.ImportTree;
import com.sun.source.tree.LambdaExpressionTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.util.TreePath;
import com.sun.source.util.TreeScanner;
import com.sun.source.util.Trees;
import io.github.tfloop.processor.parse.JavacTrees;
import io.github.tfloop.processor.parse.TypeNames;
import java.util.HashSet;
import java.util.Set;
import javax.annotation.processing.ProcessingEnvironment;
import javax.annotation.processing.RoundEnvironment;
import javax.lang.model.element.Element;

/**
 * {@code @TrainingLoop} on classes declared inside a method or initializer. Compilers hand only
 * top-level and member classes to annotation processors, so such a class would silently get no
 * loop; under javac, this scanner finds it in the source trees and reports it. Other compilers
 * (ECJ) offer no trees, and the scan is skipped. Only compilation units that import tfloop's
 * annotations are scanned.
 */
public final class LocalLoopClasses {

  private static final String PACKAGE = "io.github.tfloop.annotations";

  private LocalLoopClasses() {}

  /** Reports every local {@code @TrainingLoop} class in this round's compilation units. */
  public static void report(ProcessingEnvironment environment, RoundEnvironment round) {
    Trees trees = JavacTrees.of(environment);
    if (trees == null) {
      return; // not javac
    }
    Set<CompilationUnitTree> scanned = new HashSet<>();
    for (Element root : round.getRootElements()) {
      TreePath path = trees.getPath(root);
      if (path == null) {
        continue;
      }
      CompilationUnitTree unit = path.getCompilationUnit();
      if (scanned.add(unit) && importsTfloop(unit)) {
        new Scanner(trees, unit).scan(unit, false);
      }
    }
  }

  private static boolean importsTfloop(CompilationUnitTree unit) {
    for (ImportTree importTree : unit.getImports()) {
      if (importTree.getQualifiedIdentifier().toString().startsWith(PACKAGE + ".")) {
        return true;
      }
    }
    return false;
  }

  /** Scans a unit; the flag says whether the current tree is inside a code block. */
  private static final class Scanner extends TreeScanner<Void, Boolean> {
    private final Trees trees;
    private final CompilationUnitTree unit;

    Scanner(Trees trees, CompilationUnitTree unit) {
      this.trees = trees;
      this.unit = unit;
    }

    @Override
    public Void visitClass(ClassTree tree, Boolean inBlock) {
      if (inBlock && isLoopAnnotated(tree)) {
        Message message = Message.LOOP_CLASS_LOCAL;
        trees.printMessage(
            message.kind(),
            message.format(tree.getSimpleName(), "declared inside a method or initializer"),
            tree,
            unit);
      }
      return super.visitClass(tree, inBlock);
    }

    @Override
    public Void visitMethod(MethodTree tree, Boolean inBlock) {
      scan(tree.getBody(), true);
      return null;
    }

    @Override
    public Void visitBlock(BlockTree tree, Boolean inBlock) {
      return super.visitBlock(tree, true);
    }

    @Override
    public Void visitLambdaExpression(LambdaExpressionTree tree, Boolean inBlock) {
      scan(tree.getBody(), true);
      return null;
    }

    private static boolean isLoopAnnotated(ClassTree tree) {
      for (AnnotationTree annotation : tree.getModifiers().getAnnotations()) {
        String name = annotation.getAnnotationType().toString();
        if (name.equals("TrainingLoop") || name.equals(TypeNames.TRAINING_LOOP)) {
          return true;
        }
      }
      return false;
    }
  }
}
