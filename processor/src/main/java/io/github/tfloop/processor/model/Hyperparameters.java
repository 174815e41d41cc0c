package io.github.tfloop.processor.model;

import io.github.tfloop.annotations.Optimizer;
import io.github.tfloop.annotations.Schedule;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What each optimizer and learning-rate schedule takes, written once: its parameters in the order
 * of the runtime factory's arguments, each with the kind of value it accepts and its default
 * ({@code null} for a required one). The validator checks {@code "name=value"} entries against it,
 * the model factory resolves them into typed values with the defaults filled in, and the writer
 * spells out every value in the generated code. Both tables switch over the annotation enums with
 * no {@code default}, so a new constant does not compile until it has its row here; tests check the
 * rows against the runtime's factories and the annotations' Javadoc.
 */
public final class Hyperparameters {

  /** The values a parameter accepts. */
  public enum Kind {
    UNIT_INTERVAL("a number in [0, 1)"),
    POSITIVE("a positive number"),
    NON_NEGATIVE("a number >= 0"),
    NON_POSITIVE("a number <= 0"),
    FRACTION("a number in [0, 1]"),
    BOOLEAN("true or false"),
    COUNT("a positive whole number"),
    NON_NEGATIVE_COUNT("a whole number >= 0"),
    INCREASING_COUNTS("increasing positive whole numbers separated by spaces"),
    POSITIVE_NUMBERS("positive numbers separated by spaces");

    private final String description;

    Kind(String description) {
      this.description = description;
    }

    /** What the value must be, for messages: {@code a number in [0, 1)}. */
    public String description() {
      return description;
    }

    /**
     * The value {@code text} stands for, as the runtime factory takes it; {@code text} must be
     * {@link #accepts accepted}.
     */
    public Value parse(String text) {
      return switch (this) {
        case UNIT_INTERVAL, POSITIVE, NON_NEGATIVE, NON_POSITIVE, FRACTION ->
            new Value.Number(Double.parseDouble(text));
        case BOOLEAN -> new Value.Flag(Boolean.parseBoolean(text));
        case COUNT, NON_NEGATIVE_COUNT -> new Value.Count(Long.parseLong(text));
        case INCREASING_COUNTS ->
            new Value.Counts(listItems(text).stream().map(Long::parseLong).toList());
        case POSITIVE_NUMBERS ->
            new Value.Numbers(listItems(text).stream().map(Double::parseDouble).toList());
      };
    }

    /** Whether {@code text} is a value of this kind. */
    public boolean accepts(String text) {
      try {
        return switch (this) {
          case UNIT_INTERVAL -> number(text) >= 0 && number(text) < 1;
          case POSITIVE -> number(text) > 0;
          case NON_NEGATIVE -> number(text) >= 0;
          case NON_POSITIVE -> number(text) <= 0;
          case FRACTION -> number(text) >= 0 && number(text) <= 1;
          case BOOLEAN -> text.equals("true") || text.equals("false");
          case COUNT -> Long.parseLong(text) > 0;
          case NON_NEGATIVE_COUNT -> Long.parseLong(text) >= 0;
          case INCREASING_COUNTS -> increasing(longs(text));
          case POSITIVE_NUMBERS -> positive(doubles(text));
        };
      } catch (NumberFormatException e) {
        return false;
      }
    }

    private static double number(String text) {
      double value = Double.parseDouble(text);
      if (Double.isNaN(value) || Double.isInfinite(value)) {
        throw new NumberFormatException(text);
      }
      return value;
    }

    private static boolean increasing(long[] values) {
      for (int i = 0; i < values.length; i++) {
        if (values[i] <= 0 || (i > 0 && values[i] <= values[i - 1])) {
          return false;
        }
      }
      return values.length > 0;
    }

    private static boolean positive(double[] values) {
      for (double value : values) {
        if (!(value > 0) || Double.isInfinite(value)) {
          return false;
        }
      }
      return values.length > 0;
    }
  }

  /** A parameter's value, typed as the runtime factory takes it. */
  public sealed interface Value {
    /** A {@code double}. */
    record Number(double value) implements Value {}

    /** A {@code long}. */
    record Count(long value) implements Value {}

    /** A {@code boolean}. */
    record Flag(boolean value) implements Value {}

    /** A {@code long[]}. */
    record Counts(List<Long> values) implements Value {}

    /** A {@code double[]}. */
    record Numbers(List<Double> values) implements Value {}
  }

  /** One parameter; {@code defaultValue} is {@code null} when it is required. */
  public record Parameter(String name, Kind kind, String defaultValue) {
    public boolean required() {
      return defaultValue == null;
    }
  }

  /** A parameter and the value a step gives it, or its default. */
  public record Setting(Parameter parameter, Value value) {}

  /** An algorithm's parameters, in the order of the runtime factory's arguments. */
  public record Signature(List<Parameter> parameters) {

    /** The names of the parameters, in order. */
    public List<String> names() {
      return parameters.stream().map(Parameter::name).toList();
    }

    /** The parameter of that name, or {@code null}. */
    public Parameter parameter(String name) {
      return parameters.stream().filter(p -> p.name().equals(name)).findFirst().orElse(null);
    }
  }

  private static final Parameter BETA1 = new Parameter("beta1", Kind.UNIT_INTERVAL, "0.9");
  private static final Parameter BETA2 = new Parameter("beta2", Kind.UNIT_INTERVAL, "0.999");
  private static final Parameter EPSILON = new Parameter("epsilon", Kind.POSITIVE, "1e-7");
  private static final Parameter INITIAL_ACCUMULATOR =
      new Parameter("initialAccumulatorValue", Kind.POSITIVE, "0.1");
  private static final Parameter L1 = new Parameter("l1Strength", Kind.NON_NEGATIVE, "0");
  private static final Parameter L2 = new Parameter("l2Strength", Kind.NON_NEGATIVE, "0");
  private static final Parameter DECAY_STEPS = new Parameter("decaySteps", Kind.COUNT, null);

  private Hyperparameters() {}

  /** What {@code optimizer} takes. */
  public static Signature optimizer(Optimizer optimizer) {
    return switch (optimizer) {
      case SGD -> new Signature(List.of());
      case MOMENTUM ->
          new Signature(
              List.of(
                  new Parameter("momentum", Kind.UNIT_INTERVAL, "0.9"),
                  new Parameter("nesterov", Kind.BOOLEAN, "false")));
      case ADAM, ADAMAX, NADAM -> new Signature(List.of(BETA1, BETA2, EPSILON));
      case RMSPROP ->
          new Signature(
              List.of(
                  new Parameter("rho", Kind.UNIT_INTERVAL, "0.9"),
                  new Parameter("momentum", Kind.UNIT_INTERVAL, "0"),
                  EPSILON,
                  new Parameter("centered", Kind.BOOLEAN, "false")));
      case ADAGRAD -> new Signature(List.of(INITIAL_ACCUMULATOR, EPSILON));
      case ADAGRAD_DA -> new Signature(List.of(INITIAL_ACCUMULATOR, L1, L2));
      case ADADELTA ->
          new Signature(List.of(new Parameter("rho", Kind.UNIT_INTERVAL, "0.95"), EPSILON));
      case FTRL ->
          new Signature(
              List.of(
                  new Parameter("learningRatePower", Kind.NON_POSITIVE, "-0.5"),
                  INITIAL_ACCUMULATOR,
                  L1,
                  L2,
                  new Parameter("l2ShrinkageStrength", Kind.NON_NEGATIVE, "0")));
    };
  }

  /**
   * What {@code schedule} takes besides the learning rate, which the runtime factory takes first.
   */
  public static Signature schedule(Schedule schedule) {
    return switch (schedule) {
      case CONSTANT -> new Signature(List.of());
      case EXPONENTIAL_DECAY ->
          new Signature(
              List.of(
                  DECAY_STEPS,
                  new Parameter("decayRate", Kind.POSITIVE, null),
                  new Parameter("staircase", Kind.BOOLEAN, "false")));
      case PIECEWISE_CONSTANT ->
          new Signature(
              List.of(
                  new Parameter("boundaries", Kind.INCREASING_COUNTS, null),
                  new Parameter("values", Kind.POSITIVE_NUMBERS, null)));
      case POLYNOMIAL_DECAY ->
          new Signature(
              List.of(
                  DECAY_STEPS,
                  new Parameter("endLearningRate", Kind.NON_NEGATIVE, "0.0001"),
                  new Parameter("power", Kind.POSITIVE, "1")));
      case COSINE_DECAY ->
          new Signature(
              List.of(
                  DECAY_STEPS,
                  new Parameter("alpha", Kind.FRACTION, "0"),
                  new Parameter("warmupSteps", Kind.NON_NEGATIVE_COUNT, "0")));
    };
  }

  /** {@code name=value} split at the first {@code =}, both trimmed; {@code null} if malformed. */
  public static String[] split(String entry) {
    int equals = entry.indexOf('=');
    if (equals <= 0) {
      return null;
    }
    return new String[] {entry.substring(0, equals).trim(), entry.substring(equals + 1).trim()};
  }

  /**
   * Every parameter of {@code signature}, in order, with its value: the one given in {@code
   * entries}, else the default. The entries must have been validated.
   */
  public static List<Setting> resolve(Signature signature, List<String> entries) {
    Map<String, String> given = new LinkedHashMap<>();
    for (String entry : entries) {
      String[] pair = split(entry);
      given.put(pair[0], pair[1]);
    }
    List<Setting> settings = new ArrayList<>();
    for (Parameter parameter : signature.parameters()) {
      String text = given.getOrDefault(parameter.name(), parameter.defaultValue());
      settings.add(new Setting(parameter, parameter.kind().parse(text)));
    }
    return List.copyOf(settings);
  }

  static long[] longs(String text) {
    return listItems(text).stream().mapToLong(Long::parseLong).toArray();
  }

  static double[] doubles(String text) {
    return listItems(text).stream().mapToDouble(Double::parseDouble).toArray();
  }

  /** The numbers of a list value, as written, such as {@code [1000, 5000]}. */
  public static List<String> listItems(String text) {
    return new ArrayList<>(List.of(text.trim().split("[\\s,;]+")));
  }
}
