package io.github.tfloop.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A launcher killed outright (SIGKILL runs no shutdown hook) takes its cluster with it: the
 * parameter server and the worker it started stop on their own, instead of running on for hours.
 */
class LocalClusterOrphanTest {

  /** A worker that runs until it is stopped. */
  public static final class Idle {
    public static void main(String[] args) throws InterruptedException {
      System.out.println("worker running");
      Thread.sleep(Long.MAX_VALUE);
    }
  }

  @Test
  void killingTheLauncherStopsEveryProcessItStarted() throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process launcher =
        new ProcessBuilder(
                java.toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-Xmx128m",
                "-cp",
                System.getProperty("java.class.path"),
                LocalCluster.class.getName(),
                "--workers",
                "1",
                "--ps",
                "1",
                "--jvm",
                "-Xmx128m",
                "--",
                Idle.class.getName())
            .redirectErrorStream(true)
            .start();
    try {
      BufferedReader output =
          new BufferedReader(
              new InputStreamReader(launcher.getInputStream(), StandardCharsets.UTF_8));
      for (String line = output.readLine(); ; line = output.readLine()) {
        assertTrue(line != null, "the launcher ended before its worker ran");
        if (line.contains("[worker 0] worker running")) {
          break;
        }
      }
      List<ProcessHandle> children = launcher.toHandle().children().toList();
      assertEquals(2, children.size(), "a parameter server and a worker: " + children);

      launcher.destroyForcibly().waitFor(30, TimeUnit.SECONDS);

      for (ProcessHandle child : children) {
        boolean ended =
            child
                .onExit()
                .thenApply(handle -> true)
                .completeOnTimeout(false, 60, TimeUnit.SECONDS)
                .get();
        assertTrue(
            ended,
            "process "
                + child.pid()
                + " ("
                + child.info().arguments().map(a -> a[a.length - 1]).orElse("?")
                + ") still running after its launcher was killed");
      }
    } finally {
      launcher.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
      launcher.destroyForcibly();
    }
  }
}
