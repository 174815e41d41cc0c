package io.github.tfloop.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
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
 * {@link KillAndResumeTest} for a fit on streamed data: a child JVM trains from TFRecord files
 * through a shuffle buffer, on reader threads, and is killed (SIGKILL) at random moments, each time
 * resuming from what the last one left; the weights at the end must equal those of an uninterrupted
 * run, bit for bit. The batches after each resume must therefore be those the uninterrupted run
 * saw: the same examples, from the same shuffle buffer, in the same order.
 */
class StreamKillAndResumeTest {

  private static final int KILLS = 8;
  private static final long TOTAL_STEPS =
      ResumableStreamTraining.EPOCHS * (ResumableStreamTraining.EXAMPLES / 8);
  private static final long SEED = 20261206L;

  private static Path data;
  private static Path reference;

  @BeforeAll
  static void trainUninterrupted(@TempDir Path directory) throws Exception {
    data = directory.resolve("data");
    ResumableStreamTraining.write(data);
    reference = directory.resolve("weights");
    Process child = start(directory.resolve("checkpoints"), reference, directory);
    assertEquals(0, child.waitFor(), "the uninterrupted run failed; see " + directory);
    assertTrue(Files.size(reference) > 8, "no weights written");
  }

  @Test
  void sigkillAtRandomMomentsThenResumeGivesTheUninterruptedWeights(@TempDir Path directory)
      throws Exception {
    Path checkpoints = directory.resolve("checkpoints");
    Path weights = directory.resolve("weights");
    SplittableRandom random = new SplittableRandom(SEED);
    List<Long> killedAfter = new ArrayList<>();
    for (int kill = 1; kill <= KILLS; kill++) {
      long target = kill * TOTAL_STEPS / (KILLS + 1) + random.nextLong(-2, 3);
      Process child = start(checkpoints, weights, directory);
      long reached = awaitStep(child, target);
      Thread.sleep(random.nextLong(0, 15));
      assertTrue(child.isAlive(), "the child finished before kill " + kill);
      child.destroyForcibly(); // SIGKILL
      assertEquals(128 + 9, child.waitFor(), "the child was not killed by SIGKILL");
      killedAfter.add(reached);
    }
    System.out.println("killed " + KILLS + " times, after steps " + killedAfter);
    Process last = start(checkpoints, weights, directory);
    assertEquals(0, last.waitFor(), "the final resume failed; see " + directory);
    assertArrayEquals(
        Files.readAllBytes(reference),
        Files.readAllBytes(weights),
        "resumed weights differ from the uninterrupted run's; killed after steps " + killedAfter);
  }

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

  private static Process start(Path checkpoints, Path weights, Path logs) throws IOException {
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
            ResumableStreamTraining.class.getName(),
            data.toString(),
            checkpoints.toString(),
            weights.toString());
    builder.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
    builder.redirectError(ProcessBuilder.Redirect.appendTo(logs.resolve("children.log").toFile()));
    return builder.start();
  }
}
