package io.github.tfloop.weights;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tensorflow.ExecutionEnvironment;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.family.TType;

/**
 * Runs a {@link WeightPlan} in a session: adds, once, a placeholder and an assign op per planned
 * variable to the graph, then feeds each variable its value read from the source. Values are read
 * and fed in batches of at most {@value #BATCH_BYTES} bytes, so a large model is not held in memory
 * twice; every tensor read is closed before this returns.
 *
 * <p>Variables are given by their handles: a resource variable's {@code VarHandleOp} output (what
 * tfloop creates) or a reference variable's {@code VariableV2} output (what TensorFlow 1 graphs and
 * imported SavedModels hold).
 */
public final class WeightAssigner {

  /** The most bytes of values fed in one session run. */
  static final long BATCH_BYTES = 256L << 20;

  private WeightAssigner() {}

  /**
   * Assigns every variable of {@code plan} its entry of {@code source}.
   *
   * @param handles each planned variable's handle, by variable name
   * @throws IllegalArgumentException if a planned variable has no handle, or the handles belong to
   *     no graph or to several graphs
   * @throws WeightFileException if the source cannot be read (a checksum mismatch, a short file)
   */
  public static void assign(
      Session session,
      WeightSource source,
      WeightPlan plan,
      Map<String, ? extends Operand<?>> handles) {
    assign(session, source, plan, handles, BATCH_BYTES);
  }

  /** As {@link #assign}, feeding at most about {@code batchBytes} bytes per session run. */
  static void assign(
      Session session,
      WeightSource source,
      WeightPlan plan,
      Map<String, ? extends Operand<?>> handles,
      long batchBytes) {
    if (plan.assignments().isEmpty()) {
      return;
    }
    Graph graph = graphOf(plan, handles);
    Ops tf = Ops.create(graph).withSubScope("load_weights");
    List<Placeholder<?>> feeds = new ArrayList<>();
    List<Op> assigns = new ArrayList<>();
    for (WeightPlan.Assignment assignment : plan.assignments()) {
      WeightTarget target = assignment.target();
      Placeholder<? extends TType> value =
          tf.placeholder(target.type().tensorType(), Placeholder.shape(target.shape()));
      feeds.add(value);
      assigns.add(assign(tf, handles.get(target.name()), value, target));
    }
    int next = 0;
    while (next < assigns.size()) {
      List<Tensor> values = new ArrayList<>();
      try {
        Session.Runner runner = session.runner();
        long bytes = 0;
        do {
          WeightPlan.Assignment assignment = plan.assignments().get(next);
          Tensor value = source.read(assignment.entry().name());
          values.add(value);
          bytes += value.numBytes();
          runner.feed(feeds.get(next), value).addTarget(assigns.get(next));
          next++;
        } while (next < assigns.size() && bytes < batchBytes);
        runner.run();
      } finally {
        for (Tensor value : values) {
          value.close();
        }
      }
    }
  }

  private static Graph graphOf(WeightPlan plan, Map<String, ? extends Operand<?>> handles) {
    Graph graph = null;
    List<String> missing = new ArrayList<>();
    for (WeightPlan.Assignment assignment : plan.assignments()) {
      Operand<?> handle = handles.get(assignment.target().name());
      if (handle == null) {
        missing.add(assignment.target().name());
        continue;
      }
      ExecutionEnvironment env = handle.env();
      if (!(env instanceof Graph handleGraph)) {
        throw new IllegalArgumentException(
            "variable '" + assignment.target().name() + "' is not in a graph");
      }
      if (graph != null && graph != handleGraph) {
        throw new IllegalArgumentException("the variables' handles belong to different graphs");
      }
      graph = handleGraph;
    }
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException(
          "the plan loads variables no handle was given for: " + missing);
    }
    return graph;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Op assign(Ops tf, Operand<?> handle, Operand<?> value, WeightTarget target) {
    String type = handle.op().type();
    switch (type) {
      case "VarHandleOp":
        return tf.assignVariableOp(handle, (Operand) value);
      case "VariableV2":
      case "Variable":
        return tf.assign((Operand) handle, (Operand) value);
      default:
        throw new IllegalArgumentException(
            "variable '"
                + target.name()
                + "' is given as the output of a "
                + type
                + " op; a variable handle is the output of a VarHandleOp or VariableV2");
    }
  }
}
