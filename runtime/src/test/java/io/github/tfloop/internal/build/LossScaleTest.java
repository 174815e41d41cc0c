package io.github.tfloop.internal.build;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.tfloop.graph.VariableStore;
import io.github.tfloop.graph.VariableStore.Kind;
import io.github.tfloop.graph.VariableStore.Variable;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * Dynamic loss scaling against the rules Keras documents for {@code LossScaleOptimizer} (Keras 3,
 * {@code keras/src/optimizers/loss_scale_optimizer.py}): "if a nonfinite gradient is encountered,
 * the loss scale is halved, and the train step is skipped"; "after every {@code
 * dynamic_growth_steps} steps with finite gradients, the loss scale is doubled"; finite gradients
 * are divided by the scale before they are applied. Overflows are forced by feeding infinite and
 * NaN gradients; the scale starts at 8 and grows after 3 good steps.
 */
class LossScaleTest {

  /** A one-variable graph whose step applies {@code w -= gradient / scale} under loss scaling. */
  private static final class Harness implements AutoCloseable {
    final Graph graph = new Graph();
    final Session session;
    final Placeholder<TFloat32> scaledGradient;
    final Placeholder<TFloat32> loss;
    final Operand<TFloat32> scaledLoss;
    final Op step;
    final Variable<TFloat32> weight;
    final LossScale lossScale;
    final Variable<?> scale;
    final Variable<?> goodSteps;

    Harness() {
      Ops tf = Ops.create(graph);
      VariableStore store = new VariableStore(tf);
      weight =
          store.create(
              "w", "m", Kind.TRAINABLE, TFloat32.class, Shape.of(2), tf.constant(new float[2]));
      lossScale = LossScale.create(tf, store, "train", 8, 3);
      scale = store.find("train/loss_scale");
      goodSteps = store.find("train/loss_scale_good_steps");
      scaledGradient = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(2)));
      loss = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
      scaledLoss = lossScale.scale(tf, loss);
      Operand<TBool> finite = lossScale.allFinite(tf, List.of(scaledGradient));
      Operand<?> unscaled = lossScale.unscale(tf, List.of(scaledGradient)).get(0);
      @SuppressWarnings("unchecked")
      Operand<TFloat32> gated = (Operand<TFloat32>) lossScale.gate(tf, unscaled, finite);
      Op apply = tf.assignSubVariableOp(weight.handle(), gated);
      step = lossScale.done(tf, apply, lossScale.update(tf, finite), finite);
      List<Op> initializers = new ArrayList<>();
      store.all().forEach(variable -> initializers.add(variable.initializer()));
      session = new Session(graph);
      initializers.forEach(session::run);
    }

    /** One step on the scaled gradient {@code gradient}. */
    void step(float... gradient) {
      try (TFloat32 fed = TFloat32.vectorOf(gradient)) {
        session.runner().feed(scaledGradient, fed).addTarget(step).run();
      }
    }

    float[] weight() {
      try (Result result = session.runner().fetch(weight.read()).run()) {
        float[] values = new float[2];
        ((TFloat32) result.get(0)).asRawTensor().data().asFloats().read(values);
        return values;
      }
    }

    float scale() {
      try (Result result = session.runner().fetch(scale.read()).run()) {
        return ((TFloat32) result.get(0)).getFloat();
      }
    }

    long goodSteps() {
      try (Result result = session.runner().fetch(goodSteps.read()).run()) {
        return ((TInt64) result.get(0)).getLong();
      }
    }

    float scaledLoss(float value) {
      try (TFloat32 fed = TFloat32.scalarOf(value);
          Result result = session.runner().feed(loss, fed).fetch(scaledLoss).run()) {
        return ((TFloat32) result.get(0)).getFloat();
      }
    }

    @Override
    public void close() {
      session.close();
      graph.close();
    }
  }

  @Test
  void scalesTheLossByTheCurrentScale() {
    try (Harness harness = new Harness()) {
      assertEquals(8f, harness.scale());
      assertEquals(24f, harness.scaledLoss(3f));
      harness.step(Float.NaN, 0);
      assertEquals(12f, harness.scaledLoss(3f));
    }
  }

  @Test
  void finiteGradientsAreUnscaledAppliedAndCounted() {
    try (Harness harness = new Harness()) {
      harness.step(8, 16);
      assertArrayEquals(new float[] {-1, -2}, harness.weight());
      assertEquals(8f, harness.scale());
      assertEquals(1, harness.goodSteps());
      harness.step(16, 8);
      assertArrayEquals(new float[] {-3, -3}, harness.weight());
      assertEquals(2, harness.goodSteps());
    }
  }

  @Test
  void theScaleDoublesOnTheGrowthStepsThGoodStepInARow() {
    try (Harness harness = new Harness()) {
      harness.step(8, 8);
      harness.step(8, 8);
      assertEquals(8f, harness.scale());
      // the third good step in a row: applied, unscaled by the scale it started with, then 16
      harness.step(8, 8);
      assertArrayEquals(new float[] {-3, -3}, harness.weight());
      assertEquals(16f, harness.scale());
      assertEquals(0, harness.goodSteps());
      harness.step(16, 16);
      assertArrayEquals(new float[] {-4, -4}, harness.weight());
      assertEquals(1, harness.goodSteps());
    }
  }

  @Test
  void aNonFiniteGradientSkipsTheStepHalvesTheScaleAndRestartsTheCount() {
    try (Harness harness = new Harness()) {
      harness.step(8, 8);
      harness.step(8, 8);
      assertEquals(2, harness.goodSteps());
      harness.step(Float.POSITIVE_INFINITY, 8);
      assertArrayEquals(new float[] {-2, -2}, harness.weight(), "the overflowing step is skipped");
      assertEquals(4f, harness.scale());
      assertEquals(0, harness.goodSteps());
      harness.step(1, Float.NaN);
      assertArrayEquals(new float[] {-2, -2}, harness.weight());
      assertEquals(2f, harness.scale());
      harness.step(Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY);
      assertEquals(1f, harness.scale());
      // finite again: unscaled by the halved scale; three good steps to double it again
      harness.step(1, 3);
      assertArrayEquals(new float[] {-3, -5}, harness.weight());
      harness.step(0, 0);
      harness.step(0, 0);
      assertEquals(2f, harness.scale());
    }
  }

  @Test
  void aSkippedStepInterruptsTheRunOfGoodSteps() {
    try (Harness harness = new Harness()) {
      harness.step(8, 8);
      harness.step(8, 8);
      harness.step(Float.NaN, 8);
      harness.step(4, 4);
      harness.step(4, 4);
      assertEquals(4f, harness.scale(), "two good steps since the overflow: not yet grown");
      assertEquals(2, harness.goodSteps());
      harness.step(4, 4);
      assertEquals(8f, harness.scale());
    }
  }
}
