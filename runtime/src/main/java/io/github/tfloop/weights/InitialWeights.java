package io.github.tfloop.weights;

import java.nio.file.Path;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import org.tensorflow.Operand;
import org.tensorflow.Session;

/**
 * Pretrained weights a loop starts from: a weight file and how its entries map onto the loop's
 * variables. A loop {@link #plan plans} the load while it builds its graph, so that every mismatch
 * is reported before a session opens, then {@link #load loads} the plan once its variables are
 * initialised.
 *
 * <pre>{@code
 * InitialWeights pretrained = InitialWeights.from(
 *     Path.of("mnist.h5"),
 *     WeightMapping.builder()
 *         .renamePrefix("dense_6/", "logits/dense/")
 *         .renamePrefix("dense_7/", "logits/dense_1/")
 *         .build());
 * }</pre>
 */
public final class InitialWeights {

  private final Path file;
  private final WeightMapping mapping;

  private InitialWeights(Path file, WeightMapping mapping) {
    this.file = Objects.requireNonNull(file, "file");
    this.mapping = Objects.requireNonNull(mapping, "mapping");
  }

  /** The weights in {@code file} (anything {@link WeightSource#open} reads), mapped by name. */
  public static InitialWeights from(Path file) {
    return new InitialWeights(file, WeightMapping.byName());
  }

  /** The weights in {@code file}, mapped by {@code mapping}. */
  public static InitialWeights from(Path file, WeightMapping mapping) {
    return new InitialWeights(file, mapping);
  }

  /** The weight file. */
  public Path file() {
    return file;
  }

  /** How its entries map onto variables. */
  public WeightMapping mapping() {
    return mapping;
  }

  /**
   * Checks the mapping against {@code targets}, reading only the file's list of entries.
   *
   * @throws WeightFileException if the file cannot be read
   * @throws WeightMappingException listing every mismatch
   */
  public WeightPlan plan(Collection<WeightTarget> targets) {
    try (WeightSource source = WeightSource.open(file)) {
      return mapping.plan(source, targets);
    }
  }

  /**
   * Loads {@code plan} (from {@link #plan}) into the variables whose handles are given, by name.
   *
   * @throws WeightFileException if a value cannot be read (a checksum mismatch, a short file)
   */
  public void load(Session session, WeightPlan plan, Map<String, ? extends Operand<?>> handles) {
    try (WeightSource source = WeightSource.open(file)) {
      WeightAssigner.assign(session, source, plan, handles);
    }
  }

  @Override
  public String toString() {
    return "InitialWeights[" + file + "]";
  }
}
