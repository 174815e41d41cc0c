package io.github.tfloop.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.github.tfloop.graph.VariableStore;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gradients;
import org.tensorflow.types.TBfloat16;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TNumber;

/**
 * What mixed precision and the attribute form of max pooling change in {@code Layers}: max pooling
 * computes and differentiates exactly what {@code tf.nn.maxPool} did, and a layer computed in
 * bfloat16 returns float32 values that are the float32 computation rounded to bfloat16's precision.
 */
class MixedPrecisionLayersTest {

  private static float[] random(int size, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] values = new float[size];
    for (int i = 0; i < size; i++) {
      values[i] = (float) random.nextDouble(-2, 2);
    }
    return values;
  }

  /** Runs {@code outputs} after initialising every variable of {@code store}. */
  private static List<float[]> run(
      Graph graph, VariableStore store, List<? extends Operand<?>> outputs) {
    try (Session session = new Session(graph)) {
      List<Op> initializers = new ArrayList<>();
      store.all().forEach(variable -> initializers.add(variable.initializer()));
      initializers.forEach(session::run);
      Session.Runner runner = session.runner();
      outputs.forEach(runner::fetch);
      List<float[]> values = new ArrayList<>();
      try (Result result = runner.run()) {
        for (int i = 0; i < outputs.size(); i++) {
          TFloat32 tensor = (TFloat32) result.get(i);
          float[] flat = new float[(int) tensor.size()];
          tensor.asRawTensor().data().asFloats().read(flat);
          values.add(flat);
        }
      }
      return values;
    }
  }

  @Test
  void maxPoolComputesAndDifferentiatesAsMaxPoolV2Did() {
    for (int[] sizeStride : new int[][] {{2, 2}, {3, 1}, {2, 1}}) {
      try (Graph graph = new Graph()) {
        Ops tf = Ops.create(graph);
        VariableStore store = new VariableStore(tf);
        Layers nn = new Layers(tf, store, "m", tf.constant(false), tf.constant(0L), 1);
        Operand<TFloat32> x =
            tf.constant(
                Shape.of(2, 6, 6, 3),
                org.tensorflow.ndarray.buffer.DataBuffers.of(random(2 * 6 * 6 * 3, 1)));
        int size = sizeStride[0];
        int stride = sizeStride[1];
        Operand<TFloat32> pooled = nn.maxPool(x, size, stride, Padding.SAME);
        assertEquals("MaxPool", pooled.op().type());
        Operand<TFloat32> reference =
            tf.nn.maxPool(
                x,
                tf.constant(new int[] {1, size, size, 1}),
                tf.constant(new int[] {1, stride, stride, 1}),
                "SAME");
        assertEquals("MaxPoolV2", reference.op().type());
        Operand<TFloat32> weights =
            tf.constant(
                reference.shape(),
                org.tensorflow.ndarray.buffer.DataBuffers.of(
                    random((int) reference.shape().size(), 2)));
        Gradients gradient =
            tf.gradients(
                tf.reduceSum(tf.math.mul(pooled, weights), tf.constant(new int[] {0, 1, 2, 3})),
                List.of(x));
        Gradients referenceGradient =
            tf.gradients(
                tf.reduceSum(tf.math.mul(reference, weights), tf.constant(new int[] {0, 1, 2, 3})),
                List.of(x));
        List<float[]> values =
            run(
                graph,
                store,
                List.of(
                    pooled, reference, float32(gradient.dy(0)), float32(referenceGradient.dy(0))));
        assertArrayEquals(values.get(1), values.get(0), 0f, "forward " + size + "/" + stride);
        assertArrayEquals(values.get(3), values.get(2), 0f, "gradient " + size + "/" + stride);
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static Operand<TFloat32> float32(Output<?> output) {
    return (Operand<TFloat32>) output;
  }

  @Test
  void aBfloat16DenseLayerReturnsTheFloat32ResultRoundedToBfloat16() {
    float[] input = random(4 * 16, 3);
    List<float[]> results = new ArrayList<>();
    for (Class<? extends org.tensorflow.types.family.TFloating> type :
        java.util.Arrays.<Class<? extends org.tensorflow.types.family.TFloating>>asList(
            null, TBfloat16.class)) {
      try (Graph graph = new Graph()) {
        Ops tf = Ops.create(graph);
        VariableStore store = new VariableStore(tf);
        Layers nn = new Layers(tf, store, "m", tf.constant(false), tf.constant(0L), 1, type);
        Operand<TFloat32> x =
            tf.constant(Shape.of(4, 16), org.tensorflow.ndarray.buffer.DataBuffers.of(input));
        Operand<TFloat32> y = nn.dense(nn.dense(x, 8, Activation.RELU), 3);
        assertEquals(TFloat32.class, y.type());
        results.add(run(graph, store, List.of(y)).get(0));
      }
    }
    float[] exact = results.get(0);
    float[] mixed = results.get(1);
    assertNotEquals(java.util.Arrays.toString(exact), java.util.Arrays.toString(mixed));
    for (int i = 0; i < exact.length; i++) {
      // bfloat16 keeps 8 significant bits: relative error ~2^-8 per rounding, a few roundings deep
      assertEquals(exact[i], mixed[i], 0.05 * Math.max(1, Math.abs(exact[i])), "output " + i);
    }
  }

  @Test
  void valuesPassedOnBetweenLayersStayInTheComputeType() {
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      VariableStore store = new VariableStore(tf);
      Layers nn =
          new Layers(tf, store, "m", tf.constant(false), tf.constant(0L), 1, TBfloat16.class);
      Operand<TFloat32> image = tf.zeros(tf.constant(new long[] {2, 8, 8, 1}), TFloat32.class);
      Operand<TFloat32> x = nn.maxPool(nn.conv2d(image, 4, 3, Activation.RELU), 2);
      Operand<TFloat32> flat = nn.flatten(x);
      Operand<TFloat32> logits = nn.dense(flat, 3);
      for (Operand<? extends TNumber> value : List.of(x, flat, logits)) {
        assertEquals(TFloat32.class, value.type());
        assertEquals("Cast", value.op().type(), "returned in float32");
      }
      // the dense layer multiplied the bfloat16 reshape, not a cast of the float32 one
      org.tensorflow.proto.GraphDef def = graph.toGraphDef();
      org.tensorflow.proto.NodeDef matMul =
          def.getNodeList().stream().filter(n -> n.getOp().equals("MatMul")).findFirst().get();
      org.tensorflow.proto.NodeDef input =
          def.getNodeList().stream()
              .filter(n -> n.getName().equals(matMul.getInput(0)))
              .findFirst()
              .get();
      assertEquals("Reshape", input.getOp());
      assertEquals(org.tensorflow.proto.DataType.DT_BFLOAT16, input.getAttrOrThrow("T").getType());
    }
  }

  @Test
  void aValuePassedFromOneScopeToAnotherStaysInTheComputeType() {
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      VariableStore store = new VariableStore(tf);
      Layers nn =
          new Layers(tf, store, "m", tf.constant(false), tf.constant(0L), 1, TBfloat16.class);
      Operand<TFloat32> image = tf.zeros(tf.constant(new long[] {2, 8, 8, 1}), TFloat32.class);
      Operand<TFloat32> features =
          nn.scope("backbone")
              .maxPool(nn.scope("backbone").conv2d(image, 4, 3, Activation.RELU), 2);
      Layers head = nn.scope("head");
      assertEquals(TBfloat16.class, head.computeType());
      head.dense(head.flatten(features), 3);
      org.tensorflow.proto.GraphDef def = graph.toGraphDef();
      org.tensorflow.proto.NodeDef matMul =
          def.getNodeList().stream().filter(n -> n.getOp().equals("MatMul")).findFirst().get();
      assertEquals(org.tensorflow.proto.DataType.DT_BFLOAT16, matMul.getAttrOrThrow("T").getType());
      org.tensorflow.proto.NodeDef input =
          def.getNodeList().stream()
              .filter(n -> n.getName().equals(matMul.getInput(0)))
              .findFirst()
              .get();
      assertEquals(
          "Reshape", input.getOp(), "the head's dense reads the backbone's bfloat16 value");
      assertEquals(org.tensorflow.proto.DataType.DT_BFLOAT16, input.getAttrOrThrow("T").getType());
    }
  }
}
