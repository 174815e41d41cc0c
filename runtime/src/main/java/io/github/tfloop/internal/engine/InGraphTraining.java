package io.github.tfloop.internal.engine;

import io.github.tfloop.data.Column;
import io.github.tfloop.data.InputSpec;
import io.github.tfloop.internal.build.LoopGraph;
import io.github.tfloop.internal.session.Batch;
import io.github.tfloop.internal.session.NativeProgram;
import io.github.tfloop.internal.session.Program;
import io.github.tfloop.internal.session.ProgramSpec;
import io.github.tfloop.internal.session.RunnerProgram;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.ConcreteFunction;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.IntDataBuffer;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.VarHandleOp;
import org.tensorflow.op.core.While;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TType;

/**
 * Several training batches per call into TensorFlow ({@code stepsPerExecution}), as Keras's {@code
 * steps_per_execution}: the training data lives in the graph, in resource variables filled once per
 * {@code fit}, and one {@code StatefulWhile} runs {@code count} batches from {@code offset} on.
 *
 * <p>Each iteration gathers its batch from the data with the epoch's shuffled order, which the host
 * computes exactly as for one batch per call and stores in the graph once per epoch, then calls
 * each step's training function in turn. A training function is the step's own subgraph (forward
 * pass, gradients, optimizer updates, metric updates, batch count) turned into a graph function
 * whose inputs are the loop's placeholders: the same ops as a run with fed batches, so the training
 * is the same. Variables inside the functions are found by their {@code shared_name}.
 */
public final class InGraphTraining implements AutoCloseable {

  private static final String PREFIX = "tfloop_in_graph";

  private final Session session;
  private final LoopGraph graph;
  private final List<Operand<?>> dataPlaceholders = new ArrayList<>();
  private final List<Op> dataAssigns = new ArrayList<>();
  private final Op releaseData;
  private final Placeholder<TInt32> orderPlaceholder;
  private final Op assignOrder;
  private final List<ConcreteFunction> functions = new ArrayList<>();
  private final Program loop;
  private final TInt32 count;
  private final TInt32 offset;
  private final IntDataBuffer countValue;
  private final IntDataBuffer offsetValue;

  /**
   * Adds the data variables, the training functions and the loop to the graph of a running session.
   *
   * @param stepTargets for each step, in order, the ops one batch of it runs
   */
  InGraphTraining(Session session, LoopGraph graph, List<List<Op>> stepTargets, boolean nativeRun) {
    this.session = session;
    this.graph = graph;
    Graph g = graph.graph();
    Ops tf = Ops.create(g).withSubScope(PREFIX);
    List<Op> releases = new ArrayList<>();
    for (InputSpec input : graph.inputs()) {
      Operand<?> handle = dataHandle(tf, input.name(), input.dtype().tensorType());
      Placeholder<?> values =
          tf.withName(input.name() + "_values").placeholder(input.dtype().tensorType());
      dataPlaceholders.add(values);
      dataAssigns.add(tf.assignVariableOp(handle, values));
      releases.add(tf.destroyResourceOp(handle));
    }
    Operand<?> orderHandle = dataHandle(tf, "order", TInt32.class);
    this.orderPlaceholder = tf.withName("order_values").placeholder(TInt32.class);
    this.assignOrder = tf.assignVariableOp(orderHandle, orderPlaceholder);
    releases.add(tf.destroyResourceOp(orderHandle));
    this.releaseData = tf.withControlDependencies(releases).withName("release_data").noOp();

    List<ConcreteFunction> steps = new ArrayList<>();
    for (int i = 0; i < stepTargets.size(); i++) {
      steps.add(trainingFunction(tf, i, stepTargets.get(i)));
    }
    ConcreteFunction condition = ConcreteFunction.create(InGraphTraining::condition);
    ConcreteFunction body = ConcreteFunction.create(ops -> body(ops, steps));
    functions.addAll(steps);
    functions.add(condition);
    functions.add(body);

    Placeholder<TInt32> countInput = tf.withName("count").placeholder(TInt32.class);
    Placeholder<TInt32> offsetInput = tf.withName("offset").placeholder(TInt32.class);
    List<Operand<?>> loopInputs = List.of(tf.constant(0), countInput, offsetInput);
    Op whileLoop =
        tf.withName("train_batches")
            .statefulWhile(loopInputs, condition, body, While.parallelIterations(1L));
    ProgramSpec spec = new ProgramSpec(List.of(countInput, offsetInput), List.of(whileLoop), null);
    this.loop = nativeRun ? new NativeProgram(session, spec) : new RunnerProgram(session, spec);
    this.count = TInt32.scalarOf(0);
    this.offset = TInt32.scalarOf(0);
    this.countValue = count.asRawTensor().data().asInts();
    this.offsetValue = offset.asRawTensor().data().asInts();
    loop.bind(0, count);
    loop.bind(1, offset);
  }

  /** The resource variable named {@code data/<name>}; every graph that names it shares it. */
  private static Operand<?> dataHandle(Ops tf, String name, Class<? extends TType> type) {
    return tf.withName("data_" + name)
        .varHandleOp(type, Shape.unknown(), VarHandleOp.sharedName(PREFIX + "/data/" + name));
  }

  /** Step {@code index}'s subgraph as a function of the loop's placeholders. */
  private ConcreteFunction trainingFunction(Ops tf, int index, List<Op> targets) {
    Signature.Builder signature = Signature.builder().key(PREFIX + "_step_" + index);
    for (int i = 0; i < graph.inputs().size(); i++) {
      signature.input(graph.inputs().get(i).name(), graph.placeholders().get(i));
    }
    signature.input("training", graph.training());
    signature.output(
        "done",
        tf.withControlDependencies(targets).withName("step_" + index + "_done").constant(true));
    return ConcreteFunction.create(signature.build(), graph.graph());
  }

  private static Signature condition(Ops tf) {
    Placeholder<TInt32> iteration = tf.placeholder(TInt32.class);
    Placeholder<TInt32> count = tf.placeholder(TInt32.class);
    Placeholder<TInt32> offset = tf.placeholder(TInt32.class);
    Operand<TBool> more = tf.math.less(iteration, count);
    return Signature.builder()
        .key(PREFIX + "_condition")
        .input("iteration", iteration)
        .input("count", count)
        .input("offset", offset)
        .output("more", more)
        .build();
  }

  /** One iteration: gather batch {@code offset + iteration * batchSize}, run every step on it. */
  private Signature body(Ops tf, List<ConcreteFunction> steps) {
    Placeholder<TInt32> iteration = tf.placeholder(TInt32.class);
    Placeholder<TInt32> count = tf.placeholder(TInt32.class);
    Placeholder<TInt32> offset = tf.placeholder(TInt32.class);
    int batchSize = graph.batchSize();
    Operand<TInt32> start = tf.math.add(offset, tf.math.mul(iteration, tf.constant(batchSize)));
    Operand<TInt32> order = tf.readVariableOp(dataHandle(tf, "order", TInt32.class), TInt32.class);
    Operand<TInt32> indices =
        tf.slice(
            order,
            tf.reshape(start, tf.constant(new int[] {1})),
            tf.constant(new int[] {batchSize}));
    List<Operand<?>> batch = new ArrayList<>();
    for (InputSpec input : graph.inputs()) {
      Class<? extends TType> type = input.dtype().tensorType();
      Operand<? extends TType> data = tf.readVariableOp(dataHandle(tf, input.name(), type), type);
      batch.add(tf.gather(data, indices, tf.constant(0)));
    }
    batch.add(tf.constant(true));
    // Stateful calls, each after the previous step's: never pruned, never reordered.
    Ops ordered = tf;
    for (ConcreteFunction step : steps) {
      Op done = ordered.statefulPartitionedCall(batch, List.of(TBool.class), step);
      ordered = tf.withControlDependencies(List.of(done));
    }
    return Signature.builder()
        .key(PREFIX + "_body")
        .input("iteration", iteration)
        .input("count", count)
        .input("offset", offset)
        .output("iteration", ordered.math.add(iteration, tf.constant(1)))
        .output("count", tf.identity(count))
        .output("offset", tf.identity(offset))
        .build();
  }

  /**
   * Copies every column of the training data into the graph; {@code columns} are in input order.
   */
  public void load(Column[] columns) {
    for (int i = 0; i < columns.length; i++) {
      try (Tensor all = Batch.wholeColumn(graph.inputs().get(i), columns[i])) {
        run(session.runner().feed(dataPlaceholders.get(i), all).addTarget(dataAssigns.get(i)));
      }
    }
  }

  /** Stores the order in which this epoch visits the examples. */
  public void order(int[] order) {
    try (TInt32 values = TInt32.vectorOf(order)) {
      run(session.runner().feed(orderPlaceholder, values).addTarget(assignOrder));
    }
  }

  private static void run(Session.Runner runner) {
    try (var ignored = runner.run()) {
      // nothing fetched
    }
  }

  /**
   * Trains {@code batches} batches, the first made of the examples at {@code from..} of the order.
   */
  void train(int from, int batches) {
    countValue.setInt(batches, 0);
    offsetValue.setInt(from, 0);
    loop.run();
  }

  /** Frees the graph's copy of the training data. */
  public void release() {
    session.run(releaseData);
  }

  @Override
  public void close() {
    functions.forEach(ConcreteFunction::close); // the graph keeps its own copies
    loop.close();
    count.close();
    offset.close();
  }
}
