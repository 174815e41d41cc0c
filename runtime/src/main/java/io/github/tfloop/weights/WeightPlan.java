package io.github.tfloop.weights;

import java.util.List;

/**
 * What a {@link WeightMapping} decided: which source entry each variable gets, which variables keep
 * their initial values, and which source entries go unused. Every assignment in a plan matches its
 * variable's type and shape. {@link #report()} prints it.
 *
 * @param source the source's {@link WeightSource#description()}
 * @param assignments each loaded variable with the entry it gets, in the variables' order
 * @param keptInitial the variables that keep their initial values (allowed by {@link
 *     WeightMapping.Builder#keepInitial})
 * @param unused source entries no variable gets (not counting skipped ones)
 * @param skipped source entries the mapping skipped on purpose
 */
public record WeightPlan(
    String source,
    List<Assignment> assignments,
    List<WeightTarget> keptInitial,
    List<WeightEntry> unused,
    List<WeightEntry> skipped) {

  /** Copies the lists. */
  public WeightPlan {
    assignments = List.copyOf(assignments);
    keptInitial = List.copyOf(keptInitial);
    unused = List.copyOf(unused);
    skipped = List.copyOf(skipped);
  }

  /**
   * One variable and the source entry loaded into it.
   *
   * @param entry the source entry
   * @param target the variable
   */
  public record Assignment(WeightEntry entry, WeightTarget target) {}

  /** The number of values loaded, summed over every assignment. */
  public long values() {
    long total = 0;
    for (Assignment assignment : assignments) {
      total += assignment.target().shape().size();
    }
    return total;
  }

  /**
   * A readable account of the plan: one line per loaded variable with the entry it comes from, then
   * the variables that keep their initial values and the source entries not used.
   */
  public String report() {
    StringBuilder text = new StringBuilder();
    text.append("Weights from ")
        .append(source)
        .append(": ")
        .append(assignments.size())
        .append(assignments.size() == 1 ? " variable" : " variables")
        .append(", ")
        .append(values())
        .append(" values\n");
    int width = 0;
    for (Assignment assignment : assignments) {
      width = Math.max(width, assignment.target().toString().length());
    }
    for (Assignment assignment : assignments) {
      String target = assignment.target().toString();
      text.append("  ")
          .append(target)
          .append(" ".repeat(width - target.length()))
          .append("  <- ")
          .append(assignment.entry().name())
          .append('\n');
    }
    list(text, "Kept their initial values", keptInitial);
    list(text, "Source entries not used", unused);
    list(text, "Source entries skipped", skipped);
    return text.toString();
  }

  private static void list(StringBuilder text, String title, List<?> items) {
    if (items.isEmpty()) {
      return;
    }
    text.append(title).append(" (").append(items.size()).append("):\n");
    for (Object item : items) {
      text.append("  ").append(item).append('\n');
    }
  }

  @Override
  public String toString() {
    return report();
  }
}
