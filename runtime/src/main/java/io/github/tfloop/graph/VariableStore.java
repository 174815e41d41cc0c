package io.github.tfloop.graph;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.VarHandleOp;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TType;

/**
 * Every variable of a loop's graph, by name. Variables are TensorFlow resource variables, each read
 * once: gradients are taken with respect to that read, and the optimizer updates the resource.
 *
 * <p>Each variable gets its name as {@code shared_name}: resource variables with an empty shared
 * name all share a single resource.
 */
public final class VariableStore {

  /** What a variable is for; it decides whether it is trained and what a checkpoint holds. */
  public enum Kind {
    /** A weight the optimizer trains. */
    TRAINABLE,
    /** Model state updated by the forward pass, such as batch normalisation's moving mean. */
    MODEL_STATE,
    /** An optimizer slot (Adam's moments) or step counter. */
    OPTIMIZER,
    /** An accumulator of a loss or metric. */
    METRIC,
    /**
     * A value kept only for monitoring, such as the last gradient norm: not saved in checkpoints,
     * so loops that keep different ones can resume each other's checkpoints.
     */
    MONITOR
  }

  /** One variable: its resource handle, its one read, and the op that initialises it. */
  public static final class Variable<T extends TType> {
    private final String name;
    private final String group;
    private final Kind kind;
    private final Class<T> type;
    private final Shape shape;
    private final Operand<? extends TType> handle;
    private final Operand<T> read;
    private final Op initializer;

    Variable(
        String name,
        String group,
        Kind kind,
        Class<T> type,
        Shape shape,
        Operand<? extends TType> handle,
        Operand<T> read,
        Op initializer) {
      this.name = name;
      this.group = group;
      this.kind = kind;
      this.type = type;
      this.shape = shape;
      this.handle = handle;
      this.read = read;
      this.initializer = initializer;
    }

    /** The full name, such as {@code logits/dense/kernel}; also the checkpoint key. */
    public String name() {
      return name;
    }

    /** The group: the {@code @Model} method that created it, or an internal group. */
    public String group() {
      return group;
    }

    public Kind kind() {
      return kind;
    }

    public Class<T> type() {
      return type;
    }

    public Shape shape() {
      return shape;
    }

    /** The resource handle, which assign and apply ops take. */
    public Operand<? extends TType> handle() {
      return handle;
    }

    /** The variable's value, read once per run; what the model computes with. */
    public Operand<T> read() {
      return read;
    }

    public Op initializer() {
      return initializer;
    }

    @Override
    public String toString() {
      return name + " " + shape;
    }
  }

  /**
   * Where the ops of a variable run: a scope for its handle, initialiser and read, given the
   * store's scope and the variable's kind. Training on a cluster puts weights on the parameter
   * servers (see {@code ClusterPlacement}); otherwise variables stay where the store's scope is.
   */
  public interface Placement {
    Ops place(Ops scope, Kind kind);
  }

  private final Ops tf;
  private final Placement placement;
  private final Map<String, Variable<?>> variables = new LinkedHashMap<>();
  private final Map<String, List<Op>> updates = new LinkedHashMap<>();
  private final Map<String, List<Operand<TFloat32>>> penalties = new LinkedHashMap<>();

  public VariableStore(Ops tf) {
    this(tf, (scope, kind) -> scope);
  }

  /** A store whose variables are placed by {@code placement}. */
  public VariableStore(Ops tf, Placement placement) {
    this.tf = tf;
    this.placement = placement;
  }

  /**
   * Creates a variable initialised to {@code initialValue}.
   *
   * @throws IllegalArgumentException if a variable of that name exists
   */
  public <T extends TType> Variable<T> create(
      String name, String group, Kind kind, Class<T> type, Shape shape, Operand<T> initialValue) {
    if (variables.containsKey(name)) {
      throw new IllegalArgumentException("a variable named '" + name + "' already exists");
    }
    Ops scoped = scopeOf(placement.place(tf, kind), name);
    Operand<? extends TType> handle =
        scoped.withName("handle").varHandleOp(type, shape, VarHandleOp.sharedName(name));
    Op initializer = scoped.withName("initialize").assignVariableOp(handle, initialValue);
    Operand<T> read = scoped.withName("read").readVariableOp(handle, type);
    Variable<T> variable =
        new Variable<>(name, group, kind, type, shape, handle, read, initializer);
    variables.put(name, variable);
    return variable;
  }

  /** The variable of that name, or {@code null}. */
  public Variable<?> find(String name) {
    return variables.get(name);
  }

  /** Every variable a checkpoint holds, in creation order: all but {@link Kind#MONITOR} ones. */
  public List<Variable<?>> checkpointed() {
    List<Variable<?>> selected = new ArrayList<>();
    for (Variable<?> variable : variables.values()) {
      if (variable.kind() != Kind.MONITOR) {
        selected.add(variable);
      }
    }
    return selected;
  }

  /** Every variable, in creation order. */
  public Collection<Variable<?>> all() {
    return Collections.unmodifiableCollection(variables.values());
  }

  /** Variables of a kind, in creation order. */
  public List<Variable<?>> ofKind(Kind kind) {
    List<Variable<?>> selected = new ArrayList<>();
    for (Variable<?> variable : variables.values()) {
      if (variable.kind() == kind) {
        selected.add(variable);
      }
    }
    return selected;
  }

  /** The model's weights: the trainable variables, then the model state, each in creation order. */
  public List<Variable<?>> weights() {
    List<Variable<?>> weights = ofKind(Kind.TRAINABLE);
    weights.addAll(ofKind(Kind.MODEL_STATE));
    return weights;
  }

  /** Trainable variables of the given groups, or of every group if {@code groups} is empty. */
  public List<Variable<?>> trainable(Collection<String> groups) {
    List<Variable<?>> selected = new ArrayList<>();
    for (Variable<?> variable : ofKind(Kind.TRAINABLE)) {
      if (groups.isEmpty() || groups.contains(variable.group())) {
        selected.add(variable);
      }
    }
    return selected;
  }

  /**
   * Registers an op that training runs must run for the model {@code group}, such as batch
   * normalisation's moving-average update.
   */
  public void addUpdate(String group, Op update) {
    updates.computeIfAbsent(group, g -> new ArrayList<>()).add(update);
  }

  /**
   * The training-time updates of the given groups, or of every group if {@code groups} is empty.
   */
  public List<Op> updates(Collection<String> groups) {
    return ofGroups(updates, groups);
  }

  /** Registers a regularisation penalty on a weight of the model {@code group}. */
  public void addPenalty(String group, Operand<TFloat32> penalty) {
    penalties.computeIfAbsent(group, g -> new ArrayList<>()).add(penalty);
  }

  /** The regularisation penalties of the given groups, or of every group if none is named. */
  public List<Operand<TFloat32>> penalties(Collection<String> groups) {
    return ofGroups(penalties, groups);
  }

  private static <T> List<T> ofGroups(Map<String, List<T>> byGroup, Collection<String> groups) {
    List<T> selected = new ArrayList<>();
    byGroup.forEach(
        (group, items) -> {
          if (groups.isEmpty() || groups.contains(group)) {
            selected.addAll(items);
          }
        });
    return selected;
  }

  /** A name scope per part of {@code name}: ops of {@code a/b/c} are named {@code a/b/c/...}. */
  private static Ops scopeOf(Ops scope, String name) {
    Ops scoped = scope;
    for (String part : name.split("/")) {
      scoped = scoped.withSubScope(part.replaceAll("[^A-Za-z0-9_.-]", "_"));
    }
    return scoped;
  }
}
