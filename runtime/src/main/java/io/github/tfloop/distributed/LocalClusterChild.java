package io.github.tfloop.distributed;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Optional;

/**
 * What a {@link LocalCluster} process starts with: it watches the launcher's process and exits when
 * the launcher is gone, however it ended (a SIGKILL runs no shutdown hook that could stop the
 * children), then runs the task's main class. Its exit runs the JVM's shutdown hooks, so a worker
 * still writes its final checkpoint.
 *
 * <pre>
 * java ... io.github.tfloop.distributed.LocalClusterChild LAUNCHER_PID MAIN_CLASS [ARGUMENT]...
 * </pre>
 */
public final class LocalClusterChild {

  /** The exit status of a process whose launcher is gone: 128 + SIGHUP, as a hung-up terminal. */
  static final int LAUNCHER_GONE = 129;

  private LocalClusterChild() {}

  /**
   * Watches the launcher, then runs {@code MAIN_CLASS}'s {@code main} with the remaining arguments.
   */
  public static void main(String[] args) throws Throwable {
    if (args.length < 2) {
      throw new IllegalArgumentException(
          "usage: LocalClusterChild LAUNCHER_PID MAIN_CLASS [ARGUMENT]...");
    }
    long launcher = Long.parseLong(args[0]);
    Optional<ProcessHandle> handle = ProcessHandle.of(launcher);
    if (handle.isEmpty()) {
      exitWithoutLauncher(launcher);
    }
    handle.get().onExit().thenRun(() -> exitWithoutLauncher(launcher));
    Method main = Class.forName(args[1]).getMethod("main", String[].class);
    try {
      main.invoke(null, (Object) Arrays.copyOfRange(args, 2, args.length));
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  private static void exitWithoutLauncher(long launcher) {
    System.err.println(
        "local cluster: the launcher (pid " + launcher + ") is gone; this process stops too");
    System.exit(LAUNCHER_GONE);
  }
}
