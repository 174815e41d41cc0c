package io.github.tfloop.internal;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A small tmpfs file system mounted for one test: a real disk that fills up ({@code ENOSPC}) or
 * turns read-only ({@code EROFS}), for TensorFlow's native writes and Java's alike. Mounting needs
 * root (or {@code CAP_SYS_ADMIN}) on Linux; where it is not allowed, the test is skipped through a
 * JUnit assumption that says why.
 */
final class Tmpfs implements AutoCloseable {

  private final Path mountPoint;

  private Tmpfs(Path mountPoint) {
    this.mountPoint = mountPoint;
  }

  /** Mounts a tmpfs of {@code size} (such as {@code 512k}) on the empty directory {@code at}. */
  static Tmpfs mount(Path at, String size) throws IOException, InterruptedException {
    assumeTrue(
        System.getProperty("os.name").startsWith("Linux"),
        "a tmpfs is mounted only on Linux, not " + System.getProperty("os.name"));
    Files.createDirectories(at);
    Result result = run("mount", "-t", "tmpfs", "-o", "size=" + size + ",mode=0755", "tmpfs", at);
    assumeTrue(
        result.exitCode == 0,
        "cannot mount a tmpfs here (needs root or CAP_SYS_ADMIN): " + result.output.strip());
    return new Tmpfs(at);
  }

  Path root() {
    return mountPoint;
  }

  /** Makes the file system read-only: every write fails with {@code EROFS}, root's too. */
  void remountReadOnly() throws IOException, InterruptedException {
    Result result = run("mount", "-o", "remount,ro", mountPoint);
    if (result.exitCode != 0) {
      throw new IOException("cannot remount " + mountPoint + " read-only: " + result.output);
    }
  }

  /** Fills the file system with {@code file} until a write fails: no byte is left. */
  long fill(Path file) throws IOException {
    long written = 0;
    byte[] block = new byte[4096];
    try (OutputStream out = Files.newOutputStream(file)) {
      while (true) {
        out.write(block);
        written += block.length;
      }
    } catch (IOException full) {
      if (!String.valueOf(full.getMessage()).contains("No space left")) {
        throw full;
      }
    }
    // a partial block may have been buffered away: write byte by byte until nothing fits
    try (OutputStream out = Files.newOutputStream(file, java.nio.file.StandardOpenOption.APPEND)) {
      while (true) {
        out.write(0);
        out.flush();
        written++;
      }
    } catch (IOException full) {
      // full now
    }
    return written;
  }

  @Override
  public void close() throws IOException, InterruptedException {
    Result result = run("umount", mountPoint);
    if (result.exitCode != 0) {
      result = run("umount", "-l", mountPoint);
      if (result.exitCode != 0) {
        throw new IOException("cannot unmount " + mountPoint + ": " + result.output);
      }
    }
  }

  private record Result(int exitCode, String output) {}

  private static Result run(Object... command) throws IOException, InterruptedException {
    List<String> words = java.util.Arrays.stream(command).map(String::valueOf).toList();
    Process process;
    try {
      process = new ProcessBuilder(words).redirectErrorStream(true).start();
    } catch (IOException e) {
      return new Result(-1, words.get(0) + " cannot be run: " + e.getMessage());
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      return new Result(-1, String.join(" ", words) + " did not finish in 30 s");
    }
    return new Result(process.exitValue(), output);
  }
}
