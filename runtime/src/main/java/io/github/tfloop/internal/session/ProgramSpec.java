package io.github.tfloop.internal.session;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;

/**
 * What a {@link Program} feeds, runs and fetches.
 *
 * @param feeds placeholders, in the order {@link Program#bind} numbers them
 * @param targets ops run for their effect
 * @param fetch the output read back, or {@code null}
 */
public record ProgramSpec(List<Operand<?>> feeds, List<Op> targets, Operand<?> fetch) {

  public ProgramSpec {
    feeds = List.copyOf(feeds);
    targets = List.copyOf(targets);
  }

  public ProgramSpec withFetch(Operand<?> output) {
    return new ProgramSpec(feeds, targets, output);
  }
}
