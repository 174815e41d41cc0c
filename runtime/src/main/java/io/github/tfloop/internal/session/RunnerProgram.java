package io.github.tfloop.internal.session;

import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.op.Op;
import org.tensorflow.types.TFloat32;

/**
 * A {@link Program} on TensorFlow Java's {@code Session.Runner}, rebuilt only when a feed changes.
 */
public final class RunnerProgram extends Program {

  private final Session session;
  private final ProgramSpec spec;
  private final Tensor[] feeds;
  private Session.Runner runner;

  public RunnerProgram(Session session, ProgramSpec spec) {
    this.session = session;
    this.spec = spec;
    this.feeds = new Tensor[spec.feeds().size()];
  }

  @Override
  public void bind(int index, Tensor tensor) {
    if (feeds[index] != tensor) {
      feeds[index] = tensor;
      runner = null;
    }
  }

  private Session.Runner runner() {
    if (runner == null) {
      Session.Runner prepared = session.runner();
      for (int i = 0; i < feeds.length; i++) {
        if (feeds[i] == null) {
          throw new IllegalStateException("feed " + spec.feeds().get(i) + " is not bound");
        }
        prepared.feed(spec.feeds().get(i), feeds[i]);
      }
      for (Op target : spec.targets()) {
        prepared.addTarget(target);
      }
      if (spec.fetch() != null) {
        prepared.fetch(spec.fetch());
      }
      runner = prepared;
    }
    return runner;
  }

  @Override
  public void run() {
    try (Result ignored = runner().run()) {
      // Results are closed unread: this run is for its effect.
    }
  }

  @Override
  public float runAndFetchScalar() {
    if (spec.fetch() == null) {
      throw new IllegalStateException("this program fetches nothing");
    }
    try (Result result = runner().run()) {
      return ((TFloat32) result.get(0)).getFloat();
    }
  }

  @Override
  public void close() {
    runner = null;
  }
}
