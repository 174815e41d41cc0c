package io.github.tfloop.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;

class WeightMappingTest {

  private static final List<WeightEntry> KERAS_MLP =
      List.of(
          new WeightEntry("dense_6/kernel", WeightType.FLOAT32, Shape.of(784, 128)),
          new WeightEntry("dense_6/bias", WeightType.FLOAT32, Shape.of(128)),
          new WeightEntry("dense_7/kernel", WeightType.FLOAT32, Shape.of(128, 10)),
          new WeightEntry("dense_7/bias", WeightType.FLOAT32, Shape.of(10)));

  private static List<WeightTarget> loopMlp(int hidden) {
    return List.of(
        WeightTarget.of("logits/dense/kernel", TFloat32.class, Shape.of(784, hidden)),
        WeightTarget.of("logits/dense/bias", TFloat32.class, Shape.of(hidden)),
        WeightTarget.of("logits/dense_1/kernel", TFloat32.class, Shape.of(hidden, 10)),
        WeightTarget.of("logits/dense_1/bias", TFloat32.class, Shape.of(10)));
  }

  private static WeightMapping prefixes() {
    return WeightMapping.builder()
        .renamePrefix("dense_6/", "logits/dense/")
        .renamePrefix("dense_7/", "logits/dense_1/")
        .build();
  }

  @Test
  void prefixRenamesMapEveryLayerAndTheReportSaysWhereEachCameFrom() {
    WeightPlan plan = prefixes().plan("mnist.h5", KERAS_MLP, loopMlp(128));
    assertEquals(4, plan.assignments().size());
    assertEquals(784 * 128 + 128 + 1280 + 10, plan.values());
    assertEquals(
        "Weights from mnist.h5: 4 variables, 101770 values\n"
            + "  logits/dense/kernel float32 [784, 128]   <- dense_6/kernel\n"
            + "  logits/dense/bias float32 [128]          <- dense_6/bias\n"
            + "  logits/dense_1/kernel float32 [128, 10]  <- dense_7/kernel\n"
            + "  logits/dense_1/bias float32 [10]         <- dense_7/bias\n",
        plan.report());
  }

  @Test
  void everyMismatchIsListedInOneError() {
    List<WeightEntry> entries =
        List.of(
            new WeightEntry("dense_6/kernel", WeightType.FLOAT32, Shape.of(784, 64)),
            new WeightEntry("dense_6/bias", WeightType.FLOAT64, Shape.of(128)),
            new WeightEntry("head/kernel", WeightType.FLOAT32, Shape.of(128, 10)),
            new WeightEntry("extra/kernel", WeightType.FLOAT32, Shape.of(128, 10)),
            new WeightEntry("optimizer/iterations", WeightType.INT64, Shape.scalar()));
    WeightMapping mapping =
        WeightMapping.builder()
            .renamePrefix("dense_6/", "logits/dense/")
            .renamePrefix("dense_9/", "logits/dense_2/")
            .rename("head/kernel", "logits/dense_1/kernel")
            .rename("extra/kernel", "logits/dense_1/kernel")
            .rename("head/bias", "logits/dense_1/bias")
            .rename("dense_6/kernel", "logits/dense/kernal")
            .strict()
            .build();
    WeightMappingException e =
        assertThrows(
            WeightMappingException.class, () -> mapping.plan("a.h5", entries, loopMlp(128)));
    assertEquals(
        List.of(
            "rename: 'head/bias' -> 'logits/dense_1/bias' names a source entry the source does"
                + " not hold",
            "rename: 'dense_6/kernel' -> 'logits/dense/kernal' names a variable the loop does not"
                + " have; did you mean 'logits/dense/kernel'?",
            "rename: prefix 'dense_9/' -> 'logits/dense_2/' matches no source entry's name",
            "unused: source entry dense_6/kernel float32 [784, 64] (renamed to"
                + " 'logits/dense/kernal') maps to no variable; did you mean 'logits/dense/kernel'?",
            "type: variable logits/dense/bias float32 [128] is float32, but source entry"
                + " dense_6/bias float64 [128] is float64",
            "duplicate: variable logits/dense_1/kernel float32 [128, 10] is the target of both"
                + " head/kernel and extra/kernel",
            "unused: source entry optimizer/iterations int64 [] maps to no variable",
            "missing: variable logits/dense/kernel float32 [784, 128] gets no source entry",
            "missing: variable logits/dense_1/bias float32 [10] gets no source entry"),
        e.problems());
    assertTrue(
        e.getMessage().startsWith("9 problems mapping weights from a.h5 onto 4 variables:\n"));
    assertTrue(
        e.getMessage().contains("The source holds (5):\n  dense_6/kernel float32 [784, 64]\n"));
    assertTrue(e.getMessage().contains("The variables are (4):\n  logits/dense/kernel float32"));
  }

  @Test
  void aShapeMismatchNamesBothShapes() {
    WeightMappingException e =
        assertThrows(
            WeightMappingException.class,
            () -> prefixes().plan("mnist.h5", KERAS_MLP, loopMlp(256)));
    assertEquals(
        List.of(
            "shape: variable logits/dense/kernel float32 [784, 256] has shape [784, 256], but"
                + " source entry dense_6/kernel float32 [784, 128] has shape [784, 128]",
            "shape: variable logits/dense/bias float32 [256] has shape [256], but source entry"
                + " dense_6/bias float32 [128] has shape [128]",
            "shape: variable logits/dense_1/kernel float32 [256, 10] has shape [256, 10], but"
                + " source entry dense_7/kernel float32 [128, 10] has shape [128, 10]"),
        e.problems());
  }

  @Test
  void aMissingVariableSuggestsUnusedEntriesOfItsShape() {
    WeightMappingException e =
        assertThrows(
            WeightMappingException.class,
            () -> WeightMapping.byName().plan("mnist.h5", KERAS_MLP, loopMlp(128).subList(3, 4)));
    assertEquals(
        List.of(
            "missing: variable logits/dense_1/bias float32 [10] gets no source entry; unused"
                + " source entries of that type and shape: dense_7/bias"),
        e.problems());
  }

  @Test
  void keptVariablesAndSkippedEntriesAreNotProblemsAndAreReported() {
    List<WeightEntry> entries =
        List.of(
            KERAS_MLP.get(0),
            KERAS_MLP.get(1),
            new WeightEntry("optimizer_weights/iter", WeightType.INT64, Shape.scalar()),
            new WeightEntry("dense_9/kernel", WeightType.FLOAT32, Shape.of(3)));
    WeightPlan plan =
        WeightMapping.builder()
            .renamePrefix("dense_6/", "logits/dense/")
            .keepInitial(name -> name.startsWith("logits/dense_1/"))
            .skip(name -> name.startsWith("optimizer_weights/"))
            .build()
            .plan("a.h5", entries, loopMlp(128));
    assertEquals(2, plan.assignments().size());
    assertEquals(
        List.of("logits/dense_1/kernel", "logits/dense_1/bias"),
        plan.keptInitial().stream().map(WeightTarget::name).toList());
    assertEquals(List.of(entries.get(3)), plan.unused());
    assertEquals(List.of(entries.get(2)), plan.skipped());
    assertTrue(
        plan.report()
            .endsWith(
                "Kept their initial values (2):\n"
                    + "  logits/dense_1/kernel float32 [128, 10]\n"
                    + "  logits/dense_1/bias float32 [10]\n"
                    + "Source entries not used (1):\n"
                    + "  dense_9/kernel float32 [3]\n"
                    + "Source entries skipped (1):\n"
                    + "  optimizer_weights/iter int64 []\n"),
        plan.report());
  }

  @Test
  void theLongestPrefixWinsThenTheFunctionThenTheName() {
    List<WeightEntry> entries =
        List.of(
            new WeightEntry("a/b/x", WeightType.FLOAT32, Shape.of(1)),
            new WeightEntry("a/y", WeightType.FLOAT32, Shape.of(1)),
            new WeightEntry("z", WeightType.FLOAT32, Shape.of(1)),
            new WeightEntry("same", WeightType.FLOAT64, Shape.of(2)));
    WeightMapping mapping =
        WeightMapping.builder()
            .renamePrefix("a/", "short/")
            .renamePrefix("a/b/", "long/")
            .rename(name -> name.equals("z") ? "model/z" : null)
            .build();
    List<WeightTarget> targets =
        List.of(
            WeightTarget.of("long/x", TFloat32.class, Shape.of(1)),
            WeightTarget.of("short/y", TFloat32.class, Shape.of(1)),
            WeightTarget.of("model/z", TFloat32.class, Shape.of(1)),
            WeightTarget.of("same", TFloat64.class, Shape.of(2)));
    WeightPlan plan = mapping.plan("s", entries, targets);
    assertEquals(
        List.of("a/b/x", "a/y", "z", "same"),
        plan.assignments().stream().map(a -> a.entry().name()).toList());
  }

  @Test
  void fullNamesOfAnObjectBasedCheckpointCanBeMatched() {
    try (WeightSource source = WeightSource.open(Fixtures.path("half_plus_two_tf2"))) {
      List<WeightTarget> targets =
          List.of(
              WeightTarget.of("model/a", TFloat32.class, Shape.scalar()),
              WeightTarget.of("b", TFloat32.class, Shape.scalar()));
      WeightPlan plan =
          WeightMapping.builder().byFullName().rename("a", "model/a").build().plan(source, targets);
      assertEquals(
          List.of("a/.ATTRIBUTES/VARIABLE_VALUE", "b/.ATTRIBUTES/VARIABLE_VALUE"),
          plan.assignments().stream().map(a -> a.entry().name()).toList());
      assertEquals(
          List.of("c/.ATTRIBUTES/VARIABLE_VALUE"),
          plan.unused().stream().map(WeightEntry::name).toList());
    }
  }

  @Test
  void renamingOneEntryTwoWaysIsRefusedAtOnce() {
    WeightMapping.Builder builder = WeightMapping.builder().rename("a", "x");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> builder.rename("a", "y"));
    assertEquals("'a' is renamed twice: to 'x' and to 'y'", e.getMessage());
  }
}
