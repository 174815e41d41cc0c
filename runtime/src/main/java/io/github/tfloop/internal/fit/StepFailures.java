package io.github.tfloop.internal.fit;

import io.github.tfloop.data.IdxFile;
import io.github.tfloop.data.InputSpec;
import io.github.tfloop.internal.build.NonFiniteGuard.StepGuard;
import io.github.tfloop.internal.engine.LoopEngine;
import io.github.tfloop.internal.session.Batch;
import io.github.tfloop.train.NonFiniteException;
import io.github.tfloop.train.TrainingException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Turns a training step that TensorFlow failed into an exception a user can act on: a {@link
 * NonFiniteException} when the non-finite guard or a numerics check stopped it (naming the first
 * non-finite tensor, found by a diagnosis run on the same batch, and with {@code debugNumerics}
 * dumping the batch), else a {@link TrainingException} saying where it failed.
 */
final class StepFailures {

  /**
   * Where a batch of a fit is.
   *
   * @param globalStep its number over the loop's life, from 1
   * @param epoch from 1
   * @param batch within the epoch, from 1
   */
  record Where(long globalStep, int epoch, int batch) {
    @Override
    public String toString() {
      return "global step " + globalStep + " (epoch " + epoch + ", batch " + batch + ")";
    }
  }

  private StepFailures() {}

  /**
   * The exception to throw for {@code failure}.
   *
   * @param examples which examples the batch holds, for the dump
   * @param dumpDirectory where to dump a non-finite batch, or {@code null}
   */
  static RuntimeException translate(
      LoopEngine engine,
      RuntimeException failure,
      Batch batch,
      Where where,
      String examples,
      Path dumpDirectory) {
    StepGuard guard = engine.guardThatFailed(failure);
    if (guard == null) {
      return new TrainingException(
          engine.name() + ": training failed at " + where + ": " + failure.getMessage(), failure);
    }
    String tensor = engine.firstNonFiniteOrOverflow(guard, batch);
    Path dump = null;
    String dumpNote = "";
    if (dumpDirectory != null) {
      try {
        dump = dump(engine, batch, where, tensor, examples, dumpDirectory);
        dumpNote = "; the batch is in " + dump;
      } catch (IOException e) {
        dumpNote = "; the batch could not be dumped: " + e.getMessage();
      }
    }
    String message =
        engine.name()
            + ": step '"
            + guard.stepName()
            + "' met a non-finite value at "
            + where
            + ": the first is "
            + tensor
            + "; the update was not applied"
            + dumpNote;
    return new NonFiniteException(
        message,
        guard.stepName(),
        where.globalStep(),
        where.epoch(),
        where.batch(),
        tensor,
        dump,
        failure);
  }

  /** Writes each input of the batch as an IDX file, and what the batch was, into a directory. */
  private static Path dump(
      LoopEngine engine,
      Batch batch,
      Where where,
      String tensor,
      String examples,
      Path dumpDirectory)
      throws IOException {
    Path directory = dumpDirectory.resolve("non-finite-step-" + where.globalStep());
    Files.createDirectories(directory);
    StringBuilder about =
        new StringBuilder()
            .append("loop: ")
            .append(engine.name())
            .append('\n')
            .append("where: ")
            .append(where)
            .append('\n')
            .append("first non-finite: ")
            .append(tensor)
            .append('\n');
    List<InputSpec> inputs = engine.inputs();
    for (int slot = 0; slot < inputs.size(); slot++) {
      InputSpec input = inputs.get(slot);
      Path file = directory.resolve(input.name() + ".idx");
      IdxFile.write(file, batch.values(slot), input.dtype(), batch.size(), input.exampleShape());
      about
          .append("input ")
          .append(input.name())
          .append(": ")
          .append(file.getFileName())
          .append('\n');
    }
    about.append(examples).append('\n');
    Files.writeString(directory.resolve("batch.txt"), about, StandardCharsets.UTF_8);
    return directory;
  }
}
