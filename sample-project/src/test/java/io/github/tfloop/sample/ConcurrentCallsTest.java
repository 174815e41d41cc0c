package io.github.tfloop.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No public call of a generated loop, from any thread, in any order, crashes the JVM: {@link
 * ConcurrentCalls} runs four threads of random calls on shared loops in a child JVM, which must end
 * normally, with only documented exceptions and no {@code hs_err_pid*.log}.
 */
class ConcurrentCallsTest {

  private static final int SECONDS = 20;

  @Test
  void randomCallsFromFourThreadsNeverCrashTheJvm(@TempDir Path directory) throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Path output = directory.resolve("child.log");
    ProcessBuilder builder =
        new ProcessBuilder(
            java.toString(),
            "--enable-native-access=ALL-UNNAMED",
            "-Xmx512m",
            "-XX:ErrorFile=" + directory.resolve("hs_err_pid%p.log"),
            "-cp",
            System.getProperty("java.class.path"),
            ConcurrentCalls.class.getName(),
            Integer.toString(SECONDS),
            "7");
    builder.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
    builder.redirectErrorStream(true).redirectOutput(output.toFile());
    Process child = builder.start();
    boolean ended = child.waitFor(SECONDS + 60, TimeUnit.SECONDS);
    if (!ended) {
      child.destroyForcibly();
    }
    String log = Files.readString(output, StandardCharsets.UTF_8);
    System.out.println(
        log.lines().filter(line -> line.startsWith("outcomes")).findFirst().orElse(""));
    assertTrue(ended, "the child did not end in time:\n" + log);
    assertEquals(List.of(), crashLogs(directory), "the JVM crashed:\n" + log);
    assertEquals(0, child.exitValue(), "the child failed:\n" + log);
    assertTrue(log.contains("\ndone"), log);
    // The run exercised what it is for: calls refused while another ran, and closes mid-call.
    assertTrue(log.contains(": busy"), log);
    assertTrue(log.contains("close-in-listener: closed during the call"), log);
  }

  private static List<Path> crashLogs(Path directory) throws IOException {
    try (Stream<Path> files = Files.list(directory)) {
      return files.filter(file -> file.getFileName().toString().startsWith("hs_err")).toList();
    }
  }
}
