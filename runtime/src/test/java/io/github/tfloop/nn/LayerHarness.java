package io.github.tfloop.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tfloop.gradients.MissingGradients;
import io.github.tfloop.graph.VariableStore;
import io.github.tfloop.graph.VariableStore.Variable;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.PlaceholderWithDefault;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt64;

/**
 * A graph of its own for layer tests: builds layers, initialises their variables, evaluates
 * operands as doubles, and checks TensorFlow's gradients against central differences.
 */
final class LayerHarness implements AutoCloseable {

  final Graph graph = new Graph();
  final Ops tf = Ops.create(graph);
  final VariableStore store = new VariableStore(tf);
  final PlaceholderWithDefault<TBool> training =
      tf.placeholderWithDefault(tf.constant(false), Shape.scalar());
  private final PlaceholderWithDefault<TInt64> step =
      tf.placeholderWithDefault(tf.constant(0L), Shape.scalar());
  private Session session;

  LayerHarness() {
    MissingGradients.register();
  }

  Layers layers(String model) {
    return new Layers(tf.withSubScope(model), store, model, training, step, 42);
  }

  /** The session, its variables initialised on first use. */
  Session session() {
    if (session == null) {
      session = new Session(graph);
      List<Op> initializers = new ArrayList<>();
      store.all().forEach(variable -> initializers.add(variable.initializer()));
      session.run(tf.withControlDependencies(initializers).noOp());
    }
    return session;
  }

  /** The value of {@code value} (float32 or float64), evaluated with training off. */
  double[] eval(Operand<?> value) {
    try (Result result = session().runner().fetch(value).run()) {
      return doubles(result.get(0));
    }
  }

  /** The value of {@code value} with the training flag fed. */
  double[] eval(Operand<?> value, boolean isTraining) {
    try (TBool flag = TBool.scalarOf(isTraining);
        Result result = session().runner().feed(training, flag).fetch(value).run()) {
      return doubles(result.get(0));
    }
  }

  /** The current value of the variable {@code name}. */
  double[] weight(String name) {
    return eval(variable(name).read());
  }

  Variable<?> variable(String name) {
    Variable<?> variable = store.find(name);
    assertNotNull(variable, "no variable " + name + " in " + store.all());
    return variable;
  }

  /** Sets the variable {@code name} to {@code values} (row-major). */
  void assign(String name, double[] values) {
    Variable<?> variable = variable(name);
    session()
        .runner()
        .addTarget(tf.assignVariableOp(variable.handle(), constantOf(variable, values)))
        .run();
  }

  /** Sets every element of the variable {@code name} to {@code value}. */
  void fill(String name, double value) {
    double[] values = new double[(int) variable(name).shape().size()];
    java.util.Arrays.fill(values, value);
    assign(name, values);
  }

  private Operand<?> constantOf(Variable<?> variable, double[] values) {
    Operand<TFloat64> doubles = tf.constant(variable.shape(), DataBuffers.of(values));
    return tf.dtypes.cast(
        doubles, variable.type().asSubclass(org.tensorflow.types.family.TNumber.class));
  }

  Operand<TFloat32> floats(double[] values, long... shape) {
    float[] narrowed = new float[values.length];
    for (int i = 0; i < values.length; i++) {
      narrowed[i] = (float) values[i];
    }
    return tf.constant(Shape.of(shape), DataBuffers.of(narrowed));
  }

  Operand<TFloat64> doubles(double[] values, long... shape) {
    return tf.constant(Shape.of(shape), DataBuffers.of(values));
  }

  static double[] doubles(Tensor tensor) {
    double[] values = new double[(int) tensor.shape().size()];
    if (tensor instanceof TFloat64 doubles) {
      doubles.asRawTensor().data().asDoubles().read(values);
    } else if (tensor instanceof TFloat32 floats) {
      float[] narrow = new float[values.length];
      floats.asRawTensor().data().asFloats().read(narrow);
      for (int i = 0; i < narrow.length; i++) {
        values[i] = narrow[i];
      }
    } else {
      throw new IllegalArgumentException("not a float tensor: " + tensor.dataType());
    }
    return values;
  }

  /** {@code count} values uniform in {@code [-scale, scale)}, the same for the same seed. */
  static double[] random(int count, double scale, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    double[] values = new double[count];
    for (int i = 0; i < count; i++) {
      values[i] = random.nextDouble(-scale, scale);
    }
    return values;
  }

  /**
   * Checks TensorFlow's gradient of {@code sum(output * r)}, for fixed random {@code r}, with
   * respect to every variable of the store and to each of {@code inputs}, against central
   * differences: each element is moved by ±1e-6 by feeding the variable's read (or the input) with
   * the moved value. Float64 throughout, so the two agree to about 1e-9.
   */
  void assertGradientsMatchNumeric(Operand<TFloat64> output, List<Operand<TFloat64>> inputs) {
    Shape shape = output.shape();
    assertTrue(!shape.hasUnknownDimension(), "output shape must be known: " + shape);
    Operand<TFloat64> projection = doubles(random((int) shape.size(), 1, 99), shape.asArray());
    Operand<TFloat64> product = tf.math.mul(output, projection);
    Operand<TFloat64> loss =
        tf.sum(product, tf.range(tf.constant(0), tf.rank(product), tf.constant(1)));

    List<Operand<?>> points = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (Variable<?> variable : store.all()) {
      assertEquals(TFloat64.class, variable.type(), "check gradients in float64: " + variable);
      points.add(variable.read());
      names.add(variable.name());
    }
    for (int i = 0; i < inputs.size(); i++) {
      points.add(inputs.get(i));
      names.add("input " + i);
    }
    var gradients = tf.gradients(loss, points);
    int checked = 0;
    for (int p = 0; p < points.size(); p++) {
      Operand<?> point = points.get(p);
      double[] base = eval(point);
      double[] symbolic = eval(gradients.dy(p));
      assertEquals(base.length, symbolic.length);
      double h = 1e-6;
      for (int i = 0; i < base.length; i++) {
        double[] plus = base.clone();
        double[] minus = base.clone();
        plus[i] += h;
        minus[i] -= h;
        double numeric = (lossAt(loss, point, plus) - lossAt(loss, point, minus)) / (2 * h);
        assertEquals(
            numeric,
            symbolic[i],
            1e-6 * Math.max(1, Math.abs(numeric)),
            "d loss / d " + names.get(p) + "[" + i + "]");
        checked++;
      }
    }
    assertTrue(checked > 0, "nothing checked");
  }

  private double lossAt(Operand<TFloat64> loss, Operand<?> point, double[] values) {
    try (TFloat64 fed = TFloat64.tensorOf(point.shape(), DataBuffers.of(values));
        Result result = session().runner().feed(point, fed).fetch(loss).run()) {
      return ((TFloat64) result.get(0)).getDouble();
    }
  }

  @Override
  public void close() {
    if (session != null) {
      session.close();
    }
    graph.close();
  }
}
