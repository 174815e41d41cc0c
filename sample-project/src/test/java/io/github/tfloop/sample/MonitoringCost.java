package io.github.tfloop.sample;

import io.github.tfloop.checkpoint.CheckpointPolicy;
import io.github.tfloop.checkpoint.CheckpointStore;
import io.github.tfloop.data.Dataset;
import io.github.tfloop.monitor.TensorBoard;
import io.github.tfloop.train.FitControl;
import io.github.tfloop.train.History;
import io.github.tfloop.train.LoopOptions;
import io.github.tfloop.train.NonFinite;
import io.github.tfloop.train.TrainingListener;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Measures what monitoring and checkpoints cost on FashionMlp (bundled subset, 6,000 images, 187
 * steps an epoch): epoch time with the non-finite check off, stopping and skipping; heap bytes
 * allocated per steady-state step with the check, checkpoints and TensorBoard configured; and the
 * time to write and to restore one checkpoint. Not a test: run it by hand (see the report of the
 * monitoring issue for the command).
 */
public final class MonitoringCost {

  private MonitoringCost() {}

  public static void main(String[] args) throws IOException {
    Dataset train = FashionMnist.bundled().train();
    int rounds = 3;
    for (int round = 1; round <= rounds; round++) {
      for (NonFinite policy : NonFinite.values()) {
        LoopOptions options = LoopOptions.builder().epochs(3).nonFinite(policy).build();
        try (FashionMlpLoop loop = FashionMlpLoop.create(new FashionMlp(), options)) {
          History history = loop.fit(train);
          long best = Long.MAX_VALUE;
          for (var epoch : history.epochs()) {
            best = Math.min(best, epoch.duration().toNanos());
          }
          System.out.printf(
              Locale.ROOT,
              "round %d  nonFinite=%-4s  best epoch %.1f ms  (%.1f us/step)%n",
              round,
              policy,
              best / 1e6,
              best / 1e3 / 187);
        }
      }
    }

    Path directory = Files.createTempDirectory("monitoring-cost");
    AllocationProbe probe = new AllocationProbe();
    LoopOptions monitored =
        LoopOptions.builder()
            .epochs(1)
            .checkpoints(CheckpointPolicy.in(directory.resolve("checkpoints")).everySteps(1000))
            .listener(TensorBoard.to(directory.resolve("runs")).everySteps(1000))
            .listener(probe)
            .build();
    try (FashionMlpLoop loop = FashionMlpLoop.create(new FashionMlp(), monitored)) {
      loop.fit(train);
      System.out.printf(
          Locale.ROOT,
          "allocated per step (batches 20..180, check + checkpoint policy + TensorBoard): %.1f bytes%n",
          probe.bytesPerStep());

      CheckpointStore store = CheckpointStore.open(directory.resolve("checkpoints"));
      Path newest = store.checkpoints().get(store.checkpoints().size() - 1);
      long size;
      try (var files = Files.list(newest)) {
        size = files.mapToLong(file -> file.toFile().length()).sum();
      }
      System.out.printf(Locale.ROOT, "checkpoint %s: %.2f MB%n", newest.getFileName(), size / 1e6);
    }
    for (int i = 0; i < 3; i++) {
      Path checkpoints = directory.resolve("timed-" + i);
      LoopOptions saving =
          LoopOptions.builder()
              .epochs(1)
              .checkpoints(CheckpointPolicy.in(checkpoints).everySteps(17).keepLast(3))
              .build();
      long started = System.nanoTime();
      try (FashionMlpLoop loop = FashionMlpLoop.create(new FashionMlp(), saving)) {
        loop.fit(train);
      }
      long withCheckpoints = System.nanoTime() - started;
      started = System.nanoTime();
      try (FashionMlpLoop loop =
          FashionMlpLoop.create(new FashionMlp(), LoopOptions.builder().epochs(1).build())) {
        loop.fit(train);
      }
      long without = System.nanoTime() - started;
      // 187 steps: saves at 17, 34, ..., 187 (11), the epoch's and the end's coincide with 187
      System.out.printf(
          Locale.ROOT,
          "11 checkpoints in an epoch: +%.1f ms, %.1f ms each%n",
          (withCheckpoints - without) / 1e6,
          (withCheckpoints - without) / 1e6 / 11);
      started = System.nanoTime();
      try (FashionMlpLoop loop =
          FashionMlpLoop.create(
              new FashionMlp(),
              LoopOptions.builder()
                  .epochs(1)
                  .checkpoints(CheckpointPolicy.in(checkpoints))
                  .build())) {
        long created = System.nanoTime();
        loop.resume(train);
        System.out.printf(
            Locale.ROOT,
            "resume of a finished fit (verify + restore): %.1f ms%n",
            (System.nanoTime() - created) / 1e6);
      }
    }
  }

  /** Heap bytes the training thread allocates between two batches of the first epoch. */
  static final class AllocationProbe implements TrainingListener {
    private final com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private long first;
    private long last;

    @Override
    public void onBatchEnd(FitControl control, int epoch, int batch) {
      if (batch == 20) {
        first = threads.getCurrentThreadAllocatedBytes();
      } else if (batch == 180) {
        last = threads.getCurrentThreadAllocatedBytes();
      }
    }

    double bytesPerStep() {
      return (last - first) / 160.0;
    }
  }
}
