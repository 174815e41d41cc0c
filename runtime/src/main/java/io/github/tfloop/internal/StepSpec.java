package io.github.tfloop.internal;

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

  void requireComplete() {
    if (loss == null || optimizer == null || learningRate == null) {
      throw new IllegalStateException(
          "step '" + name + "' needs a loss, an optimizer and a learning rate");
    }
  }
}
