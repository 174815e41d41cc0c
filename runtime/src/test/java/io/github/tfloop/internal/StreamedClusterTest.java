package io.github.tfloop.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tfloop.distributed.LocalCluster;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SyncReplicasTest}'s exact case on streamed data: two workers, each reading its shard of
 * the same IDX files (every other example, as the in-memory shards), take the steps of one process
 * on the whole batch.
 */
class StreamedClusterTest {

  @Test
  void twoWorkersStreamingTheirShardsTakeTheStepsOfOneProcess(@TempDir Path directory)
      throws Exception {
    float[] expected;
    try (Trainer single =
        Regression.sgd(ClusterRegression.options().build(), ClusterRegression.LEARNING_RATE)) {
      single.fit(ClusterRegression.data(), null);
      expected = Regression.weights(single);
    }
    ClusterRegression.writeIdx(directory);
    ConcurrentLinkedQueue<String> output = new ConcurrentLinkedQueue<>();
    try (LocalCluster cluster =
        LocalCluster.builder()
            .parameterServers(1)
            .workers(2)
            .javaOption("-Xmx256m")
            .javaOption("-XX:+UseSerialGC")
            .javaOption("-XX:TieredStopAtLevel=1")
            .mainClass(ClusterRegression.class.getName())
            .arguments(directory.toString(), "exact-streamed", "60")
            .output((task, line) -> output.add("[" + task + "] " + line))
            .start()) {
      assertTrue(cluster.awaitWorkers(Duration.ofMinutes(2)), "workers still running: " + output);
      assertEquals(0, cluster.awaitWorkers(), "a worker failed: " + String.join("\n", output));
    }
    try (DataInputStream chief = open(directory, 0);
        DataInputStream worker = open(directory, 1)) {
      assertEquals(ClusterRegression.EPOCHS, chief.readLong(), "one global step per batch");
      assertEquals(ClusterRegression.EPOCHS, chief.readInt());
      assertEquals(ClusterRegression.EPOCHS, worker.readLong());
      worker.readInt();
      float[] chiefWeights = readFloats(chief, expected.length);
      float[] workerWeights = readFloats(worker, expected.length);
      assertArrayEquals(chiefWeights, workerWeights, 0f, "both read the parameter server");
      assertArrayEquals(expected, chiefWeights, 1e-5f, "the steps of one process");
    }
  }

  private static DataInputStream open(Path directory, int worker) throws IOException {
    return new DataInputStream(Files.newInputStream(directory.resolve("worker-" + worker)));
  }

  private static float[] readFloats(DataInputStream in, int count) throws IOException {
    float[] values = new float[count];
    for (int i = 0; i < count; i++) {
      values[i] = in.readFloat();
    }
    return values;
  }
}
