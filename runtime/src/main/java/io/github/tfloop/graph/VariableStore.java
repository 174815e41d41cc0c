package io.github.tfloop.graph;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * name all share a single resource. Its ops are named after it under {@value #OP_SCOPE}: {@code
 * variables/logits/dense/kernel/read} reads {@code logits/dense/kernel} (characters an op name
 * cannot hold become {@code _}), so a graph exported with its weights frozen into constants names
 * each weight.
 *
 * <p>How a weight is trained is recorded with it: {@linkplain Variable#frozen() frozen} weights are
 * never trained, and each trainable one has a {@linkplain Variable#learningRateMultiplier()
 * learning-rate multiplier}. Both come from the layer that creates the variable (a layer built
 * while {@code Layers.trainable(false)}) or from the rules {@link #freeze} and {@link
 * #multiplyLearningRate} set, by name: a rule names a variable or any prefix of its name that ends
 * at a {@code /} (a model, a scope, a layer).
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
    private final boolean frozen;
    private final double learningRateMultiplier;

    Variable(
        String name,
        String group,
        Kind kind,
        Class<T> type,
        Shape shape,
        Operand<? extends TType> handle,
        Operand<T> read,
        Op initializer,
        boolean frozen,
        double learningRateMultiplier) {
      this.name = name;
      this.group = group;
      this.kind = kind;
      this.type = type;
      this.shape = shape;
      this.handle = handle;
      this.read = read;
      this.initializer = initializer;
      this.frozen = frozen;
      this.learningRateMultiplier = learningRateMultiplier;
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

    /**
     * Whether this weight is frozen: a {@link Kind#TRAINABLE} variable no step trains, or the
     * {@link Kind#MODEL_STATE} of a frozen layer, which its layer no longer updates.
     */
    public boolean frozen() {
      return frozen;
    }

    /** The factor applied to the learning rate of each step that trains it; 1 unless set. */
    public double learningRateMultiplier() {
      return learningRateMultiplier;
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

  /** The name scope of every variable's ops, when the store is made before any other op. */
  public static final String OP_SCOPE = "variables";

  private final Ops tf;
  private final Ops variableScope;
  private final Map<String, Ops> scopes = new HashMap<>();
  private final Placement placement;
  private final Map<String, Variable<?>> variables = new LinkedHashMap<>();
  private final Map<String, List<Op>> updates = new LinkedHashMap<>();
  private final Map<String, List<Operand<TFloat32>>> penalties = new LinkedHashMap<>();
  private final Set<String> frozenNames = new LinkedHashSet<>();
  private final Map<String, Double> multipliers = new LinkedHashMap<>();

  public VariableStore(Ops tf) {
    this(tf, (scope, kind) -> scope);
  }

  /** A store whose variables are placed by {@code placement}. */
  public VariableStore(Ops tf, Placement placement) {
    this.tf = tf;
    this.variableScope = tf.withSubScope(OP_SCOPE);
    this.placement = placement;
  }

  /**
   * Freezes, from now on, every {@link Kind#TRAINABLE} variable created with a name that one of
   * {@code names} covers (the name itself, or a prefix of it followed by {@code /}); see {@link
   * #isFrozen}. Call it before the models are built.
   */
  public void freeze(Collection<String> names) {
    frozenNames.addAll(names);
  }

  /**
   * Sets the learning-rate multiplier of every trainable variable created from now on with a name
   * one of {@code multipliers}' keys covers; where several cover a name, the longest applies. Call
   * it before the models are built.
   */
  public void multiplyLearningRate(Map<String, Double> multipliers) {
    this.multipliers.putAll(multipliers);
  }

  /**
   * Whether a {@link #freeze} rule covers {@code path}: a variable's name, or a layer's or scope's
   * path such as {@code logits/batch_norm}.
   */
  public boolean isFrozen(String path) {
    for (String name : frozenNames) {
      if (covers(name, path)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether the rule {@code name} covers {@code path}: it is {@code path} or a prefix up to a /.
   */
  public static boolean covers(String name, String path) {
    return path.equals(name) || (path.startsWith(name) && path.charAt(name.length()) == '/');
  }

  /**
   * The {@link #freeze} and {@link #multiplyLearningRate} rules that apply to no variable, each
   * described with what it was set by: a freeze name must cover a variable it froze (a name
   * covering only model state, such as a moving mean, does not freeze it: freeze its layer), a
   * multiplier name a variable that is trained. Empty when every rule applies.
   */
  public List<String> unusedRules() {
    List<String> unused = new ArrayList<>();
    for (String name : frozenNames) {
      List<Variable<?>> covered = covered(name);
      if (covered.stream().noneMatch(Variable::frozen)) {
        unused.add(
            "freeze '"
                + name
                + "' "
                + (covered.isEmpty()
                    ? "covers no variable"
                    : "covers only model state "
                        + covered.stream().map(Variable::name).toList()
                        + ", which its layer updates: freeze the layer itself"));
      }
    }
    for (String name : multipliers.keySet()) {
      List<Variable<?>> covered = covered(name);
      if (covered.stream().noneMatch(v -> v.kind() == Kind.TRAINABLE && !v.frozen())) {
        unused.add(
            "learningRateMultiplier '"
                + name
                + "' "
                + (covered.isEmpty() ? "covers no variable" : "covers no trained variable"));
      }
    }
    return unused;
  }

  private List<Variable<?>> covered(String name) {
    List<Variable<?>> covered = new ArrayList<>();
    for (Variable<?> variable : variables.values()) {
      if (covers(name, variable.name())) {
        covered.add(variable);
      }
    }
    return covered;
  }

  private double multiplierOf(String name) {
    String longest = null;
    for (String rule : multipliers.keySet()) {
      if (covers(rule, name) && (longest == null || rule.length() > longest.length())) {
        longest = rule;
      }
    }
    return longest == null ? 1.0 : multipliers.get(longest);
  }

  /**
   * Creates a variable initialised to {@code initialValue}, frozen if a {@link #freeze} rule covers
   * its name.
   *
   * @throws IllegalArgumentException if a variable of that name exists
   */
  public <T extends TType> Variable<T> create(
      String name, String group, Kind kind, Class<T> type, Shape shape, Operand<T> initialValue) {
    return create(name, group, kind, type, shape, initialValue, false);
  }

  /**
   * Creates a variable initialised to {@code initialValue}; a {@link Kind#TRAINABLE} or {@link
   * Kind#MODEL_STATE} one is {@linkplain Variable#frozen() frozen} if {@code frozen} says so (its
   * layer is frozen) or, for a trainable one, a {@link #freeze} rule covers its name.
   *
   * @throws IllegalArgumentException if a variable of that name exists
   */
  public <T extends TType> Variable<T> create(
      String name,
      String group,
      Kind kind,
      Class<T> type,
      Shape shape,
      Operand<T> initialValue,
      boolean frozen) {
    if (variables.containsKey(name)) {
      throw new IllegalArgumentException("a variable named '" + name + "' already exists");
    }
    Ops scoped = placement.place(scopeOf(name), kind);
    Operand<? extends TType> handle =
        scoped.withName("handle").varHandleOp(type, shape, VarHandleOp.sharedName(name));
    Op initializer = scoped.withName("initialize").assignVariableOp(handle, initialValue);
    Operand<T> read = scoped.withName("read").readVariableOp(handle, type);
    boolean weight = kind == Kind.TRAINABLE || kind == Kind.MODEL_STATE;
    boolean isFrozen = weight && (frozen || (kind == Kind.TRAINABLE && isFrozen(name)));
    double multiplier = kind == Kind.TRAINABLE && !isFrozen ? multiplierOf(name) : 1.0;
    Variable<T> variable =
        new Variable<>(
            name, group, kind, type, shape, handle, read, initializer, isFrozen, multiplier);
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

  /**
   * Trainable variables of the given groups, or of every group if {@code groups} is empty; frozen
   * ones left out.
   */
  public List<Variable<?>> trainable(Collection<String> groups) {
    List<Variable<?>> selected = new ArrayList<>();
    for (Variable<?> variable : ofKind(Kind.TRAINABLE)) {
      if (!variable.frozen() && (groups.isEmpty() || groups.contains(variable.group()))) {
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

  /**
   * The name scope of {@code name}'s ops, {@code variables/a/b/c}: one scope per part, each made
   * once and shared by the variables under it, so that no part is renamed to keep it unique.
   */
  private Ops scopeOf(String name) {
    Ops scope = variableScope;
    String path = null;
    for (String part : name.split("/")) {
      path = path == null ? part : path + "/" + part;
      Ops parent = scope;
      scope =
          scopes.computeIfAbsent(
              path, key -> parent.withSubScope(part.replaceAll("[^A-Za-z0-9_.-]", "_")));
    }
    return scope;
  }
}
