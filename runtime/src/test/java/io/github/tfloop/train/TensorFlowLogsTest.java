package io.github.tfloop.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tfloop.train.TensorFlowLogs.Result;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * {@link TensorFlowLogs} in fresh JVMs (the environment and TensorFlow's library are per process):
 * each child calls {@code quiet()} when told to, runs a one-op session, and prints the result; the
 * test reads the child's standard error for TensorFlow's lines.
 */
class TensorFlowLogsTest {

  private static final String ONE_DNN = "oneDNN custom operations are on";
  private static final String CPU_GUARD = "cpu_feature_guard";
  private static final boolean FOREIGN_API = Runtime.version().feature() >= 22;

  @Test
  void quietsTheStartUpLinesWhereTheJvmCanSetTheEnvironment() throws Exception {
    Child child = run(null, true, "quiet", "session");
    if (FOREIGN_API) {
      assertEquals(Result.QUIETED.name(), child.result(), child.stderr);
      assertFalse(child.stderr.contains(ONE_DNN), child.stderr);
      assertFalse(child.stderr.contains(CPU_GUARD), child.stderr);
    } else {
      assertEquals(Result.NOT_SUPPORTED.name(), child.result(), child.stderr);
      assertTrue(child.stderr.contains(ONE_DNN), child.stderr);
    }
    assertTrue(child.stdout.contains("session ran"), child.stdout + child.stderr);
  }

  @Test
  void withoutTheCallTensorFlowPrintsThem() throws Exception {
    Child child = run(null, true, "session");
    assertTrue(child.stderr.contains(ONE_DNN), child.stderr);
    assertTrue(child.stderr.contains(CPU_GUARD), child.stderr);
  }

  @Test
  void aValueSetOutsideStaysSoZeroBringsThemBack() throws Exception {
    Child child = run("0", true, "quiet", "session");
    assertEquals(Result.LEFT_TO_ENVIRONMENT.name(), child.result(), child.stderr);
    assertTrue(child.stderr.contains(ONE_DNN), child.stderr);
    assertTrue(child.stderr.contains(CPU_GUARD), child.stderr);
  }

  @Test
  void afterTensorFlowLoadedItIsTooLate() throws Exception {
    Child child = run(null, true, "session", "quiet");
    assertEquals(Result.TOO_LATE.name(), child.result(), child.stderr);
  }

  @Test
  void withoutNativeAccessItLeavesTheEnvironmentAlone() throws Exception {
    Child child = run(null, false, "quiet");
    assertEquals(
        (FOREIGN_API ? Result.NO_NATIVE_ACCESS : Result.NOT_SUPPORTED).name(),
        child.result(),
        child.stderr);
  }

  /** What a child printed. */
  private record Child(String stdout, String stderr) {
    String result() {
      for (String line : stdout.split("\n")) {
        if (line.startsWith("result ")) {
          return line.substring("result ".length()).trim();
        }
      }
      return "(no result printed)";
    }
  }

  /**
   * Runs {@link Main} with the given actions, {@code TF_CPP_MIN_LOG_LEVEL} set to {@code level} (or
   * unset when null), with or without native access.
   */
  private static Child run(String level, boolean nativeAccess, String... actions)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    if (nativeAccess) {
      command.add("--enable-native-access=ALL-UNNAMED");
    }
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Main.class.getName());
    command.addAll(List.of(actions));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().remove(TensorFlowLogs.ENVIRONMENT_VARIABLE);
    if (level != null) {
      builder.environment().put(TensorFlowLogs.ENVIRONMENT_VARIABLE, level);
    }
    Path stderr = Files.createTempFile("tensorflow-logs", ".txt");
    try {
      Process process = builder.redirectError(stderr.toFile()).start();
      process.getOutputStream().close();
      String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(process.waitFor(2, TimeUnit.MINUTES), "the child JVM did not finish");
      String errors = Files.readString(stderr);
      assertEquals(0, process.exitValue(), stdout + errors);
      return new Child(stdout, errors);
    } finally {
      Files.deleteIfExists(stderr);
    }
  }

  /** The child: performs each action in order ({@code quiet}, {@code session}). */
  public static final class Main {
    private Main() {}

    /**
     * Entry point of the child JVM.
     *
     * @param actions {@code quiet} calls {@link TensorFlowLogs#quiet()} and prints its result;
     *     {@code session} runs one op in a new session
     */
    public static void main(String[] actions) {
      for (String action : actions) {
        if (action.equals("quiet")) {
          System.out.println("result " + TensorFlowLogs.quiet());
        } else {
          try (Graph graph = new Graph()) {
            Ops tf = Ops.create(graph);
            var sum = tf.math.add(tf.constant(1f), tf.constant(2f));
            try (Session session = new Session(graph);
                var fetched = session.runner().fetch(sum).run()) {
              System.out.println("session ran: " + ((TFloat32) fetched.get(0)).getFloat());
            }
          }
        }
      }
    }
  }
}
