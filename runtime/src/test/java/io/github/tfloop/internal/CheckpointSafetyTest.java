package io.github.tfloop.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tfloop.LogCapture;
import io.github.tfloop.checkpoint.CheckpointPolicy;
import io.github.tfloop.checkpoint.CheckpointStore;
import io.github.tfloop.data.Dataset;
import io.github.tfloop.train.FitControl;
import io.github.tfloop.train.LoopOptions;
import io.github.tfloop.train.TrainingListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.MessageFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A checkpoint directory is never cleared, overwritten or shared by accident: {@code fit} refuses
 * checkpoints it did not write, a checkpoint that fails verification is moved aside and never
 * deleted, folders tfloop did not write are left alone, one fit at a time holds the directory, and
 * a directory that cannot be written (a file, read-only, full) is named with the reason.
 */
class CheckpointSafetyTest {

  /** 100 examples in batches of 8: 12 batches an epoch. */
  private static final Dataset TRAIN = Regression.data(100, 3);

  private static LoopOptions.Builder options(CheckpointPolicy policy) {
    return LoopOptions.builder().epochs(1).intraOpThreads(1).interOpThreads(1).checkpoints(policy);
  }

  @Test
  void fitRefusesADirectoryHoldingAnotherModelsCheckpointsAndChangesNothing(@TempDir Path root)
      throws IOException {
    Path directory = root.resolve("checkpoints");
    CheckpointPolicy policy = CheckpointPolicy.in(directory).everySteps(3);
    try (Trainer classifier = Classifier.build(options(policy).build())) {
      classifier.fit(Classifier.data(64, 1), null);
    }
    Map<String, String> before = files(directory);
    BatchCounter batches = new BatchCounter();
    try (Trainer regression = Regression.adam(options(policy).listener(batches).build(), 0.01)) {
      IllegalStateException error =
          assertThrows(IllegalStateException.class, () -> regression.fit(TRAIN, null));
      assertEquals(
          "checkpoint directory "
              + directory
              + " holds checkpoints this fit did not write: ckpt-000001 (SideLoop, global step"
              + " 3) and ckpt-000002 (SideLoop, global step 4); they are another model's, and"
              + " fit() never deletes or mixes with them."
              + " Give this fit another directory, or start over in this one with"
              + " CheckpointPolicy.in(...).startFresh(), which moves them into "
              + directory.resolve("previous-1"),
          error.getMessage());
    }
    assertEquals(0, batches.batches.get(), "refused before training");
    assertEquals(before, files(directory), "nothing changed");
  }

  @Test
  void fitRefusesAnEarlierRunsCheckpointsOfTheSameModel(@TempDir Path directory)
      throws IOException {
    CheckpointPolicy policy = CheckpointPolicy.in(directory).everySteps(5).everyEpochs(0);
    try (Trainer first = Regression.adam(options(policy).build(), 0.01)) {
      first.fit(TRAIN, null);
    }
    // what a writer killed mid-write leaves: removed only when this directory is written again
    Files.writeString(
        Files.createDirectories(directory.resolve(".tmp-4-1")).resolve("variables.index"), "half");
    Map<String, String> before = files(directory);
    try (Trainer second = Regression.adam(options(policy).build(), 0.01)) {
      IllegalStateException error =
          assertThrows(IllegalStateException.class, () -> second.fit(TRAIN, null));
      assertEquals(
          "checkpoint directory "
              + directory
              + " holds checkpoints this fit did not write: ckpt-000001 (CurveLoop, global step"
              + " 5), ckpt-000002 (CurveLoop, global step 10) and ckpt-000003 (CurveLoop, global"
              + " step 12); fit() never deletes or mixes with them. To continue that training,"
              + " call resume() instead; to start over in this directory, use"
              + " CheckpointPolicy.in(...).startFresh(), which moves them into "
              + directory.resolve("previous-1")
              + "; or give this fit another directory",
          error.getMessage());
    }
    assertEquals(before, files(directory));
  }

  @Test
  void startFreshMovesTheCheckpointsItDidNotWriteAsideUntouched(@TempDir Path directory)
      throws IOException {
    CheckpointPolicy policy = CheckpointPolicy.in(directory).everySteps(5).everyEpochs(0);
    try (Trainer first = Regression.adam(options(policy).build(), 0.01)) {
      first.fit(TRAIN, null);
    }
    Map<String, String> firstRun = files(directory);
    firstRun.remove("tfloop.lock");
    for (int run = 2; run <= 3; run++) {
      List<LogRecord> warnings =
          LogCapture.records(
              "io.github.tfloop.checkpoint",
              Level.WARNING,
              () -> {
                try (Trainer again = Regression.adam(options(policy.startFresh()).build(), 0.01)) {
                  again.fit(TRAIN, null);
                }
              });
      Path previous = directory.resolve("previous-" + (run - 1));
      assertEquals(
          List.of(
              "checkpoint directory "
                  + directory
                  + ": starting afresh as asked; moved ckpt-000001, ckpt-000002 and ckpt-000003"
                  + " into "
                  + previous),
          messages(warnings));
      assertEquals(
          List.of("ckpt-000001", "ckpt-000002", "ckpt-000003"),
          names(CheckpointStore.open(directory).checkpoints()));
    }
    assertEquals(firstRun, files(directory.resolve("previous-1")), "moved, byte for byte");
    assertEquals(
        files(directory.resolve("previous-1")).keySet(),
        files(directory.resolve("previous-2")).keySet());

    Map<String, String> before = files(directory);
    try (Trainer resumed = Regression.adam(options(policy.startFresh()).build(), 0.01)) {
      IllegalStateException error =
          assertThrows(IllegalStateException.class, () -> resumed.resume(TRAIN, null));
      assertEquals(
          "resume() continues the checkpoints in "
              + directory
              + ", and CheckpointPolicy.startFresh() asks to move them aside: call fit() to start"
              + " over, or drop startFresh() to continue",
          error.getMessage());
    }
    assertEquals(before, files(directory));
  }

  @Test
  void aFitAfterAResumeOfTheSameLoopGoesOnWithTheResumedCheckpoints(@TempDir Path directory) {
    CheckpointPolicy policy = CheckpointPolicy.in(directory).everySteps(0).keepLast(2);
    try (Trainer first = Regression.adam(options(policy).build(), 0.01)) {
      first.fit(TRAIN, null);
    }
    try (Trainer later = Regression.adam(options(policy).build(), 0.01)) {
      later.resume(TRAIN, null);
      later.fit(TRAIN, null);
      later.fit(TRAIN, null);
      assertEquals(36, later.globalStep());
    }
    assertEquals(
        List.of("ckpt-000002", "ckpt-000003"),
        names(CheckpointStore.open(directory).checkpoints()));
  }

  @Test
  void aSecondFitOfTheSameLoopContinuesItsOwnCheckpoints(@TempDir Path directory) {
    CheckpointPolicy policy = CheckpointPolicy.in(directory).everySteps(0).keepLast(2);
    try (Trainer loop = Regression.adam(options(policy).build(), 0.01)) {
      loop.fit(TRAIN, null);
      loop.fit(TRAIN, null);
      loop.fit(TRAIN, null);
      assertEquals(36, loop.globalStep());
    }
    assertEquals(
        List.of("ckpt-000002", "ckpt-000003"),
        names(CheckpointStore.open(directory).checkpoints()));
  }

  @Test
  void resumeRefusesWhenEveryCheckpointIsUnusableAndChangesNothing(@TempDir Path directory)
      throws IOException {
    CheckpointPolicy policy = CheckpointPolicy.in(directory).everySteps(5).everyEpochs(0);
    try (Trainer first = Regression.adam(options(policy).build(), 0.01)) {
      first.fit(TRAIN, null);
    }
    List<Path> checkpoints = CheckpointStore.open(directory).checkpoints();
    truncate(checkpoints.get(0).resolve("variables.data-00000-of-00001"));
    truncate(checkpoints.get(1).resolve("order.bin"));
    Files.writeString(checkpoints.get(2).resolve("manifest.properties"), "global_step=12\n");
    Map<String, String> before = files(directory);
    BatchCounter batches = new BatchCounter();
    try (Trainer resumed = Regression.adam(options(policy).listener(batches).build(), 0.01)) {
      IllegalStateException error =
          assertThrows(IllegalStateException.class, () -> resumed.resume(TRAIN, null));
      assertEquals(
          "checkpoint directory "
              + directory
              + " holds no usable checkpoint, so resume() cannot continue the training saved"
              + " there: ckpt-000001: variables.data-00000-of-00001 has 414 bytes, the manifest"
              + " says 828 (truncated?); ckpt-000002: order.bin has 202 bytes, the manifest says"
              + " 404 (truncated?); ckpt-000003: manifest.properties is truncated (no checksum"
              + " line at its end). Nothing was changed. Put back a good copy from a backup, or"
              + " start over with fit() and CheckpointPolicy.in(...).startFresh(), which moves"
              + " them into "
              + directory.resolve("previous-1"),
          error.getMessage());
    }
    assertEquals(0, batches.batches.get(), "refused before training");
    assertEquals(before, files(directory));
  }

  @Test
  void anUnusableCheckpointIsMovedToCorruptWithAWarningAndNeverDeleted(@TempDir Path directory)
      throws IOException {
    CheckpointPolicy policy = CheckpointPolicy.in(directory).everySteps(5).everyEpochs(0);
    try (Trainer first = Regression.adam(options(policy).build(), 0.01)) {
      first.fit(TRAIN, null);
    }
    List<Path> checkpoints = CheckpointStore.open(directory).checkpoints();
    Path newest = checkpoints.get(2);
    truncate(newest.resolve("variables.data-00000-of-00001"));
    Map<String, String> corrupted = files(newest);

    List<LogRecord> warnings =
        LogCapture.records(
            "io.github.tfloop.checkpoint",
            Level.WARNING,
            () -> {
              // two more epochs: five more checkpoints, far more than keepLast(3)
              try (Trainer resumed = Regression.adam(options(policy).epochs(3).build(), 0.01)) {
                resumed.resume(TRAIN, null);
                assertEquals(36, resumed.globalStep());
              }
            });
    Path moved = directory.resolve("corrupt").resolve("ckpt-000003");
    assertEquals(
        List.of(
            "checkpoint "
                + newest
                + " is unusable (variables.data-00000-of-00001 has 414 bytes, the manifest says"
                + " 828 (truncated?)): moved to "
                + moved
                + ", never deleted; resuming from ckpt-000002"),
        messages(warnings));
    assertEquals(corrupted, files(moved), "kept as it was");
    assertEquals(
        List.of("ckpt-000006", "ckpt-000007", "ckpt-000008"),
        names(CheckpointStore.open(directory).checkpoints()));
  }

  @Test
  void foldersTfloopDidNotWriteAreNeitherCountedNorPrunedNorMoved(@TempDir Path directory)
      throws IOException {
    CheckpointPolicy policy = CheckpointPolicy.in(directory).everySteps(5).everyEpochs(0);
    try (Trainer first = Regression.adam(options(policy).build(), 0.01)) {
      first.fit(TRAIN, null);
    }
    Path stray = Files.createDirectories(directory.resolve("ckpt-999999"));
    Files.writeString(stray.resolve("notes.txt"), "mine");
    Path strayFile = Files.writeString(directory.resolve("ckpt-000000"), "also mine");
    List<LogRecord> warnings =
        LogCapture.records(
            "io.github.tfloop.checkpoint",
            Level.WARNING,
            () -> {
              try (Trainer resumed = Regression.adam(options(policy).epochs(3).build(), 0.01)) {
                resumed.resume(TRAIN, null);
              }
            });
    assertEquals(
        List.of(
            "checkpoint directory "
                + directory
                + ": ckpt-000000 and ckpt-999999 were not written by tfloop (no"
                + " manifest.properties): left alone, neither counted nor pruned"),
        messages(warnings));
    assertEquals(
        List.of("ckpt-000007", "ckpt-000008", "ckpt-000009", "ckpt-999999"),
        names(CheckpointStore.open(directory).checkpoints()),
        "numbered on from ckpt-000003, pruned among its own");
    assertEquals("mine", Files.readString(stray.resolve("notes.txt")));
    assertEquals("also mine", Files.readString(strayFile));
  }

  @Test
  void aCheckpointPathThatIsAFileIsRefusedAtTheStartWithTheReason(@TempDir Path root)
      throws IOException {
    Path file = Files.writeString(root.resolve("checkpoints"), "not a directory");
    BatchCounter batches = new BatchCounter();
    try (Trainer loop =
        Regression.adam(options(CheckpointPolicy.in(file)).listener(batches).build(), 0.01)) {
      UncheckedIOException error =
          assertThrows(UncheckedIOException.class, () -> loop.fit(TRAIN, null));
      assertEquals(
          "checkpoint directory " + file + " cannot be used: it is a file, not a directory",
          error.getMessage());
      error = assertThrows(UncheckedIOException.class, () -> loop.resume(TRAIN, null));
      assertEquals(
          "checkpoint directory " + file + " cannot be used: it is a file, not a directory",
          error.getMessage());
      Path below = file.resolve("run-1");
      LoopOptions nested = options(CheckpointPolicy.in(below)).build();
      try (Trainer other = Regression.adam(nested, 0.01)) {
        error = assertThrows(UncheckedIOException.class, () -> other.fit(TRAIN, null));
        assertEquals(
            "checkpoint directory "
                + below
                + " cannot be created: "
                + file
                + " is a file, not a directory",
            error.getMessage());
      }
    }
    assertEquals(0, batches.batches.get(), "refused before training");
    assertEquals("not a directory", Files.readString(file));
  }

  @Test
  void aReadOnlyCheckpointDirectoryIsRefusedAtTheStartWithTheReason(@TempDir Path root)
      throws Exception {
    try (Tmpfs disk = Tmpfs.mount(root.resolve("disk"), "1m")) {
      Path directory = Files.createDirectories(disk.root().resolve("checkpoints"));
      disk.remountReadOnly();
      BatchCounter batches = new BatchCounter();
      try (Trainer loop =
          Regression.adam(
              options(CheckpointPolicy.in(directory)).listener(batches).build(), 0.01)) {
        for (boolean resume : new boolean[] {false, true}) {
          UncheckedIOException error =
              assertThrows(
                  UncheckedIOException.class,
                  () -> {
                    if (resume) {
                      loop.resume(TRAIN, null);
                    } else {
                      loop.fit(TRAIN, null);
                    }
                  });
          assertEquals(
              "checkpoint directory "
                  + directory
                  + " cannot be used: it cannot be written (Read-only file system)",
              error.getMessage());
        }
      }
      assertEquals(0, batches.batches.get(), "refused before training");
    }
  }

  @Test
  void aDiskThatIsFullAtTheStartIsRefusedBeforeTraining(@TempDir Path root) throws Exception {
    try (Tmpfs disk = Tmpfs.mount(root.resolve("disk"), "256k")) {
      Path directory = disk.root().resolve("checkpoints");
      CheckpointPolicy policy = CheckpointPolicy.in(directory).everySteps(4).keepLast(10);
      try (Trainer first = Regression.adam(options(policy).build(), 0.01)) {
        first.fit(TRAIN, null);
      }
      disk.fill(disk.root().resolve("filler"));
      Map<String, String> before = files(directory);
      BatchCounter batches = new BatchCounter();
      try (Trainer resumed =
          Regression.adam(options(policy).epochs(2).listener(batches).build(), 0.01)) {
        UncheckedIOException error =
            assertThrows(UncheckedIOException.class, () -> resumed.resume(TRAIN, null));
        assertEquals(
            "checkpoint directory "
                + directory
                + " cannot be used: it cannot be written (No space left on device; 0 bytes"
                + " usable)",
            error.getMessage());
      }
      assertEquals(0, batches.batches.get(), "refused before training");
      assertEquals(before, files(directory));
    }
  }

  /**
   * The disk fills up while the fit trains: with no page left, TensorFlow's {@code SaveV2} fails;
   * with two (the variables' files), Java's write of {@code order.bin} does.
   */
  @ParameterizedTest(name = "{0} pages left")
  @ValueSource(ints = {0, 2})
  void aDiskThatFillsUpIsReportedAsACheckpointFailureAndTheOlderCheckpointsStayIntact(
      int pagesLeft, @TempDir Path root) throws Exception {
    try (Tmpfs disk = Tmpfs.mount(root.resolve("disk"), "256k")) {
      Path directory = disk.root().resolve("checkpoints");
      CheckpointPolicy policy = CheckpointPolicy.in(directory).everySteps(4).keepLast(10);
      try (Trainer first = Regression.adam(options(policy).build(), 0.01)) {
        first.fit(TRAIN, null);
      }
      Map<String, String> before = files(directory);
      Path filler = disk.root().resolve("filler");
      TrainingListener fillTheDisk =
          new TrainingListener() {
            @Override
            public void onBatchEnd(FitControl control, int epoch, int batch) {
              if (control.globalStep() == 13) {
                try {
                  long size = disk.fill(filler);
                  try (var channel =
                      java.nio.channels.FileChannel.open(
                          filler, java.nio.file.StandardOpenOption.WRITE)) {
                    channel.truncate(size - size % 4096 - 4096L * pagesLeft);
                  }
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              }
            }
          };
      try (Trainer resumed =
          Regression.adam(options(policy).epochs(2).listener(fillTheDisk).build(), 0.01)) {
        UncheckedIOException error =
            assertThrows(UncheckedIOException.class, () -> resumed.resume(TRAIN, null));
        String message = error.getMessage();
        int cause = message.indexOf(" Cause: ");
        assertTrue(cause > 0, message);
        assertEquals(
            "could not write checkpoint "
                + directory.resolve("ckpt-000005")
                + ": the disk is full (0 bytes usable in "
                + directory
                + "); the checkpoints already there are intact, the newest is ckpt-000004."
                + " Free some space or give the fit another directory, then resume().",
            message.substring(0, cause));
        String written = pagesLeft == 0 ? "variables.data-00000-of-00001" : "order.bin";
        assertTrue(
            message.substring(cause).startsWith(" Cause: " + written)
                && message.endsWith("No space left on device"),
            "names the write that failed, without TensorFlow's hint: " + message);
      }
      Files.delete(filler);
      before.put("tfloop.lock", files(directory).get("tfloop.lock"));
      assertEquals(before, files(directory), "older checkpoints intact, nothing left behind");
      for (Path checkpoint : CheckpointStore.open(directory).checkpoints()) {
        CheckpointStore.verify(checkpoint);
      }
    }
  }

  @Test
  void twoFitsInOneProcessCannotShareADirectory(@TempDir Path directory) {
    CheckpointPolicy policy = CheckpointPolicy.in(directory).everySteps(5);
    AtomicReference<RuntimeException> refused = new AtomicReference<>();
    TrainingListener intruder =
        new TrainingListener() {
          @Override
          public void onBatchEnd(FitControl control, int epoch, int batch) {
            if (batch == 2 && refused.get() == null) {
              Thread other =
                  new Thread(
                      () -> {
                        try (Trainer second = Regression.adam(options(policy).build(), 0.01)) {
                          second.resume(TRAIN, null);
                          refused.set(new RuntimeException("not refused"));
                        } catch (RuntimeException e) {
                          refused.set(e);
                        }
                      },
                      "intruder");
              other.start();
              try {
                other.join();
              } catch (InterruptedException e) {
                throw new AssertionError(e);
              }
            }
          }
        };
    try (Trainer first = Regression.adam(options(policy).listener(intruder).build(), 0.01)) {
      first.fit(TRAIN, null);
    }
    RuntimeException error = refused.get();
    assertTrue(error instanceof IllegalStateException, String.valueOf(error));
    assertTrue(
        error
            .getMessage()
            .startsWith(
                "checkpoint directory "
                    + directory
                    + " is in use by CurveLoop's fit in this process (pid "
                    + ProcessHandle.current().pid()),
        error.getMessage());
  }

  @Test
  void aStaleLockOfADeadProcessOnThisHostIsTakenOverWithAWarning(@TempDir Path directory)
      throws Exception {
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    String host = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
    Files.writeString(
        directory.resolve("tfloop.lock"),
        "pid=" + gone.pid() + "\nhost=" + host + "\nholder=CurveLoop's resume\n");
    List<LogRecord> warnings =
        LogCapture.records(
            "io.github.tfloop.checkpoint",
            Level.WARNING,
            () -> {
              try (Trainer loop =
                  Regression.adam(options(CheckpointPolicy.in(directory)).build(), 0.01)) {
                loop.fit(TRAIN, null);
              }
            });
    assertEquals(
        List.of(
            "checkpoint directory "
                + directory
                + ": took over the lock left by process "
                + gone.pid()
                + " on "
                + host
                + " (CurveLoop's resume), which is no longer running"),
        messages(warnings));
    assertEquals("", Files.readString(directory.resolve("tfloop.lock")), "released at the end");
  }

  /** Counts batches. */
  static final class BatchCounter implements TrainingListener {
    final AtomicInteger batches = new AtomicInteger();

    @Override
    public void onBatchEnd(FitControl control, int epoch, int batch) {
      batches.incrementAndGet();
    }
  }

  private static List<String> messages(List<LogRecord> records) {
    List<String> messages = new ArrayList<>();
    for (LogRecord record : records) {
      messages.add(MessageFormat.format(record.getMessage(), record.getParameters()));
    }
    return messages;
  }

  private static List<String> names(List<Path> paths) {
    return paths.stream().map(path -> path.getFileName().toString()).toList();
  }

  private static void truncate(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length / 2));
  }

  /** Every file under {@code directory}, relative, with its CRC32C. */
  static Map<String, String> files(Path directory) throws IOException {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> all = Files.walk(directory)) {
      for (Path file : (Iterable<Path>) all::iterator) {
        if (Files.isRegularFile(file)) {
          java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
          crc.update(Files.readAllBytes(file));
          files.put(directory.relativize(file).toString(), Long.toHexString(crc.getValue()));
        } else if (!file.equals(directory)) {
          files.put(directory.relativize(file) + "/", "");
        }
      }
    }
    return files;
  }
}
