package io.github.tfloop.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.tfloop.checkpoint.CheckpointPolicy;
import io.github.tfloop.checkpoint.CheckpointStore;
import io.github.tfloop.data.Dataset;
import io.github.tfloop.internal.Regression;
import io.github.tfloop.internal.Trainer;
import io.github.tfloop.train.EpochLog;
import io.github.tfloop.train.History;
import io.github.tfloop.train.LoopOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CSV file of a real fit, read back and compared with its history, value for value. */
class CsvLoggerTest {

  private static final Dataset TRAIN = Regression.data(48, 1);
  private static final Dataset VALIDATION = Regression.data(24, 2);

  private static LoopOptions.Builder options(Path csv) {
    return LoopOptions.builder()
        .epochs(3)
        .intraOpThreads(1)
        .interOpThreads(1)
        .listener(new CsvLogger(csv));
  }

  @Test
  void everyEpochIsARowOfItsValues(@TempDir Path root) {
    Path csv = root.resolve("logs").resolve("history.csv");
    History history;
    List<String> reported;
    try (Trainer loop = Regression.adam(options(csv).build(), 0.01)) {
      history = loop.fit(TRAIN, VALIDATION);
      reported = loop.reportedNames(true);
    }
    List<List<String>> rows = CsvLogger.read(csv);
    List<String> header = new ArrayList<>(List.of("epoch"));
    header.addAll(reported);
    header.addAll(List.of("steps", "seconds"));
    assertEquals(List.of("epoch", "loss", "val_loss", "learning_rate", "steps", "seconds"), header);
    assertEquals(header, rows.get(0));
    assertEquals(4, rows.size());
    for (int i = 0; i < 3; i++) {
      assertRow(history.epochs().get(i), header, rows.get(i + 1));
    }
  }

  @Test
  void aResumedFitWritesEachEpochOnce(@TempDir Path root) throws IOException {
    Path checkpoints = root.resolve("checkpoints");
    Path first = root.resolve("first.csv");
    try (Trainer loop =
        Regression.adam(
            options(first).checkpoints(CheckpointPolicy.in(checkpoints)).build(), 0.01)) {
      loop.fit(TRAIN, VALIDATION);
    }
    Path afterEpochOne = CheckpointStore.open(checkpoints).checkpoints().get(0);
    Path alone = root.resolve("alone");
    copy(afterEpochOne, alone.resolve(afterEpochOne.getFileName()));
    Path resumed = root.resolve("resumed.csv");
    try (Trainer loop =
        Regression.adam(options(resumed).checkpoints(CheckpointPolicy.in(alone)).build(), 0.01)) {
      loop.resume(TRAIN, VALIDATION);
    }
    List<List<String>> expected = CsvLogger.read(first);
    List<List<String>> actual = CsvLogger.read(resumed);
    assertEquals(expected.size(), actual.size());
    for (int i = 0; i < expected.size(); i++) {
      // every cell but the duration: the resumed fit's values are the uninterrupted fit's
      List<String> row = expected.get(i);
      assertEquals(row.subList(0, row.size() - 1), actual.get(i).subList(0, row.size() - 1));
    }
  }

  private static void assertRow(EpochLog epoch, List<String> header, List<String> row) {
    assertEquals(header.size(), row.size());
    assertEquals(epoch.epoch(), Integer.parseInt(row.get(0)));
    for (int column = 1; column < header.size() - 2; column++) {
      assertEquals(
          epoch.get(header.get(column)),
          Double.parseDouble(row.get(column)),
          0.0,
          header.get(column));
    }
    assertEquals(epoch.steps(), Integer.parseInt(row.get(header.size() - 2)));
    assertEquals(
        epoch.duration().toNanos() / 1e9, Double.parseDouble(row.get(header.size() - 1)), 0.0);
  }

  private static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        Path target = to.resolve(from.relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(target);
        } else {
          Files.copy(file, target);
        }
      }
    }
  }
}
