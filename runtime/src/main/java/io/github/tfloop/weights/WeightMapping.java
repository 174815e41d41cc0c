package io.github.tfloop.weights;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * How the entries of a {@link WeightSource} map onto variables: by name, with explicit renames
 * where the names differ. {@link #plan} checks the whole mapping at once and throws one {@link
 * WeightMappingException} listing every problem: a variable no entry maps to, a type or shape that
 * differs, two entries for one variable, a rename naming an entry or variable that does not exist,
 * and (when {@link Builder#strict() strict}) an entry no variable takes.
 *
 * <p>Each source entry's name (or {@link WeightEntry#fullName() full name}, with {@link
 * Builder#byFullName()}) becomes a variable name by the first rule that applies:
 *
 * <ol>
 *   <li>an exact {@link Builder#rename(String, String) rename};
 *   <li>the longest matching {@link Builder#renamePrefix(String, String) prefix rename};
 *   <li>the {@link Builder#rename(Function) naming function}, if it returns a name;
 *   <li>else the name itself.
 * </ol>
 *
 * <pre>{@code
 * // A Keras 2 MLP (dense_6: 784 -> 128, dense_7: 128 -> 10) onto a loop's @Model "logits".
 * WeightMapping mapping = WeightMapping.builder()
 *     .renamePrefix("dense_6/", "logits/dense/")
 *     .renamePrefix("dense_7/", "logits/dense_1/")
 *     .build();
 * }</pre>
 */
public final class WeightMapping {

  private final Map<String, String> renames;
  private final Map<String, String> prefixes;
  private final Function<String, String> naming;
  private final Predicate<String> skip;
  private final Predicate<String> keepInitial;
  private final boolean strict;
  private final boolean byFullName;

  private WeightMapping(Builder builder) {
    this.renames = new LinkedHashMap<>(builder.renames);
    this.prefixes = new LinkedHashMap<>(builder.prefixes);
    this.naming = builder.naming;
    this.skip = builder.skip;
    this.keepInitial = builder.keepInitial;
    this.strict = builder.strict;
    this.byFullName = builder.byFullName;
  }

  /** A mapping by name, with no renames: each entry loads into the variable of its own name. */
  public static WeightMapping byName() {
    return builder().build();
  }

  /** A builder of a mapping. */
  public static Builder builder() {
    return new Builder();
  }

  /** The variable name the entry {@code entry} maps to under this mapping's rules. */
  public String variableFor(WeightEntry entry) {
    String name = byFullName ? entry.fullName() : entry.name();
    String renamed = renames.get(name);
    if (renamed != null) {
      return renamed;
    }
    String longest = null;
    for (String prefix : prefixes.keySet()) {
      if (name.startsWith(prefix) && (longest == null || prefix.length() > longest.length())) {
        longest = prefix;
      }
    }
    if (longest != null) {
      return prefixes.get(longest) + name.substring(longest.length());
    }
    if (naming != null) {
      String named = naming.apply(name);
      if (named != null) {
        return named;
      }
    }
    return name;
  }

  /**
   * Maps the entries of {@code source} onto {@code targets}.
   *
   * @throws WeightMappingException listing every problem, if there is any
   */
  public WeightPlan plan(WeightSource source, Collection<WeightTarget> targets) {
    return plan(source.description(), source.entries(), targets);
  }

  /**
   * Maps {@code entries}, described as {@code description}, onto {@code targets}.
   *
   * @throws WeightMappingException listing every problem, if there is any
   */
  public WeightPlan plan(
      String description, List<WeightEntry> entries, Collection<WeightTarget> targets) {
    Map<String, WeightTarget> byName = new LinkedHashMap<>();
    for (WeightTarget target : targets) {
      byName.put(target.name(), target);
    }
    List<String> problems = new ArrayList<>();
    Map<String, WeightEntry> sourceNames = new LinkedHashMap<>();
    for (WeightEntry entry : entries) {
      sourceNames.put(byFullName ? entry.fullName() : entry.name(), entry);
    }
    renames.forEach(
        (from, to) -> {
          if (!sourceNames.containsKey(from)) {
            problems.add(
                "rename: '"
                    + from
                    + "' -> '"
                    + to
                    + "' names a source entry the source does not hold"
                    + hint(from, sourceNames.keySet()));
          } else if (!byName.containsKey(to)) {
            problems.add(
                "rename: '"
                    + from
                    + "' -> '"
                    + to
                    + "' names a variable the loop does not have"
                    + hint(to, byName.keySet()));
          }
        });
    prefixes.forEach(
        (from, to) -> {
          if (sourceNames.keySet().stream().noneMatch(name -> name.startsWith(from))) {
            problems.add(
                "rename: prefix '" + from + "' -> '" + to + "' matches no source entry's name");
          }
        });

    Map<String, WeightEntry> chosen = new LinkedHashMap<>();
    List<WeightEntry> unused = new ArrayList<>();
    List<WeightEntry> skipped = new ArrayList<>();
    for (WeightEntry entry : entries) {
      String name = byFullName ? entry.fullName() : entry.name();
      if (skip.test(name)) {
        skipped.add(entry);
        continue;
      }
      String variable = variableFor(entry);
      WeightTarget target = byName.get(variable);
      if (target == null) {
        unused.add(entry);
        if (strict) {
          problems.add(
              "unused: source entry "
                  + entry
                  + (variable.equals(name) ? "" : " (renamed to '" + variable + "')")
                  + " maps to no variable"
                  + hint(variable, byName.keySet()));
        }
        continue;
      }
      WeightEntry earlier = chosen.putIfAbsent(variable, entry);
      if (earlier != null) {
        problems.add(
            "duplicate: variable "
                + target
                + " is the target of both "
                + earlier.name()
                + " and "
                + entry.name());
        continue;
      }
      if (entry.type() != target.type()) {
        problems.add(
            "type: variable "
                + target
                + " is "
                + target.type()
                + ", but source entry "
                + entry
                + " is "
                + entry.type());
      } else if (!entry.shape().equals(target.shape())) {
        problems.add(
            "shape: variable "
                + target
                + " has shape "
                + WeightTarget.describe(target.shape())
                + ", but source entry "
                + entry
                + " has shape "
                + WeightTarget.describe(entry.shape()));
      } else if (entry.type() == WeightType.OTHER) {
        problems.add("type: source entry " + entry + " has a type that cannot be read");
      }
    }

    List<WeightPlan.Assignment> assignments = new ArrayList<>();
    List<WeightTarget> keptInitial = new ArrayList<>();
    for (WeightTarget target : byName.values()) {
      WeightEntry entry = chosen.get(target.name());
      if (entry != null) {
        assignments.add(new WeightPlan.Assignment(entry, target));
      } else if (keepInitial.test(target.name())) {
        keptInitial.add(target);
      } else {
        problems.add(
            "missing: variable " + target + " gets no source entry" + candidates(target, unused));
      }
    }
    if (!problems.isEmpty()) {
      throw new WeightMappingException(message(description, entries, targets, problems), problems);
    }
    return new WeightPlan(description, assignments, keptInitial, unused, skipped);
  }

  /** Unused entries of the target's type and shape, the likely ones to rename. */
  private static String candidates(WeightTarget target, List<WeightEntry> unused) {
    List<String> fits = new ArrayList<>();
    for (WeightEntry entry : unused) {
      if (entry.type() == target.type() && entry.shape().equals(target.shape())) {
        fits.add(entry.name());
      }
    }
    if (fits.isEmpty()) {
      return "";
    }
    return "; unused source entries of that type and shape: "
        + String.join(", ", fits.subList(0, Math.min(5, fits.size())))
        + (fits.size() > 5 ? ", ..." : "");
  }

  /** "; did you mean 'x'?" for the known name closest to {@code name}, if one is close. */
  private static String hint(String name, Collection<String> known) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : known) {
      int distance = distance(name, candidate);
      if (distance < bestDistance) {
        best = candidate;
        bestDistance = distance;
      }
    }
    return best != null && bestDistance <= Math.max(2, name.length() / 4)
        ? "; did you mean '" + best + "'?"
        : "";
  }

  private static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        current[j] =
            Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }

  private static String message(
      String description,
      List<WeightEntry> entries,
      Collection<WeightTarget> targets,
      List<String> problems) {
    StringBuilder text = new StringBuilder();
    text.append(problems.size())
        .append(problems.size() == 1 ? " problem" : " problems")
        .append(" mapping weights from ")
        .append(description)
        .append(" onto ")
        .append(targets.size())
        .append(" variables:\n");
    for (String problem : problems) {
      text.append("  ").append(problem).append('\n');
    }
    appendList(text, "The source holds", entries);
    appendList(text, "The variables are", targets);
    return text.toString();
  }

  private static void appendList(StringBuilder text, String title, Collection<?> items) {
    final int shown = 40;
    text.append(title).append(" (").append(items.size()).append("):\n");
    int count = 0;
    for (Object item : items) {
      if (count++ == shown) {
        text.append("  ... and ").append(items.size() - shown).append(" more\n");
        break;
      }
      text.append("  ").append(item).append('\n');
    }
  }

  /** Builds a {@link WeightMapping}. */
  public static final class Builder {
    private final Map<String, String> renames = new LinkedHashMap<>();
    private final Map<String, String> prefixes = new LinkedHashMap<>();
    private Function<String, String> naming;
    private Predicate<String> skip = name -> false;
    private Predicate<String> keepInitial = name -> false;
    private boolean strict;
    private boolean byFullName;

    private Builder() {}

    /**
     * Loads the source entry {@code sourceName} into the variable {@code variable}. Both must
     * exist: a rename naming an entry or variable that does not is reported as a problem.
     */
    public Builder rename(String sourceName, String variable) {
      Objects.requireNonNull(sourceName, "sourceName");
      Objects.requireNonNull(variable, "variable");
      String earlier = renames.putIfAbsent(sourceName, variable);
      if (earlier != null && !earlier.equals(variable)) {
        throw new IllegalArgumentException(
            "'"
                + sourceName
                + "' is renamed twice: to '"
                + earlier
                + "' and to '"
                + variable
                + "'");
      }
      return this;
    }

    /**
     * Replaces the prefix {@code sourcePrefix} of entry names by {@code variablePrefix}: with
     * {@code ("dense_6/", "logits/dense/")}, {@code dense_6/kernel} loads into {@code
     * logits/dense/kernel}. The longest matching prefix applies; a prefix that matches no entry is
     * reported as a problem.
     */
    public Builder renamePrefix(String sourcePrefix, String variablePrefix) {
      Objects.requireNonNull(sourcePrefix, "sourcePrefix");
      Objects.requireNonNull(variablePrefix, "variablePrefix");
      if (prefixes.putIfAbsent(sourcePrefix, variablePrefix) != null) {
        throw new IllegalArgumentException("prefix '" + sourcePrefix + "' is renamed twice");
      }
      return this;
    }

    /**
     * Names the variable of each entry that no rename matches: {@code naming} returns the
     * variable's name, or {@code null} to keep the entry's own name.
     */
    public Builder rename(Function<String, String> naming) {
      this.naming = Objects.requireNonNull(naming, "naming");
      return this;
    }

    /**
     * Leaves out the source entries whose names {@code skip} accepts, such as optimizer state
     * ({@code name -> name.startsWith("optimizer/")}); they are never loaded nor reported unused.
     */
    public Builder skip(Predicate<String> skip) {
      this.skip = this.skip.or(Objects.requireNonNull(skip, "skip"));
      return this;
    }

    /**
     * Lets the variables whose names {@code variables} accepts keep their initial values when no
     * entry maps to them, such as a new classification head: {@code name ->
     * name.startsWith("head/")}. Without this, every variable must get an entry.
     */
    public Builder keepInitial(Predicate<String> variables) {
      this.keepInitial = this.keepInitial.or(Objects.requireNonNull(variables, "variables"));
      return this;
    }

    /** Makes every source entry that maps to no variable (and is not skipped) a problem. */
    public Builder strict() {
      this.strict = true;
      return this;
    }

    /**
     * Matches and renames by each entry's {@link WeightEntry#fullName()} instead of its key: in an
     * object-based checkpoint, {@code dense/kernel} instead of {@code
     * layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE}.
     */
    public Builder byFullName() {
      this.byFullName = true;
      return this;
    }

    /** The mapping. */
    public WeightMapping build() {
      return new WeightMapping(this);
    }
  }
}
