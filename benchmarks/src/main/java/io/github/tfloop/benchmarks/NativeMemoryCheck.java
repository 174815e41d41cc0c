package io.github.tfloop.benchmarks;

import io.github.tfloop.train.LoopOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Native memory stays flat: trains the MLP at batch 32 with the generated {@code step()} (which
 * fetches the loss, so TensorFlow hands a new output tensor to Java every step) and compares the
 * process's resident memory after {@code 200,000} steps with that after {@code 20,000}. Exits with
 * status 1 if it grew by more than 5%. Run with a fixed heap ({@code -Xms} = {@code -Xmx}, {@code
 * -XX:+AlwaysPreTouch}) so that the Java heap's growth is not counted: {@code java ...
 * NativeMemoryCheck [first] [last]}.
 */
public final class NativeMemoryCheck {

  private NativeMemoryCheck() {}

  public static void main(String[] args) throws IOException {
    int first = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    int last = args.length > 1 ? Integer.parseInt(args[1]) : 200_000;
    TrainingData data = TrainingData.batches(32, TrainingStepBenchmark.BATCHES);
    long atFirst = 0;
    long started = System.nanoTime();
    try (MlpLoop loop = MlpLoop.create(new Mlp(), LoopOptions.defaults())) {
      for (int step = 1; step <= last; step++) {
        int batch = step % data.count();
        loop.step(data.images(batch), data.labels(batch));
        if (step == first) {
          atFirst = residentKilobytes();
          report(step, atFirst, started);
        } else if (step % 20_000 == 0) {
          report(step, residentKilobytes(), started);
        }
      }
      long atLast = residentKilobytes();
      double growth = 100.0 * (atLast - atFirst) / atFirst;
      System.out.printf(
          Locale.ROOT,
          "resident memory after %,d steps: %,d KB; after %,d steps: %,d KB; growth %.2f%%%n",
          first,
          atFirst,
          last,
          atLast,
          growth);
      if (growth > 5) {
        System.out.println("FAILED: native memory grew by more than 5%");
        System.exit(1);
      }
    }
  }

  private static void report(int step, long kilobytes, long started) {
    System.out.printf(
        Locale.ROOT,
        "step %,9d  resident %,9d KB  %.0f s%n",
        step,
        kilobytes,
        (System.nanoTime() - started) / 1e9);
  }

  /** {@code VmRSS} of this process, from {@code /proc/self/status} (Linux). */
  static long residentKilobytes() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    throw new IOException("/proc/self/status has no VmRSS line");
  }
}
