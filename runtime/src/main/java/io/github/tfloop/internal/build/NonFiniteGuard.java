package io.github.tfloop.internal.build;

import io.github.tfloop.graph.VariableStore;
import io.github.tfloop.graph.VariableStore.Kind;
import io.github.tfloop.graph.VariableStore.Variable;
import io.github.tfloop.train.NonFinite;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.SwitchCond;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TNumber;

/**
 * The in-graph check that a training step's loss and gradients are finite, and the gate that keeps
 * a non-finite update from being applied. Each optimizer update takes its gradient through {@link
 * StepGuard#gate}, which runs in the same session run as the step: nothing is fetched.
 *
 * <ul>
 *   <li>{@link NonFinite#OFF}: no check, no gate (unless {@code debugNumerics}).
 *   <li>{@link NonFinite#STOP}: the gate waits for an assertion; a non-finite batch fails the run
 *       before any update, with a message carrying {@link #MARKER} and the step's name.
 *   <li>{@link NonFinite#SKIP}: the gate is a {@code Switch} on the check; a non-finite batch
 *       leaves its updates unrun (their inputs are dead) and counts one in {@code
 *       <step>/skipped_batches}. {@code LoopBuilder} also keeps it out of the epoch's loss and
 *       metrics.
 * </ul>
 *
 * <p>Model-state updates (batch normalisation's moving averages) go through the gate as the
 * gradients do ({@link StepGuard#gateUpdate}): a batch that is refused or skipped changes nothing.
 *
 * <p>With {@code debugNumerics}, every floating-point output the loss and gradients depend on gets
 * a {@code CheckNumerics} op, and the gate waits for all of them too.
 */
public final class NonFiniteGuard {

  /** Starts the message of a failed assertion; the step's name and {@code >} follow. */
  public static final String MARKER = "tfloop:non-finite step <";

  private final Graph graph;
  private final VariableStore store;
  private final NonFinite policy;
  private final boolean debugNumerics;
  private final List<StepGuard> steps = new ArrayList<>();

  NonFiniteGuard(Graph graph, VariableStore store, NonFinite policy, boolean debugNumerics) {
    this.graph = graph;
    this.store = store;
    this.policy = policy;
    this.debugNumerics = debugNumerics;
  }

  public NonFinite policy() {
    return policy;
  }

  /**
   * Builds the check of one step: its loss and the global norm of its gradients are finite exactly
   * when the loss and every gradient element are (a NaN or infinity anywhere makes the sum of
   * squares NaN or infinite), so the check reuses the norm the step computes anyway. The one false
   * alarm, a finite gradient whose square overflows float32 (above 1.8e19), is told apart by the
   * diagnosis. Without {@code checkGradients} (a loss-scaled step, which skips non-finite gradients
   * itself) only the loss is checked.
   */
  StepGuard forStep(
      Ops scope,
      String stepName,
      Operand<?> loss,
      Operand<TFloat32> gradientNorm,
      boolean checkGradients,
      List<Variable<?>> variables,
      List<? extends Operand<?>> gradients) {
    if (policy == NonFinite.OFF && !debugNumerics) {
      StepGuard off =
          new StepGuard(stepName, List.of(), null) {
            @Override
            Operand<?> gate(Operand<?> gradient) {
              return gradient;
            }

            @Override
            Op gateUpdate(Ops scope, Op update) {
              return update;
            }
          };
      steps.add(off);
      return off;
    }
    List<Candidate> candidates = new ArrayList<>();
    candidates.add(new Candidate("loss of step '" + stepName + "'", loss.asOutput()));
    for (int i = 0; i < variables.size(); i++) {
      candidates.add(
          new Candidate("gradient of " + variables.get(i).name(), gradients.get(i).asOutput()));
    }
    List<Op> checks = new ArrayList<>();
    if (debugNumerics) {
      candidates = upstreamFloatOutputs(candidates);
      for (Candidate candidate : candidates) {
        checks.add(
            scope
                .withName("check_numerics")
                .debugging
                .checkNumerics(numeric(candidate.output()), candidate.label()));
      }
    }
    Operand<TBool> allFinite =
        checkGradients
            ? scope
                .withName("all_finite")
                .math
                .logicalAnd(allFinite(scope, loss.asOutput()), scope.math.isFinite(gradientNorm))
            : scope.withName("all_finite").identity(allFinite(scope, loss.asOutput()));
    StepGuard guard =
        policy == NonFinite.SKIP
            ? skipGuard(scope, stepName, allFinite, checks, candidates)
            : stopGuard(scope, stepName, allFinite, checks, candidates);
    steps.add(guard);
    return guard;
  }

  private StepGuard stopGuard(
      Ops scope,
      String stepName,
      Operand<TBool> allFinite,
      List<Op> checks,
      List<Candidate> candidates) {
    List<Op> waitFor = new ArrayList<>(checks);
    waitFor.add(
        scope
            .withName("non_finite_assert")
            .assertThat(allFinite, List.of(scope.constant(MARKER + stepName + ">"))));
    Ops gated = scope.withControlDependencies(waitFor);
    return new StepGuard(stepName, candidates, null) {
      @Override
      Operand<?> gate(Operand<?> gradient) {
        return gated.withName("finite_gradient").identity(gradient);
      }
    };
  }

  private StepGuard skipGuard(
      Ops scope,
      String stepName,
      Operand<TBool> allFinite,
      List<Op> checks,
      List<Candidate> candidates) {
    Variable<TInt64> skipped =
        store.create(
            stepName + "/skipped_batches",
            stepName,
            Kind.METRIC,
            TInt64.class,
            Shape.scalar(),
            scope.constant(0L));
    List<Op> waitFor = new ArrayList<>(checks);
    waitFor.add(
        scope
            .withName("count_skipped")
            .assignAddVariableOp(
                skipped.handle(),
                scope.dtypes.cast(scope.math.logicalNot(allFinite), TInt64.class)));
    Operand<TBool> predicate =
        scope.withControlDependencies(waitFor).withName("apply_if_finite").identity(allFinite);
    return new StepGuard(stepName, candidates, skipped.read()) {
      @Override
      Operand<?> gate(Operand<?> gradient) {
        SwitchCond<?> gate = scope.withName("finite_gradient").switchCond(gradient, predicate);
        return gate.outputTrue();
      }

      @Override
      Operand<TBool> applies() {
        return predicate;
      }

      @Override
      Op done(Op update) {
        // A skipped update is dead, and so is all that waits for it: merge it with the skipping
        // branch, so that what follows the step (counting the batch) runs either way.
        SwitchCond<TBool> branch = scope.switchCond(predicate, predicate);
        Operand<TBool> applied =
            scope.withControlDependencies(List.of(update)).identity(branch.outputTrue());
        return scope.withName("update_or_skip").merge(List.of(applied, branch.outputFalse()));
      }
    };
  }

  /** The guard of each step, in the order the steps were built. */
  public List<StepGuard> steps() {
    return steps;
  }

  /** Whether every element of {@code value}, a floating-point tensor of any rank, is finite. */
  public static Operand<TBool> allFinite(Ops tf, Output<?> value) {
    Operand<? extends TNumber> numbers = numeric(value);
    return tf.reduceAll(
        tf.math.isFinite(numbers), tf.range(tf.constant(0), tf.rank(numbers), tf.constant(1)));
  }

  @SuppressWarnings("unchecked")
  private static <T extends TNumber> Operand<T> numeric(Operand<?> output) {
    return (Operand<T>) output;
  }

  /** Every floating-point output the candidates depend on, in graph (creation) order. */
  private List<Candidate> upstreamFloatOutputs(List<Candidate> candidates) {
    Set<GraphOperation> targets = new HashSet<>();
    for (Candidate candidate : candidates) {
      targets.add((GraphOperation) candidate.output().op());
    }
    Set<GraphOperation> upstream = graph.subgraphToOps(targets);
    List<Candidate> outputs = new ArrayList<>();
    for (Iterator<GraphOperation> it = graph.operations(); it.hasNext(); ) {
      GraphOperation op = it.next();
      if (!upstream.contains(op) || op.type().equals("Const")) {
        continue;
      }
      for (int i = 0; i < op.numOutputs(); i++) {
        Output<?> output = op.output(i);
        if (isFloating(output.dataType())) {
          outputs.add(new Candidate(op.name() + ":" + i, output));
        }
      }
    }
    return outputs;
  }

  private static boolean isFloating(DataType type) {
    return type == DataType.DT_FLOAT
        || type == DataType.DT_DOUBLE
        || type == DataType.DT_HALF
        || type == DataType.DT_BFLOAT16;
  }

  /** A tensor the check covers, and how messages name it. */
  record Candidate(String label, Output<?> output) {}

  /** The check of one step. */
  public abstract static class StepGuard {
    private final String stepName;

    /** The tensors checked, in graph order: where a diagnosis looks for the first bad one. */
    private final List<Candidate> candidates;

    private final Operand<TInt64> skippedBatches;
    private Operand<TBool> finiteFlags;
    private Operand<TBool> nanFlags;

    StepGuard(String stepName, List<Candidate> candidates, Operand<TInt64> skippedBatches) {
      this.stepName = stepName;
      this.candidates = List.copyOf(candidates);
      this.skippedBatches = skippedBatches;
    }

    /** The gradient the optimizer may apply: only once the batch is known to be finite. */
    abstract Operand<?> gate(Operand<?> gradient);

    /** An op that completes when {@code update}, the step's last op, has run or was skipped. */
    Op done(Op update) {
      return update;
    }

    /**
     * Whether the batch's update is applied ({@link NonFinite#SKIP}: every checked value is
     * finite), or {@code null} when every batch's is (or the run fails).
     */
    Operand<TBool> applies() {
      return null;
    }

    /**
     * {@code update}, a model-state update the step runs (batch normalisation's moving averages),
     * rebuilt to assign its value only through {@link #gate}: a non-finite batch leaves model state
     * as it leaves the weights. The original op stays in the graph, unrun.
     *
     * @throws IllegalStateException if {@code update} is not an assignment to a resource variable
     */
    Op gateUpdate(Ops scope, Op update) {
      GraphOperation op = (GraphOperation) update.op();
      Output<?> handle = op.input(0);
      List<Op> controls = new ArrayList<>();
      for (GraphOperation control : op.controlInputs()) {
        controls.add(() -> control);
      }
      Ops gated = scope.withControlDependencies(controls);
      return switch (op.type()) {
        case "AssignVariableOp" -> gated.assignVariableOp(handle, gate(op.input(1)));
        case "AssignAddVariableOp" -> gated.assignAddVariableOp(handle, numeric(gate(op.input(1))));
        case "AssignSubVariableOp" -> gated.assignSubVariableOp(handle, numeric(gate(op.input(1))));
        default ->
            throw new IllegalStateException(
                "step '"
                    + stepName
                    + "' runs the model-state update '"
                    + op.name()
                    + "', a "
                    + op.type()
                    + "; with a non-finite check, model-state updates must be AssignVariableOp,"
                    + " AssignAddVariableOp or AssignSubVariableOp, so that a non-finite batch can"
                    + " be kept from them");
      };
    }

    public String stepName() {
      return stepName;
    }

    /** Batches skipped so far ({@link NonFinite#SKIP}), or {@code null}. */
    public Operand<TInt64> skippedBatches() {
      return skippedBatches;
    }

    /**
     * The first candidate that is not finite for the batch {@code runner} feeds, as {@code label
     * (NaN)} or {@code label (infinite)}, or {@code null} if all are finite. Builds its ops on
     * first use: a diagnosis runs only after a failure.
     */
    public String firstNonFinite(Ops tf, Session.Runner runner) {
      if (finiteFlags == null) {
        List<Operand<TBool>> finite = new ArrayList<>();
        List<Operand<TBool>> nan = new ArrayList<>();
        for (Candidate candidate : candidates) {
          Operand<? extends TNumber> value = numeric(candidate.output());
          Operand<TInt32> axes = tf.range(tf.constant(0), tf.rank(value), tf.constant(1));
          finite.add(tf.reduceAll(tf.math.isFinite(value), axes));
          nan.add(tf.reduceAny(tf.math.isNan(value), axes));
        }
        finiteFlags = tf.stack(finite);
        nanFlags = tf.stack(nan);
      }
      try (Result result = runner.fetch(finiteFlags).fetch(nanFlags).run()) {
        TBool finite = (TBool) result.get(0);
        TBool nan = (TBool) result.get(1);
        for (int i = 0; i < candidates.size(); i++) {
          if (!finite.getBoolean(i)) {
            return candidates.get(i).label() + (nan.getBoolean(i) ? " (NaN)" : " (infinite)");
          }
        }
      }
      return null;
    }
  }
}
