package io.github.tfloop.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tfloop.checkpoint.Checkpoint;
import io.github.tfloop.checkpoint.CheckpointStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trains in child JVMs and kills them (SIGKILL) at random moments, each time resuming from what the
 * last one left; the weights at the end must equal those of an uninterrupted run, bit for bit, with
 * early stopping's best weights too. A SIGTERM instead must leave a final checkpoint written on the
 * way out. Two processes never write one directory: the second is refused, naming the first, and
 * the lock of a killed one is taken over.
 */
class KillAndResumeTest {

  private static final int KILLS = 12;
  private static final long TOTAL_STEPS =
      ResumableTraining.EPOCHS * (ResumableTraining.EXAMPLES / 8);
  private static final long SEED = 20240611L;

  private static Path reference;
  private static long trainingMillis;

  @BeforeAll
  static void trainUninterrupted(@TempDir Path directory) throws Exception {
    reference = directory.resolve("weights");
    long started = System.nanoTime();
    Process child = start(directory.resolve("checkpoints"), reference, directory, "steps");
    awaitLine(child, "ready");
    long ready = System.nanoTime();
    assertEquals(0, child.waitFor(), "the uninterrupted run failed; see " + directory);
    trainingMillis = Math.max(200, (System.nanoTime() - ready) / 1_000_000);
    assertTrue(Files.size(reference) > 8, "no weights written");
    System.out.printf(
        "uninterrupted child: %d ms training, %d ms in all%n",
        trainingMillis, (System.nanoTime() - started) / 1_000_000);
  }

  @Test
  void sigkillAtRandomMomentsThenResumeGivesTheUninterruptedWeights(@TempDir Path directory)
      throws Exception {
    Path checkpoints = directory.resolve("checkpoints");
    Path weights = directory.resolve("weights");
    SplittableRandom random = new SplittableRandom(SEED);
    List<String> killPoints = new ArrayList<>();
    int midWrite = 0;
    for (int kill = 1; kill <= KILLS; kill++) {
      // spread the kills over the run: past a target step, then a random moment later
      long target = kill * TOTAL_STEPS / (KILLS + 1) + random.nextLong(-2, 3);
      Process child = start(checkpoints, weights, directory, "steps");
      long reached = awaitStep(child, target);
      Thread.sleep(random.nextLong(0, 15));
      assertTrue(child.isAlive(), "the child finished before kill " + kill);
      child.destroyForcibly(); // SIGKILL
      assertEquals(128 + 9, child.waitFor(), "the child was not killed by SIGKILL");
      boolean writing = hasTemporaryDirectory(checkpoints);
      midWrite += writing ? 1 : 0;
      killPoints.add(
          "after step "
              + reached
              + (writing ? " (mid-write)" : "")
              + " -> "
              + describe(newestValid(checkpoints)));
    }
    System.out.println(
        "killed " + KILLS + " times, " + midWrite + " while writing a checkpoint: " + killPoints);
    assertEquals(
        KILLS,
        killPoints.stream().map(point -> point.split(" ")[2]).distinct().count(),
        "the kills should land at different steps: " + killPoints);

    Process last = start(checkpoints, weights, directory, "steps");
    assertEquals(0, last.waitFor(), "the final resume failed; see " + directory);
    assertArrayEquals(
        Files.readAllBytes(reference),
        Files.readAllBytes(weights),
        "resumed weights differ from the uninterrupted run's; kills " + killPoints);
  }

  /** The same with frozen weights and a learning-rate multiplier, fewer kills. */
  @Test
  void aFitWithFrozenWeightsKilledAndResumedGivesTheUninterruptedWeights(@TempDir Path directory)
      throws Exception {
    Path frozenReference = directory.resolve("reference");
    Process uninterrupted =
        start(
            directory.resolve("reference-checkpoints"),
            frozenReference,
            directory,
            "steps",
            "frozen");
    assertEquals(
        0, uninterrupted.waitFor(), "the uninterrupted frozen run failed; see " + directory);
    Path checkpoints = directory.resolve("checkpoints");
    Path weights = directory.resolve("weights");
    SplittableRandom random = new SplittableRandom(SEED + 1);
    int kills = 4;
    List<Long> reached = new ArrayList<>();
    for (int kill = 1; kill <= kills; kill++) {
      long target = kill * TOTAL_STEPS / (kills + 1) + random.nextLong(-2, 3);
      Process child = start(checkpoints, weights, directory, "steps", "frozen");
      reached.add(awaitStep(child, target));
      Thread.sleep(random.nextLong(0, 15));
      assertTrue(child.isAlive(), "the child finished before kill " + kill);
      child.destroyForcibly();
      assertEquals(128 + 9, child.waitFor(), "the child was not killed by SIGKILL");
    }
    Process last = start(checkpoints, weights, directory, "steps", "frozen");
    assertEquals(0, last.waitFor(), "the final resume failed; see " + directory);
    assertArrayEquals(
        Files.readAllBytes(frozenReference),
        Files.readAllBytes(weights),
        "resumed frozen weights differ from the uninterrupted run's; killed after " + reached);
    assertFalse(
        java.util.Arrays.equals(Files.readAllBytes(reference), Files.readAllBytes(weights)),
        "freezing changed nothing: the frozen run must differ from the plain one");
  }

  @Test
  void sigtermWritesAFinalCheckpointBeforeExit(@TempDir Path directory) throws Exception {
    Path checkpoints = directory.resolve("checkpoints");
    Path weights = directory.resolve("weights");
    Process child = start(checkpoints, weights, directory, "epochs");
    long reached = awaitStep(child, TOTAL_STEPS / 4 + 7);
    child.destroy(); // SIGTERM
    assertTrue(child.waitFor() != 0, "the interrupted fit must not end like a finished one");
    assertFalse(Files.exists(weights), "the child went on after fit as if training had ended");
    Checkpoint last = newestValid(checkpoints);
    assertEquals("interrupt", last.get("reason"), describe(last));
    assertTrue(last.getLong("global_step") >= reached, describe(last) + " before step " + reached);
    assertTrue(last.getLong("batches_done") > 0, "mid-epoch: " + describe(last));

    Process resumed = start(checkpoints, weights, directory, "epochs");
    assertEquals(0, resumed.waitFor());
    assertArrayEquals(Files.readAllBytes(reference), Files.readAllBytes(weights));
  }

  @Test
  void aSecondProcessIsRefusedAndAKilledOnesLockIsTakenOver(@TempDir Path directory)
      throws Exception {
    Path checkpoints = directory.resolve("checkpoints");
    Path weights = directory.resolve("weights");
    Process first = start(checkpoints, weights, directory, "steps", "slow");
    awaitStep(first, 6);
    Process second = start(checkpoints, directory.resolve("second-weights"), directory, "steps");
    BufferedReader out =
        new BufferedReader(new InputStreamReader(second.getInputStream(), StandardCharsets.UTF_8));
    assertEquals("ready", out.readLine());
    String refusal = out.readLine();
    assertEquals(3, second.waitFor(), "the second process was not refused: " + refusal);
    assertTrue(first.isAlive(), "the first process must go on");
    String host = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
    String expected =
        "refused: checkpoint directory "
            + checkpoints
            + " is in use by process "
            + first.pid()
            + " on "
            + host
            + " (CurveLoop's resume) since ";
    assertTrue(refusal.startsWith(expected), refusal);
    assertTrue(
        refusal.endsWith(
            ": two fits writing one directory would destroy each other's checkpoints. Wait for"
                + " it to end, or give this fit another directory"),
        refusal);
    assertFalse(Files.exists(directory.resolve("second-weights")));

    first.destroyForcibly(); // SIGKILL: the lock file still names it
    first.waitFor();
    String lock = Files.readString(checkpoints.resolve(CheckpointStore.LOCK_FILE));
    assertTrue(lock.contains("pid=" + first.pid()), lock);
    Process third = start(checkpoints, weights, directory, "steps");
    assertEquals(0, third.waitFor(), "the resume after the kill failed; see " + directory);
    assertTrue(
        Files.readString(directory.resolve("children.log"))
            .contains(
                "checkpoint directory "
                    + checkpoints
                    + ": took over the lock left by process "
                    + first.pid()
                    + " on "
                    + host
                    + " (CurveLoop's resume), which is no longer running"),
        "no warning about the lock taken over; see " + directory.resolve("children.log"));
    assertEquals("", Files.readString(checkpoints.resolve(CheckpointStore.LOCK_FILE)));
    assertArrayEquals(Files.readAllBytes(reference), Files.readAllBytes(weights));
  }

  @Test
  void earlyStoppingsBestWeightsSurviveKillsAndResumes(@TempDir Path directory) throws Exception {
    Path reference = directory.resolve("reference-weights");
    Process uninterrupted =
        start(directory.resolve("reference"), reference, directory, "steps", "early-stopping");
    assertEquals(0, uninterrupted.waitFor(), "the uninterrupted run failed; see " + directory);
    Path checkpoints = directory.resolve("checkpoints");
    Path weights = directory.resolve("weights");
    // epoch 1 is the best; the fit stops after epoch 3 (step 90) and puts epoch 1's weights back
    SplittableRandom random = new SplittableRandom(SEED + 1);
    List<String> killPoints = new ArrayList<>();
    for (long target : new long[] {20, 40, 60, 85}) {
      Process child = start(checkpoints, weights, directory, "steps", "early-stopping");
      long reached = awaitStep(child, target + random.nextLong(0, 4));
      assertTrue(child.isAlive(), "the child finished before the kill at " + target);
      child.destroyForcibly();
      child.waitFor();
      killPoints.add("after step " + reached + " -> " + describe(newestValid(checkpoints)));
    }
    Process last = start(checkpoints, weights, directory, "steps", "early-stopping");
    assertEquals(0, last.waitFor(), "the final resume failed; see " + directory);
    byte[] expected = Files.readAllBytes(reference);
    assertEquals(90, ByteBuffer.wrap(expected).getLong(), "the reference stopped after epoch 3");
    assertArrayEquals(
        expected,
        Files.readAllBytes(weights),
        "resumed weights differ from the uninterrupted run's; kills " + killPoints);
  }

  /**
   * Reads the child's progress lines until it reports {@code target} or later; returns that step.
   */
  private static long awaitStep(Process child, long target) throws IOException {
    BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
    for (String line; (line = out.readLine()) != null; ) {
      if (line.startsWith("step ")) {
        long step = Long.parseLong(line.substring("step ".length()));
        if (step >= target) {
          return step;
        }
      }
    }
    throw new AssertionError("the child ended before step " + target);
  }

  private static boolean hasTemporaryDirectory(Path checkpoints) throws IOException {
    if (!Files.isDirectory(checkpoints)) {
      return false;
    }
    try (var children = Files.list(checkpoints)) {
      return children.anyMatch(path -> path.getFileName().toString().startsWith(".tmp-"));
    }
  }

  /** The newest checkpoint that verifies, read without cleaning anything up. */
  private static Checkpoint newestValid(Path checkpoints) throws IOException {
    if (!Files.isDirectory(checkpoints)) {
      return null;
    }
    List<Path> all;
    try (var children = Files.list(checkpoints)) {
      all =
          children
              .filter(path -> path.getFileName().toString().startsWith("ckpt-"))
              .sorted()
              .toList();
    }
    for (int i = all.size() - 1; i >= 0; i--) {
      try {
        return CheckpointStore.verify(all.get(i));
      } catch (IOException e) {
        // an unusable one: look further back, as resume does
      }
    }
    return null;
  }

  private static String describe(Checkpoint checkpoint) {
    return checkpoint == null
        ? "no checkpoint"
        : checkpoint.directory().getFileName()
            + " ("
            + checkpoint.get("reason")
            + ", step "
            + checkpoint.get("global_step")
            + ")";
  }

  private static Process start(
      Path checkpoints, Path weights, Path logs, String every, String... flags) throws IOException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    ProcessBuilder builder =
        new ProcessBuilder(
            java.toString(),
            "--enable-native-access=ALL-UNNAMED",
            "-Xmx256m",
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-cp",
            System.getProperty("java.class.path"),
            ResumableTraining.class.getName(),
            checkpoints.toString(),
            weights.toString(),
            every);
    builder.command().addAll(List.of(flags));
    builder.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
    builder.redirectError(ProcessBuilder.Redirect.appendTo(logs.resolve("children.log").toFile()));
    return builder.start();
  }

  private static void awaitLine(Process child, String expected) throws IOException {
    BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
    String line = out.readLine();
    assertEquals(expected, line, "the child did not start");
  }
}
