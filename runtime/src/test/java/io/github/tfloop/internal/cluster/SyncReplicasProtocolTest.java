package io.github.tfloop.internal.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tfloop.data.Column;
import io.github.tfloop.data.Dataset;
import io.github.tfloop.data.IntColumn;
import org.junit.jupiter.api.Test;
import org.tensorflow.exceptions.TensorFlowException;

/**
 * The parts of the synchronous protocol that need no cluster: shards, transient failures, tokens.
 */
class SyncReplicasProtocolTest {

  @Test
  void eachWorkerTrainsOnEveryNthExampleAndOnAsManyAsTheOthers() {
    Dataset data =
        Dataset.builder()
            .add("index", Column.of(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}))
            .build();
    int[][] shards = new int[3][];
    for (int worker = 0; worker < 3; worker++) {
      shards[worker] = ((IntColumn) ClusterFit.shard(data, 3, worker).column("index")).values();
    }
    assertArrayEquals(new int[] {0, 3, 6}, shards[0]);
    assertArrayEquals(new int[] {1, 4, 7}, shards[1]);
    assertArrayEquals(new int[] {2, 5, 8}, shards[2], "9 and 10 are left out: 3 each");
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> ClusterFit.shard(data.take(2), 3, 0));
    assertEquals(
        "training data has 2 examples, fewer than the 3 workers that share it", error.getMessage());
  }

  /** Messages TensorFlow gave for runs it aborted under load, and ones that are not transient. */
  @Test
  void abortedAndUnavailableRunsAreTransientOthersAreNot() {
    assertTrue(
        SyncReplicas.isTransient(
            new TensorFlowException(
                "\n=====\nCANCELLED: From"
                    + " /job:worker/replica:0/task:0:\nRecvFromRemoteAsync is cancelled.\nABORTED: From"
                    + " /job:ps/replica:0/task:0:\nThe same RunGraph (Worker) request was received twice.")));
    assertTrue(
        SyncReplicas.isTransient(
            new TensorFlowException(
                "The same RunGraph (Worker) request was received twice. step_id")));
    assertTrue(SyncReplicas.isTransient(new TensorFlowException("UNAVAILABLE: Socket closed")));
    assertFalse(SyncReplicas.isTransient(new TensorFlowException("Deadline Exceeded")));
    assertFalse(
        SyncReplicas.isTransient(
            new TensorFlowException("assertion failed: [tfloop:non-finite step <train>]")));
  }

  @Test
  void tokensOfEarlierRoundsArePassedOver() {
    assertTrue(new SyncReplicas.Token(5, 40).isFreshAfter(4));
    assertFalse(new SyncReplicas.Token(4, 39).isFreshAfter(4), "a token left over from round 4");
    assertTrue(new SyncReplicas.Token(4, SyncReplicas.STOP).isFreshAfter(4), "stop after round 4");
    assertFalse(
        new SyncReplicas.Token(3, SyncReplicas.STOP).isFreshAfter(4), "a stop of an earlier fit");
  }
}
