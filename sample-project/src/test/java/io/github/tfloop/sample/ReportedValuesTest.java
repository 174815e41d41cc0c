package io.github.tfloop.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tfloop.data.Dataset;
import io.github.tfloop.train.EarlyStopping;
import io.github.tfloop.train.History;
import io.github.tfloop.train.LoopOptions;
import io.github.tfloop.train.NonFinite;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The generated {@code Values} constants are the names the loop reports, so that a listener that
 * monitors one names it with the compiler's help.
 */
class ReportedValuesTest {

  @Test
  void theMlpsConstantsAreTheNamesEachEpochReports() throws Exception {
    assertEquals(
        List.of("loss", "accuracy", "skipped_batches", "val_loss", "val_accuracy", "learning_rate"),
        constants(FashionMlpLoop.Values.class));
    try (FashionMlpLoop loop = FashionMlpLoop.create(new FashionMlp())) {
      assertEquals(
          List.of("loss", "accuracy", "val_loss", "val_accuracy", "learning_rate"),
          loop.reportedNames(true));
      assertEquals(List.of("loss", "accuracy", "learning_rate"), loop.reportedNames(false));
    }
    LoopOptions skipping = LoopOptions.builder().nonFinite(NonFinite.SKIP).build();
    try (FashionMlpLoop loop = FashionMlpLoop.create(new FashionMlp(), skipping)) {
      assertEquals(constants(FashionMlpLoop.Values.class), loop.reportedNames(true));
    }
  }

  @Test
  void aLoopOfTwoStepsNamesEachStepsLearningRate() throws Exception {
    List<String> names = constants(MixtureGanLoop.Values.class);
    assertTrue(names.contains(MixtureGanLoop.Values.TRAIN_CRITIC_LEARNING_RATE), names.toString());
    assertEquals("trainCritic/learning_rate", MixtureGanLoop.Values.TRAIN_CRITIC_LEARNING_RATE);
    try (MixtureGanLoop loop = MixtureGanLoop.create(new MixtureGan())) {
      List<String> reported = loop.reportedNames(true);
      names.remove(MixtureGanLoop.Values.SKIPPED_BATCHES);
      assertEquals(names, reported);
    }
  }

  @Test
  void earlyStoppingMonitorsAConstant() throws Exception {
    Dataset train = FashionMnist.bundled().train().take(640);
    Dataset validation = FashionMnist.bundled().test().take(320);
    EarlyStopping stopping =
        EarlyStopping.monitoring(FashionMlpLoop.Values.VAL_LOSS).patience(1).build();
    LoopOptions options = LoopOptions.builder().epochs(3).listener(stopping).build();
    try (FashionMlpLoop loop = FashionMlpLoop.create(new FashionMlp(), options)) {
      History history = loop.fit(train, validation);
      assertEquals(3, history.epochs().size(), history.toString());
      assertTrue(history.epochs().get(0).metrics().containsKey(FashionMlpLoop.Values.VAL_LOSS));
    }
  }

  /** The values of a generated {@code Values} class's constants, in declaration order. */
  private static List<String> constants(Class<?> values) throws IllegalAccessException {
    List<String> names = new ArrayList<>();
    for (Field field : values.getDeclaredFields()) {
      if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class) {
        names.add((String) field.get(null));
      }
    }
    return names;
  }
}
