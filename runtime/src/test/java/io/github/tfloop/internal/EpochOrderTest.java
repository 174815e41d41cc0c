package io.github.tfloop.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.github.tfloop.data.Dataset;
import io.github.tfloop.internal.fit.FitLoop;
import io.github.tfloop.train.LoopOptions;
import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Every epoch visits the examples in a new order that the seed alone decides. */
class EpochOrderTest {

  private static int[][] orders(long seed, int epochs) {
    int[] order = IntStream.range(0, 100).toArray();
    int[][] orders = new int[epochs][];
    for (int epoch = 1; epoch <= epochs; epoch++) {
      FitLoop.shuffleForEpoch(order, seed, epoch);
      orders[epoch - 1] = order.clone();
    }
    return orders;
  }

  @Test
  void eachEpochIsANewPermutationDecidedByTheSeed() {
    int[][] orders = orders(42, 3);
    for (int[] order : orders) {
      int[] sorted = order.clone();
      Arrays.sort(sorted);
      assertArrayEquals(IntStream.range(0, 100).toArray(), sorted, "a permutation");
    }
    assertFalse(Arrays.equals(orders[0], orders[1]), "epoch 2 is shuffled anew");
    assertFalse(Arrays.equals(orders[1], orders[2]), "epoch 3 is shuffled anew");
    int[][] again = orders(42, 3);
    for (int epoch = 0; epoch < 3; epoch++) {
      assertArrayEquals(orders[epoch], again[epoch], "the same seed, the same orders");
    }
    assertFalse(Arrays.equals(orders[0], orders(43, 1)[0]), "another seed, another order");
  }

  @Test
  void shufflingChangesWhatSgdLearnsAndTheSeedRepeatsIt() {
    Dataset data = LoopEngineTest.line(64, 3);
    float[] shuffled = trainedPredictions(LoopOptions.builder().epochs(3).build(), data);
    float[] again = trainedPredictions(LoopOptions.builder().epochs(3).build(), data);
    float[] inOrder =
        trainedPredictions(LoopOptions.builder().epochs(3).shuffle(false).build(), data);
    assertArrayEquals(shuffled, again, 0f);
    assertFalse(Arrays.equals(shuffled, inOrder), "the batches' order reaches the weights");
  }

  private static float[] trainedPredictions(LoopOptions options, Dataset data) {
    try (Trainer engine = LoopEngineTest.regression(options)) {
      engine.fit(data, null);
      return engine.predictFloats(
          Dataset.builder().add(LoopEngineTest.X, new float[] {-0.5f, 0.25f}).build());
    }
  }
}
