package io.github.tfloop.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.tfloop.graph.VariableStore;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;

/**
 * Each metric accumulated in the graph over three batches of different sizes, against the same
 * metric computed here from the same predictions in one pass.
 */
class MetricsTest {

  private static final int[] BATCHES = {40, 25, 35};
  private static final int N = 100;
  private static final int CLASSES = 4;

  /** Runs {@code metric} over the data, batch by batch, and returns its result; then resets. */
  private static double inGraph(
      Metric metric, float[] predictions, Shape exampleShape, float[] labels, Shape labelShape) {
    try (Graph graph = new Graph();
        Session session = new Session(graph)) {
      Ops tf = Ops.create(graph);
      VariableStore store = new VariableStore(tf);
      Placeholder<TFloat32> p =
          tf.placeholder(TFloat32.class, Placeholder.shape(batchOf(exampleShape)));
      Placeholder<TFloat32> y =
          tf.placeholder(TFloat32.class, Placeholder.shape(batchOf(labelShape)));
      MetricState state = metric.build(new MetricContext(tf, store, "test"), p, y);
      List<Op> initializers = new ArrayList<>();
      store.all().forEach(variable -> initializers.add(variable.initializer()));
      session.run(tf.withControlDependencies(initializers).noOp());
      int perPrediction = (int) Math.max(1, exampleShape.size());
      int perLabel = (int) Math.max(1, labelShape.size());
      int from = 0;
      for (int size : BATCHES) {
        try (TFloat32 batchP = slice(predictions, from, size, perPrediction, exampleShape);
            TFloat32 batchY = slice(labels, from, size, perLabel, labelShape)) {
          session.runner().feed(p, batchP).feed(y, batchY).addTarget(state.update()).run().close();
        }
        from += size;
      }
      double result = read(session, state);
      session.run(state.reset());
      assertEquals(0.0, read(session, state), 0.0, metric.name() + " after reset");
      return result;
    }
  }

  private static double read(Session session, MetricState state) {
    try (Result result = session.runner().fetch(state.result()).run()) {
      return ((TFloat64) result.get(0)).getDouble();
    }
  }

  private static Shape batchOf(Shape example) {
    return Shape.of(-1).append(example);
  }

  private static TFloat32 slice(float[] values, int from, int size, int per, Shape example) {
    TFloat32 tensor = TFloat32.tensorOf(Shape.of(size).append(example));
    float[] part = java.util.Arrays.copyOfRange(values, from * per, (from + size) * per);
    tensor.asRawTensor().data().asFloats().write(part);
    return tensor;
  }

  private static float[] randomLogits(long seed, int count) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] values = new float[count];
    for (int i = 0; i < count; i++) {
      values[i] = (float) random.nextGaussian() * 2;
    }
    return values;
  }

  /** Binary labels correlated with the logits, so the metrics are far from trivial. */
  private static float[] labelsFor(float[] logits, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] labels = new float[logits.length];
    for (int i = 0; i < logits.length; i++) {
      double probability = 1 / (1 + Math.exp(-logits[i]));
      labels[i] = random.nextDouble() < 0.3 + 0.4 * probability ? 1 : 0;
    }
    return labels;
  }

  @Test
  void sparseCategoricalAccuracy() {
    float[] logits = randomLogits(1, N * CLASSES);
    SplittableRandom random = new SplittableRandom(2);
    float[] labels = new float[N];
    int correct = 0;
    for (int i = 0; i < N; i++) {
      int best = argMax(logits, i * CLASSES, CLASSES);
      labels[i] = random.nextDouble() < 0.6 ? best : random.nextInt(CLASSES);
      correct += labels[i] == best ? 1 : 0;
    }
    assertEquals(
        correct / (double) N,
        inGraph(Metrics.accuracy(), logits, Shape.of(CLASSES), labels, Shape.scalar()),
        1e-12);
  }

  @Test
  void categoricalAccuracy() {
    float[] logits = randomLogits(3, N * CLASSES);
    float[] oneHot = new float[N * CLASSES];
    SplittableRandom random = new SplittableRandom(4);
    int correct = 0;
    for (int i = 0; i < N; i++) {
      int label = random.nextInt(CLASSES);
      oneHot[i * CLASSES + label] = 1;
      correct += argMax(logits, i * CLASSES, CLASSES) == label ? 1 : 0;
    }
    assertEquals(
        correct / (double) N,
        inGraph(
            Metrics.categoricalAccuracy(), logits, Shape.of(CLASSES), oneHot, Shape.of(CLASSES)),
        1e-12);
  }

  private static int argMax(float[] values, int from, int length) {
    int best = 0;
    for (int i = 1; i < length; i++) {
      if (values[from + i] > values[from + best]) {
        best = i;
      }
    }
    return best;
  }

  private record Counts(int tp, int fp, int tn, int fn) {}

  private static Counts counts(float[] logits, float[] labels, double threshold) {
    int tp = 0;
    int fp = 0;
    int tn = 0;
    int fn = 0;
    for (int i = 0; i < logits.length; i++) {
      boolean predicted = logits[i] > threshold;
      boolean actual = labels[i] == 1;
      if (predicted && actual) {
        tp++;
      } else if (predicted) {
        fp++;
      } else if (actual) {
        fn++;
      } else {
        tn++;
      }
    }
    return new Counts(tp, fp, tn, fn);
  }

  @Test
  void binaryMetricsFromLogits() {
    float[] logits = randomLogits(5, N);
    float[] labels = labelsFor(logits, 6);
    Counts c = counts(logits, labels, 0);
    double precision = c.tp() / (double) (c.tp() + c.fp());
    double recall = c.tp() / (double) (c.tp() + c.fn());
    Shape one = Shape.of(1);
    assertEquals(
        (c.tp() + c.tn()) / (double) N,
        inGraph(Metrics.binaryAccuracy(true), logits, one, labels, one),
        1e-12);
    assertEquals(precision, inGraph(Metrics.precision(true), logits, one, labels, one), 1e-12);
    assertEquals(recall, inGraph(Metrics.recall(true), logits, one, labels, one), 1e-12);
    assertEquals(
        2 * precision * recall / (precision + recall),
        inGraph(Metrics.f1(true), logits, one, labels, one),
        1e-12);
  }

  @Test
  void binaryMetricsFromProbabilities() {
    float[] logits = randomLogits(7, N);
    float[] probabilities = new float[N];
    for (int i = 0; i < N; i++) {
      probabilities[i] = (float) (1 / (1 + Math.exp(-logits[i])));
    }
    float[] labels = labelsFor(logits, 8);
    Counts c = counts(probabilities, labels, 0.5);
    assertEquals(
        c.tp() / (double) (c.tp() + c.fp()),
        inGraph(Metrics.precision(false), probabilities, Shape.scalar(), labels, Shape.scalar()),
        1e-12);
  }

  @Test
  void aucMatchesTheExactAreaUnderTheCurve() {
    float[] logits = randomLogits(9, N);
    float[] labels = labelsFor(logits, 10);
    // exact ROC AUC: the probability that a random positive outscores a random negative
    double wins = 0;
    int pairs = 0;
    for (int i = 0; i < N; i++) {
      for (int j = 0; j < N; j++) {
        if (labels[i] == 1 && labels[j] == 0) {
          pairs++;
          wins += logits[i] > logits[j] ? 1 : logits[i] == logits[j] ? 0.5 : 0;
        }
      }
    }
    double exact = wins / pairs;
    Shape one = Shape.of(1);
    assertEquals(exact, inGraph(Metrics.auc(true, 2000), logits, one, labels, one), 0.002);
    assertEquals(exact, inGraph(Metrics.auc(true), logits, one, labels, one), 0.02);
  }

  @Test
  void regressionErrors() {
    float[] predictions = randomLogits(11, N * 2);
    float[] targets = randomLogits(12, N * 2);
    double absolute = 0;
    double squared = 0;
    for (int i = 0; i < predictions.length; i++) {
      double error = (double) predictions[i] - targets[i];
      absolute += Math.abs(error);
      squared += error * error;
    }
    Shape two = Shape.of(2);
    assertEquals(
        absolute / predictions.length,
        inGraph(Metrics.meanAbsoluteError(), predictions, two, targets, two),
        1e-9);
    assertEquals(
        Math.sqrt(squared / predictions.length),
        inGraph(Metrics.rootMeanSquaredError(), predictions, two, targets, two),
        1e-9);
  }

  @Test
  void binaryMetricsRejectSeveralOutputsPerExample() {
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      MetricContext context = new MetricContext(tf, new VariableStore(tf), "test");
      IllegalArgumentException error =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  Metrics.precision(true)
                      .build(
                          context,
                          tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 10))),
                          tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)))));
      assertEquals(
          "precision needs one prediction and one 0/1 label per example ([batch] or"
              + " [batch, 1]), got predictions [-1, 10] and labels [-1]",
          error.getMessage());
    }
  }
}
