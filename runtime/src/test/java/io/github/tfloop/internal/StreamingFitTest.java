package io.github.tfloop.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tfloop.LogCapture;
import io.github.tfloop.checkpoint.CheckpointPolicy;
import io.github.tfloop.checkpoint.CheckpointStore;
import io.github.tfloop.data.DType;
import io.github.tfloop.data.Dataset;
import io.github.tfloop.data.IdxFile;
import io.github.tfloop.data.stream.StreamingDataset;
import io.github.tfloop.data.stream.TfRecordWriter;
import io.github.tfloop.train.EpochLog;
import io.github.tfloop.train.FitControl;
import io.github.tfloop.train.History;
import io.github.tfloop.train.LastBatch;
import io.github.tfloop.train.LoopOptions;
import io.github.tfloop.train.TrainingListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fits on streamed data: file order trains exactly as in-memory data does; a streamed fit resumed
 * from any checkpoint ends with the uninterrupted weights; an epoch's unknown length is learned;
 * validation and evaluation read streams; what cannot stream says so.
 */
class StreamingFitTest {

  /** 244 examples: 30 full batches of 8 and 4 left over. */
  private static final Dataset TRAIN = Regression.data(244, 5);

  private static final Dataset VALIDATION = Regression.data(37, 6);

  @TempDir Path directory;

  private static LoopOptions.Builder options() {
    return LoopOptions.builder().epochs(3).intraOpThreads(1).interOpThreads(1);
  }

  private Dataset tfRecords(Dataset data, String prefix, int files, int buffer) throws IOException {
    List<Path> written = TfRecordWriter.write(directory, prefix, data, files);
    return StreamingDataset.tfRecords(written, Regression.X, "x", Regression.Y, "y")
        .shuffleBuffer(buffer)
        .dataset();
  }

  private Dataset idx(Dataset data, String prefix) throws IOException {
    Path x = directory.resolve(prefix + "-x.idx");
    Path y = directory.resolve(prefix + "-y.idx");
    IdxFile.write(x, data.column("x").values(), DType.FLOAT32, data.size(), new int[] {2});
    IdxFile.write(y, data.column("y").values(), DType.FLOAT32, data.size(), new int[] {1});
    return StreamingDataset.idx(Regression.X, x, Regression.Y, y).dataset();
  }

  private static float[] fit(LoopOptions options, Dataset train, Dataset validation) {
    try (Trainer trainer = Regression.adam(options, 0.01)) {
      trainer.fit(train, validation);
      return Regression.weights(trainer);
    }
  }

  @Test
  void fileOrderTrainsBitForBitAsInMemoryDataInOrder() throws IOException {
    for (LastBatch last : LastBatch.values()) {
      LoopOptions inOrder = options().shuffle(false).lastBatch(last).build();
      float[] expected = fit(inOrder, TRAIN, VALIDATION);
      History expectedHistory;
      try (Trainer trainer = Regression.adam(inOrder, 0.01)) {
        expectedHistory = trainer.fit(TRAIN, VALIDATION);
      }
      for (Dataset streamed :
          List.of(tfRecords(TRAIN, "train-" + last, 3, 0), idx(TRAIN, "train-" + last))) {
        assertArrayEquals(expected, fit(inOrder, streamed, VALIDATION), 0f, streamed + " " + last);
        try (Trainer trainer = Regression.adam(inOrder, 0.01)) {
          History history = trainer.fit(streamed, idx(VALIDATION, "validation-" + last));
          for (int i = 0; i < 3; i++) {
            assertEquals(
                expectedHistory.epochs().get(i).metrics(),
                history.epochs().get(i).metrics(),
                "epoch " + (i + 1) + " of " + streamed + ", streamed validation too");
          }
        }
      }
    }
  }

  @Test
  void aShuffledStreamTrainsTheSameWeightsEveryTimeAndOtherThanFileOrder() throws IOException {
    Dataset streamed = tfRecords(TRAIN, "train", 4, 50);
    float[] first = fit(options().build(), streamed, null);
    assertArrayEquals(first, fit(options().build(), streamed, null), 0f);
    assertTrue(
        !java.util.Arrays.equals(first, fit(options().shuffle(false).build(), streamed, null)),
        "shuffling changes the batches");
  }

  @Test
  void anEpochOfUnknownLengthIsLearnedInTheFirstEpoch() throws IOException {
    for (LastBatch last : LastBatch.values()) {
      List<String> seen = new ArrayList<>();
      TrainingListener recorder =
          new TrainingListener() {
            @Override
            public void onEpochEnd(FitControl control, EpochLog log) {
              seen.add(log.epoch() + ":" + log.steps() + "/" + control.batchesPerEpoch());
            }

            @Override
            public void onBatchEnd(FitControl control, int epoch, int batch) {
              if (batch == 1) {
                seen.add(epoch + ":" + control.batchesPerEpoch());
              }
            }
          };
      LoopOptions options = options().lastBatch(last).listener(recorder).build();
      fit(options, tfRecords(TRAIN, "unknown-" + last, 2, 20), null);
      int batches = last == LastBatch.PARTIAL ? 31 : 30;
      assertEquals(
          List.of(
              "1:-1",
              "1:" + batches + "/" + batches,
              "2:" + batches,
              "2:" + batches + "/" + batches,
              "3:" + batches,
              "3:" + batches + "/" + batches),
          seen,
          last.toString());
      seen.clear();
      fit(options, idx(TRAIN, "known-" + last), null);
      assertEquals("1:" + batches, seen.get(0), "an IDX file says its size: " + last);
    }
  }

  @Test
  void resumingAStreamedFitFromEveryCheckpointGivesTheUninterruptedWeights() throws IOException {
    Dataset streamed = tfRecords(TRAIN, "train", 3, 40);
    Dataset validation = tfRecords(VALIDATION, "validation", 1, 0);
    LoopOptions plain = options().lastBatch(LastBatch.PARTIAL).build();
    History expectedHistory;
    float[] expected;
    try (Trainer trainer = Regression.adam(plain, 0.01)) {
      expectedHistory = trainer.fit(streamed, validation);
      expected = Regression.weights(trainer);
    }
    Path all = directory.resolve("all");
    CheckpointPolicy policy = CheckpointPolicy.in(all).everySteps(7).keepLast(1000);
    assertArrayEquals(
        expected,
        fit(plain.toBuilder().checkpoints(policy).build(), streamed, validation),
        0f,
        "saving changed training");
    List<Path> checkpoints = CheckpointStore.open(all).checkpoints();
    assertEquals(93 / 7 + 3, checkpoints.size(), checkpoints.toString());
    for (Path checkpoint : checkpoints) {
      Path alone = directory.resolve("from-" + checkpoint.getFileName());
      copy(checkpoint, alone.resolve(checkpoint.getFileName()));
      LoopOptions resume = plain.toBuilder().checkpoints(CheckpointPolicy.in(alone)).build();
      try (Trainer trainer = Regression.adam(resume, 0.01)) {
        History history = trainer.resume(streamed, validation);
        assertArrayEquals(
            expected, Regression.weights(trainer), 0f, "resumed from " + checkpoint.getFileName());
        assertEquals(3 * 31, trainer.globalStep());
        for (int i = 0; i < 3; i++) {
          assertEquals(
              expectedHistory.epochs().get(i).metrics(),
              history.epochs().get(i).metrics(),
              "epoch " + (i + 1) + " resumed from " + checkpoint.getFileName());
        }
      }
    }
  }

  @Test
  void aResumeOnOtherDataOrSettingsIsRefused() throws IOException {
    Dataset streamed = tfRecords(TRAIN, "train", 3, 40);
    Path checkpoints = directory.resolve("checkpoints");
    LoopOptions options =
        options().epochs(1).checkpoints(CheckpointPolicy.in(checkpoints).everySteps(5)).build();
    fit(options, streamed, null);

    IllegalStateException other =
        assertThrows(
            IllegalStateException.class, () -> resume(options, tfRecords(TRAIN, "b", 4, 40)));
    assertTrue(
        other.getMessage().contains("was written by a fit on other data"), other.getMessage());
    assertTrue(other.getMessage().contains("column 'x'"), other.getMessage());

    IllegalStateException buffer =
        assertThrows(
            IllegalStateException.class, () -> resume(options, tfRecords(TRAIN, "train", 3, 41)));
    assertTrue(
        buffer
            .getMessage()
            .contains(
                "read its data with shuffle buffer of 40 examples, 3 parts;"
                    + " this one reads it with shuffle buffer of 41 examples, 3 parts"),
        buffer.getMessage());

    IllegalStateException memory =
        assertThrows(IllegalStateException.class, () -> resume(options, TRAIN));
    assertTrue(
        memory.getMessage().contains("was written by a fit on streamed data (3 TFRecord files"),
        memory.getMessage());
  }

  private static void resume(LoopOptions options, Dataset train) {
    try (Trainer trainer = Regression.adam(options, 0.01)) {
      trainer.resume(train, null);
    }
  }

  @Test
  void stepsPerExecutionTrainsAStreamOneBatchPerCallAndSaysSo() throws IOException {
    Dataset streamed = tfRecords(TRAIN, "train", 2, 30);
    float[] expected = fit(options().build(), streamed, null);
    List<LogRecord> warnings =
        LogCapture.records(
            "io.github.tfloop.train",
            Level.WARNING,
            () ->
                assertArrayEquals(
                    expected, fit(options().stepsPerExecution(8).build(), streamed, null), 0f));
    assertEquals(1, warnings.size(), warnings.toString());
    String warning =
        java.text.MessageFormat.format(
            warnings.get(0).getMessage(), warnings.get(0).getParameters());
    assertTrue(
        warning.startsWith(
            "Curve: stepsPerExecution(8) trains from data held in the graph; the training data is"
                + " streamed (2 TFRecord files"),
        warning);
  }

  @Test
  void evaluateReadsAStreamAsItReadsMemory() throws IOException {
    try (Trainer trainer = Regression.adam(options().epochs(1).build(), 0.01)) {
      trainer.fit(TRAIN, null);
      assertEquals(
          trainer.evaluate(VALIDATION).metrics(),
          trainer.evaluate(tfRecords(VALIDATION, "validation", 2, 0)).metrics());
      assertEquals(37, trainer.evaluate(idx(VALIDATION, "validation")).examples());
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> trainer.predictFloats(tfRecords(VALIDATION, "predict", 1, 0)));
      assertTrue(
          e.getMessage()
              .startsWith(
                  "prediction data is streamed from files (1 TFRecord file"
                      + " (predict-00000-of-00001.tfrecord)); predict needs its examples in"
                      + " memory"),
          e.getMessage());
    }
  }

  @Test
  void aStreamWithoutAnInputIsRefusedBeforeTraining() throws IOException {
    List<Path> files = TfRecordWriter.write(directory, "x-only", TRAIN, 1);
    Dataset xOnly = StreamingDataset.tfRecords(files, Regression.X, "x").dataset();
    try (Trainer trainer = Regression.adam(options().build(), 0.01)) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> trainer.fit(xOnly, null));
      assertEquals(
          "training data (1 TFRecord file (x-only-00000-of-00001.tfrecord)) has no column 'y'"
              + " for label y: FLOAT32 [1]; its columns are [x]",
          e.getMessage());
      assertEquals(0, trainer.globalStep());
    }
  }

  @Test
  void aStreamOfLessThanABatchIsRefusedAfterItsFirstRead() throws IOException {
    Dataset five = tfRecords(Regression.data(5, 1), "five", 1, 0);
    try (Trainer trainer = Regression.adam(options().build(), 0.01)) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> trainer.fit(five, null));
      assertEquals(
          "training data (1 TFRecord file (five-00000-of-00001.tfrecord)) has 5 examples, fewer"
              + " than one batch of 8; use a smaller batchSize or"
              + " LoopOptions.lastBatch(LastBatch.PARTIAL)",
          e.getMessage());
      assertEquals(0, trainer.globalStep());
    }
    try (Trainer trainer = Regression.adam(options().lastBatch(LastBatch.PARTIAL).build(), 0.01)) {
      trainer.fit(five, null);
      assertEquals(3, trainer.globalStep(), "one batch of 5 in each of 3 epochs");
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
}
