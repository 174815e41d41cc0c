package io.github.tfloop.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tfloop.data.DType;
import io.github.tfloop.data.Dataset;
import io.github.tfloop.data.InputSpec;
import io.github.tfloop.internal.Trainer;
import io.github.tfloop.internal.build.LoopBuilder;
import io.github.tfloop.internal.build.StepSpec;
import io.github.tfloop.loss.Losses;
import io.github.tfloop.metrics.Metrics;
import io.github.tfloop.optim.LearningRate;
import io.github.tfloop.optim.Optimizers;
import io.github.tfloop.train.History;
import io.github.tfloop.train.LoopOptions;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Sequence models trained end to end the way a generated loop trains them: declared through {@link
 * LoopBuilder} as a generated {@code create} method declares them, then {@code fit}.
 */
class SequenceTrainingTest {

  private static Trainer build(
      String name, int batchSize, LoopOptions options, Consumer<LoopBuilder> declare) {
    LoopBuilder loop = LoopBuilder.create(name, batchSize, 5L, options);
    try {
      declare.accept(loop);
      return Trainer.start(loop.build());
    } catch (RuntimeException e) {
      loop.abort();
      throw e;
    }
  }

  private static final int STEPS = 10;
  private static final InputSpec SERIES = InputSpec.feature("series", DType.FLOAT32, STEPS, 1);
  private static final InputSpec TOTAL = InputSpec.label("total", DType.FLOAT32, 1);

  /** Sequences of 10 values in [-1, 1] and a quarter of their sum, which the model must add up. */
  private static Dataset sums(int size, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] series = new float[size * STEPS];
    float[] total = new float[size];
    for (int i = 0; i < size; i++) {
      for (int t = 0; t < STEPS; t++) {
        series[i * STEPS + t] = (float) random.nextDouble(-1, 1);
        total[i] += series[i * STEPS + t] / 4;
      }
    }
    return Dataset.builder().add(SERIES, series).add(TOTAL, total).build();
  }

  @ParameterizedTest
  @ValueSource(strings = {"lstm", "gru", "conv1d then lstm"})
  void aRecurrentModelLearnsToSumASequence(String model) {
    LoopOptions options = LoopOptions.builder().epochs(6).build();
    try (Trainer engine =
        build(
            "Summer",
            32,
            options,
            loop -> {
              Operand<TFloat32> series = loop.input(SERIES, TFloat32.class);
              Operand<TFloat32> total = loop.input(TOTAL, TFloat32.class);
              Layers nn = loop.layers("sum");
              Operand<TFloat32> summary =
                  switch (model) {
                    case "lstm" -> nn.lstm(series, 16);
                    case "gru" -> nn.gru(series, 16);
                    default -> nn.lstm(nn.conv1d(series, 8, 3, Activation.TANH), 16);
                  };
              Operand<TFloat32> prediction = loop.output("sum", nn.dense(summary, 1));
              loop.loss("loss", Losses.meanSquaredError(loop.ops(), prediction, total));
              loop.step(adam("loss", 0.01));
            })) {
      Dataset train = sums(1024, 1);
      Dataset validation = sums(256, 2);
      double before = engine.evaluate(validation).get("loss");
      History history = engine.fit(train, validation);
      double after = history.last().get("val_loss");
      assertTrue(before > 0.1, "the untrained model is off: " + before);
      assertTrue(after < 0.02 * before, "loss " + before + " -> " + after + ": " + history);
    }
  }

  private static final int TOKENS = 5;
  private static final int VOCABULARY = 8;
  private static final InputSpec SENTENCE = InputSpec.feature("sentence", DType.INT32, TOKENS);
  private static final InputSpec REPEATS = InputSpec.label("repeats", DType.INT32);

  /** Five tokens of eight, labelled 1 if some token occurs twice or more (about 3 in 5 are). */
  private static Dataset repeats(int size, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int[] sentences = new int[size * TOKENS];
    int[] labels = new int[size];
    for (int i = 0; i < size; i++) {
      boolean[] seen = new boolean[VOCABULARY];
      for (int t = 0; t < TOKENS; t++) {
        int token = random.nextInt(VOCABULARY);
        sentences[i * TOKENS + t] = token;
        labels[i] |= seen[token] ? 1 : 0;
        seen[token] = true;
      }
    }
    return Dataset.builder().add(SENTENCE, sentences).add(REPEATS, labels).build();
  }

  @Test
  void aSelfAttentionBlockLearnsToSpotARepeatedToken() {
    LoopOptions options = LoopOptions.builder().epochs(8).build();
    try (Trainer engine =
        build(
            "Repeats",
            32,
            options,
            loop -> {
              Operand<TInt32> sentence = loop.input(SENTENCE, TInt32.class);
              Operand<TInt32> repeats = loop.input(REPEATS, TInt32.class);
              Layers nn = loop.layers("logits");
              Operand<TFloat32> x = nn.embedding(sentence, VOCABULARY, 16);
              x = nn.layerNorm(nn.add(x, nn.multiHeadAttention(x, x, 2, 8)));
              Operand<TFloat32> pooled = nn.concatenate(nn.globalMaxPool(x), nn.globalAvgPool(x));
              Operand<TFloat32> logits =
                  loop.output("logits", nn.dense(nn.dense(pooled, 32, Activation.RELU), 2));
              loop.loss("loss", Losses.sparseCategoricalCrossentropy(loop.ops(), logits, repeats));
              loop.metric(Metrics.accuracy(), logits, repeats);
              loop.step(adam("loss", 0.01));
            })) {
      Dataset train = repeats(2048, 3);
      Dataset validation = repeats(512, 4);
      double before = engine.evaluate(validation).get("loss");
      History history = engine.fit(train, validation);
      assertTrue(
          history.last().get("val_loss") < 0.5 * before,
          "loss " + before + " -> " + history.last().get("val_loss") + ": " + history);
      assertTrue(history.last().get("val_accuracy") > 0.97, history.toString());
    }
  }

  private static StepSpec adam(String loss, double learningRate) {
    return StepSpec.named("train")
        .minimizing(loss)
        .optimizer(Optimizers.adam(0.9, 0.999, 1e-7))
        .learningRate(LearningRate.constant(learningRate));
  }
}
