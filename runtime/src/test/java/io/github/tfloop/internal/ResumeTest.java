package io.github.tfloop.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tfloop.LogCapture;
import io.github.tfloop.checkpoint.CheckpointPolicy;
import io.github.tfloop.checkpoint.CheckpointStore;
import io.github.tfloop.data.Dataset;
import io.github.tfloop.data.FloatColumn;
import io.github.tfloop.train.EarlyStopping;
import io.github.tfloop.train.EpochLog;
import io.github.tfloop.train.FitControl;
import io.github.tfloop.train.History;
import io.github.tfloop.train.LoopOptions;
import io.github.tfloop.train.StatefulListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoints written by a fit, and {@code resume} from each of them: the weights at the end must
 * be those of an uninterrupted fit, bit for bit.
 */
class ResumeTest {

  /** 100 examples in batches of 8: 12 full batches an epoch, 4 examples left out in turn. */
  private static final Dataset TRAIN = Regression.data(100, 3);

  private static final Dataset VALIDATION = Regression.data(20, 4);
  private static final int EPOCHS = 3;

  private static float[] uninterrupted;
  private static History uninterruptedHistory;

  private static LoopOptions.Builder options() {
    return LoopOptions.builder().epochs(EPOCHS).intraOpThreads(1).interOpThreads(1);
  }

  @BeforeAll
  static void trainWithoutInterruption() {
    try (Trainer engine = Regression.adam(options().build(), 0.01)) {
      uninterruptedHistory = engine.fit(TRAIN, VALIDATION);
      uninterrupted = Regression.weights(engine);
    }
  }

  @Test
  void resumingFromEveryCheckpointEndsWithTheSameWeights(@TempDir Path root) throws IOException {
    Path all = root.resolve("all");
    CheckpointPolicy policy = CheckpointPolicy.in(all).everySteps(5).keepLast(1000);
    try (Trainer engine = Regression.adam(options().checkpoints(policy).build(), 0.01)) {
      engine.fit(TRAIN, VALIDATION);
      assertArrayEquals(uninterrupted, Regression.weights(engine), 0f, "saving changed training");
    }
    List<Path> checkpoints = CheckpointStore.open(all).checkpoints();
    // every 5 steps over 36 steps, after each of 3 epochs, and at the end (= the last epoch's)
    assertEquals(36 / 5 + EPOCHS, checkpoints.size(), checkpoints.toString());
    for (Path checkpoint : checkpoints) {
      Path alone = root.resolve("from-" + checkpoint.getFileName());
      copy(checkpoint, alone.resolve(checkpoint.getFileName()));
      LoopOptions resumeOptions = options().checkpoints(CheckpointPolicy.in(alone)).build();
      try (Trainer engine = Regression.adam(resumeOptions, 0.01)) {
        History history = engine.resume(TRAIN, VALIDATION);
        assertArrayEquals(
            uninterrupted,
            Regression.weights(engine),
            0f,
            "resumed from " + checkpoint.getFileName());
        assertEquals(EPOCHS * 12, engine.globalStep());
        assertEquals(uninterruptedHistory.epochs().size(), history.epochs().size());
        for (int i = 0; i < EPOCHS; i++) {
          assertEquals(
              uninterruptedHistory.epochs().get(i).metrics(),
              history.epochs().get(i).metrics(),
              "epoch " + (i + 1) + " from " + checkpoint);
        }
      }
    }
  }

  @Test
  void corruptedNewestCheckpointWarnsAndFallsBackToThePreviousOne(@TempDir Path directory)
      throws IOException {
    CheckpointPolicy policy = CheckpointPolicy.in(directory).everySteps(5).everyEpochs(0);
    try (Trainer engine = Regression.adam(options().epochs(1).checkpoints(policy).build(), 0.01)) {
      engine.fit(TRAIN, null);
    }
    List<Path> checkpoints = CheckpointStore.open(directory).checkpoints();
    assertEquals(3, checkpoints.size(), "kept the last 3 of steps 5, 10 and the end (12)");
    Path newest = checkpoints.get(2);
    Path data = newest.resolve("variables.data-00000-of-00001");
    byte[] bytes = Files.readAllBytes(data);
    Files.write(data, java.util.Arrays.copyOf(bytes, bytes.length / 2));

    List<LogRecord> warnings =
        LogCapture.records(
            "io.github.tfloop.checkpoint",
            Level.WARNING,
            () -> {
              try (Trainer engine =
                  Regression.adam(options().epochs(1).checkpoints(policy).build(), 0.01)) {
                engine.resume(TRAIN, null);
                assertEquals(12, engine.globalStep());
              }
            });
    assertEquals(1, warnings.size());
    String warning =
        java.text.MessageFormat.format(
            warnings.get(0).getMessage(), warnings.get(0).getParameters());
    assertEquals(
        "checkpoint "
            + newest
            + " is unusable (variables.data-00000-of-00001 has "
            + bytes.length / 2
            + " bytes, the manifest says "
            + bytes.length
            + " (truncated?)): moved to "
            + directory.resolve("corrupt").resolve(newest.getFileName())
            + ", never deleted; resuming from "
            + checkpoints.get(1).getFileName(),
        warning);
  }

  @Test
  void listenerStateTravelsWithTheCheckpoint(@TempDir Path directory) {
    CheckpointPolicy policy = CheckpointPolicy.in(directory).everySteps(7).everyEpochs(0);
    BatchCounter first = new BatchCounter();
    try (Trainer engine =
        Regression.adam(
            options().epochs(1).checkpoints(policy.keepLast(10)).listener(first).build(), 0.01)) {
      engine.fit(TRAIN, null);
    }
    assertEquals(12, first.batches);
    // drop the end-of-fit checkpoint: resume from step 7
    List<Path> checkpoints = CheckpointStore.open(directory).checkpoints();
    deleteRecursively(checkpoints.get(checkpoints.size() - 1));
    BatchCounter resumed = new BatchCounter();
    try (Trainer engine =
        Regression.adam(options().epochs(1).checkpoints(policy).listener(resumed).build(), 0.01)) {
      engine.resume(TRAIN, null);
    }
    assertEquals(12, resumed.batches, "7 restored, 5 counted after the resume");
  }

  @Test
  void earlyStoppingResumesWithItsPatienceUsedUp(@TempDir Path directory) {
    // nothing after epoch 1 improves by 10: the fit stops after epoch 1 + patience 2 = epoch 3
    EarlyStopping uninterrupted =
        EarlyStopping.monitoring("val_loss").patience(2).minDelta(10).build();
    CheckpointPolicy policy = CheckpointPolicy.in(directory).everySteps(5).keepLast(100);
    try (Trainer engine =
        Regression.adam(
            options().epochs(10).checkpoints(policy).listener(uninterrupted).build(), 0.01)) {
      assertEquals(3, engine.fit(TRAIN, VALIDATION).epochs().size());
    }
    assertEquals(3, uninterrupted.stoppedEpoch());
    // resume from step 30: in epoch 3, after epoch 2 failed to improve once
    List<Path> checkpoints = CheckpointStore.open(directory).checkpoints();
    for (Path checkpoint : checkpoints) {
      if (!checkpoint.getFileName().toString().equals("ckpt-000008")) {
        deleteRecursively(checkpoint);
      }
    }
    EarlyStopping resumed = EarlyStopping.monitoring("val_loss").patience(2).minDelta(10).build();
    try (Trainer engine =
        Regression.adam(options().epochs(10).checkpoints(policy).listener(resumed).build(), 0.01)) {
      History history = engine.resume(TRAIN, VALIDATION);
      assertEquals(3, history.epochs().size(), history.toString());
      assertEquals(
          30, engine.globalStep() - 6, "resumed at step 30, trained the 6 left of epoch 3");
    }
    assertEquals(3, resumed.stoppedEpoch());
    assertEquals(uninterrupted.best(), resumed.best());
  }

  /** Nothing after epoch 1 improves by 10: stops after epoch 3 and puts epoch 1's weights back. */
  private static EarlyStopping stoppingThatRestoresEpochOne() {
    return EarlyStopping.monitoring("val_loss")
        .patience(2)
        .minDelta(10)
        .restoreBestWeights(true)
        .build();
  }

  @Test
  void earlyStoppingsBestWeightsTravelWithTheCheckpoint(@TempDir Path root) throws IOException {
    float[] lastEpoch;
    try (Trainer engine = Regression.adam(options().epochs(3).build(), 0.01)) {
      engine.fit(TRAIN, VALIDATION);
      lastEpoch = Regression.weights(engine);
    }
    Path all = root.resolve("all");
    CheckpointPolicy policy = CheckpointPolicy.in(all).everySteps(5).keepLast(1000);
    float[] best;
    EarlyStopping uninterrupted = stoppingThatRestoresEpochOne();
    try (Trainer engine =
        Regression.adam(
            options().epochs(10).checkpoints(policy).listener(uninterrupted).build(), 0.01)) {
      assertEquals(3, engine.fit(TRAIN, VALIDATION).epochs().size());
      best = Regression.weights(engine);
    }
    assertEquals(1, uninterrupted.bestEpoch());
    assertFalse(
        Arrays.equals(lastEpoch, best), "epoch 1's weights were put back, not epoch 3's kept");
    List<Path> checkpoints = CheckpointStore.open(all).checkpoints();
    for (Path checkpoint : checkpoints) {
      Path alone = root.resolve("from-" + checkpoint.getFileName());
      copy(checkpoint, alone.resolve(checkpoint.getFileName()));
      EarlyStopping resumed = stoppingThatRestoresEpochOne();
      LoopOptions resumeOptions =
          options().epochs(10).checkpoints(CheckpointPolicy.in(alone)).listener(resumed).build();
      try (Trainer engine = Regression.adam(resumeOptions, 0.01)) {
        History history = engine.resume(TRAIN, VALIDATION);
        assertEquals(3, history.epochs().size(), "from " + checkpoint.getFileName());
        assertArrayEquals(
            bits(best),
            bits(Regression.weights(engine)),
            "resumed from " + checkpoint.getFileName() + ": not the uninterrupted fit's weights");
      }
      assertEquals(1, resumed.bestEpoch());
    }
    // every 5 steps to 35, after epochs 1 to 3, and at the end once the best weights are back
    assertEquals(36 / 5 + 3 + 1, checkpoints.size(), checkpoints.toString());
  }

  private static int[] bits(float[] values) {
    int[] bits = new int[values.length];
    for (int i = 0; i < values.length; i++) {
      bits[i] = Float.floatToRawIntBits(values[i]);
    }
    return bits;
  }

  @Test
  void resumeWithNoCheckpointTrainsFromTheStart(@TempDir Path directory) {
    LoopOptions resumeOptions = options().checkpoints(CheckpointPolicy.in(directory)).build();
    try (Trainer engine = Regression.adam(resumeOptions, 0.01)) {
      engine.resume(TRAIN, VALIDATION);
      assertArrayEquals(uninterrupted, Regression.weights(engine), 0f);
    }
  }

  @Test
  void checkpointOfOtherTrainingDataIsRefusedBeforeAnythingChanges(@TempDir Path directory) {
    CheckpointPolicy policy = CheckpointPolicy.in(directory);
    try (Trainer engine = Regression.adam(options().epochs(1).checkpoints(policy).build(), 0.01)) {
      engine.fit(TRAIN, null);
    }
    try (Trainer engine = Regression.adam(options().epochs(1).checkpoints(policy).build(), 0.01)) {
      float[] before = Regression.weights(engine);
      IllegalStateException error =
          assertThrows(
              IllegalStateException.class, () -> engine.resume(Regression.data(96, 3), null));
      assertEquals(
          "checkpoint "
              + CheckpointStore.open(directory).checkpoints().get(0)
              + " was written by a fit on 100 training examples; this training data has 96",
          error.getMessage());
      assertArrayEquals(before, Regression.weights(engine), 0f);
    }
  }

  @Test
  void checkpointOfAnotherBatchSizeSeedOrShufflingIsRefusedBeforeAnythingChanges(
      @TempDir Path directory) {
    CheckpointPolicy policy = CheckpointPolicy.in(directory);
    try (Trainer engine = Regression.adam(options().epochs(1).checkpoints(policy).build(), 0.01)) {
      engine.fit(TRAIN, null);
    }
    Path written = CheckpointStore.open(directory).checkpoints().get(0);
    long seed;
    try (Trainer engine = Regression.adam(options().build(), 0.01)) {
      seed = engine.engine().seed();
    }
    String then = "batch size 8, seed " + seed + ", shuffled";
    Map<String, LoopOptions.Builder> changes =
        Map.of(
            "batch size 16, seed " + seed + ", shuffled",
            options().batchSize(16),
            "batch size 8, seed " + (seed + 1) + ", shuffled",
            options().seed(seed + 1),
            "batch size 8, seed " + seed + ", without shuffling",
            options().shuffle(false));
    changes.forEach(
        (now, changed) -> {
          try (Trainer engine =
              Regression.adam(changed.epochs(2).checkpoints(policy).build(), 0.01)) {
            float[] before = Regression.weights(engine);
            IllegalStateException error =
                assertThrows(IllegalStateException.class, () -> engine.resume(TRAIN, null));
            assertEquals(
                "checkpoint "
                    + written
                    + " was written by a fit with "
                    + then
                    + ", and this loop has "
                    + now
                    + ": resume with the ones it was written with (LoopOptions.batchSize, seed,"
                    + " shuffle), or start a new fit from its weights with"
                    + " LoopOptions.initialWeights(InitialWeights.from("
                    + written
                    + "))",
                error.getMessage());
            assertArrayEquals(before, Regression.weights(engine), 0f);
          }
        });
    assertEquals(List.of(written), CheckpointStore.open(directory).checkpoints());
  }

  @Test
  void checkpointOfOtherTrainingDataOfTheSameSizeIsRefusedNamingTheColumn(@TempDir Path directory) {
    CheckpointPolicy policy = CheckpointPolicy.in(directory);
    try (Trainer engine = Regression.adam(options().epochs(1).checkpoints(policy).build(), 0.01)) {
      engine.fit(TRAIN, null);
    }
    // The same examples but one value of one of them: same size, other content.
    float[] x = ((FloatColumn) TRAIN.column("x")).values().clone();
    x[17] += 1;
    Dataset changed =
        Dataset.builder().add(Regression.X, x).add(Regression.Y, TRAIN.column("y")).build();
    try (Trainer engine = Regression.adam(options().epochs(1).checkpoints(policy).build(), 0.01)) {
      float[] before = Regression.weights(engine);
      IllegalStateException error =
          assertThrows(IllegalStateException.class, () -> engine.resume(changed, null));
      assertTrue(
          error
              .getMessage()
              .startsWith(
                  "checkpoint "
                      + CheckpointStore.open(directory).checkpoints().get(0)
                      + " was written by a fit on other training data: column 'x'"),
          error.getMessage());
      assertTrue(error.getMessage().contains("different values"), error.getMessage());
      assertArrayEquals(before, Regression.weights(engine), 0f);
      // The same data again resumes.
      engine.resume(TRAIN, null);
    }
  }

  /** Counts batches over the whole fit, through checkpoints. */
  static final class BatchCounter implements StatefulListener {
    int batches;

    @Override
    public void onBatchEnd(FitControl control, int epoch, int batch) {
      batches++;
    }

    @Override
    public void onEpochEnd(FitControl control, EpochLog log) {}

    @Override
    public String stateKey() {
      return "batch_counter";
    }

    @Override
    public Map<String, String> saveState() {
      return Map.of("batches", Integer.toString(batches));
    }

    @Override
    public void restoreState(Map<String, String> state) {
      batches = Integer.parseInt(state.get("batches"));
    }
  }

  private static void copy(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (Stream<Path> files = Files.list(from)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        Files.copy(file, to.resolve(file.getFileName()));
      }
    }
  }

  private static void deleteRecursively(Path directory) {
    try (Stream<Path> files = Files.walk(directory)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
