package io.github.tfloop.internal.build;

import io.github.tfloop.optim.Clipping;
import io.github.tfloop.optim.LearningRate;
import io.github.tfloop.optim.Optimizer;
import java.util.List;
import java.util.Objects;

/**
 * One {@code @Step} as the generated code declares it: the loss it minimises, the optimizer, the
 * learning rate and the variable groups it trains (none named: every trainable variable).
 */
public final class StepSpec {

  private final String name;
  private String loss;
  private Optimizer optimizer;
  private LearningRate learningRate;
  private List<String> variableGroups = List.of();
  private Clipping clipping = Clipping.none();
  private int every = 1;

  private StepSpec(String name) {
    this.name = Objects.requireNonNull(name, "name");
  }

  public static StepSpec named(String name) {
    return new StepSpec(name);
  }

  /** The name of the {@code @Loss} this step minimises. */
  public StepSpec minimizing(String lossName) {
    this.loss = Objects.requireNonNull(lossName, "lossName");
    return this;
  }

  public StepSpec optimizer(Optimizer optimizer) {
    this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
    return this;
  }

  public StepSpec learningRate(LearningRate learningRate) {
    this.learningRate = Objects.requireNonNull(learningRate, "learningRate");
    return this;
  }

  /** The {@code @Model} groups whose variables this step trains. */
  public StepSpec variables(String... groups) {
    this.variableGroups = List.of(groups);
    return this;
  }

  /** How the step clips its gradients; none by default. */
  public StepSpec clipping(Clipping clipping) {
    this.clipping = Objects.requireNonNull(clipping, "clipping");
    return this;
  }

  /**
   * Runs the step on every {@code every}-th batch only (the {@code every}-th, {@code 2 * every}-th,
   * ...), for schedules such as five critic updates per generator update.
   */
  public StepSpec every(int every) {
    if (every < 1) {
      throw new IllegalArgumentException("step '" + name + "': every must be >= 1, got " + every);
    }
    this.every = every;
    return this;
  }

  String name() {
    return name;
  }

  String loss() {
    return loss;
  }

  Optimizer optimizer() {
    return optimizer;
  }

  LearningRate learningRate() {
    return learningRate;
  }

  List<String> variableGroups() {
    return variableGroups;
  }

  Clipping clipping() {
    return clipping;
  }

  int every() {
    return every;
  }

  void requireComplete() {
    if (loss == null || optimizer == null || learningRate == null) {
      throw new IllegalStateException(
          "step '" + name + "' needs a loss, an optimizer and a learning rate");
    }
  }
}
