package io.github.tfloop.internal;

import io.github.tfloop.checkpoint.CheckpointPolicy;
import io.github.tfloop.data.Dataset;
import io.github.tfloop.data.stream.StreamingDataset;
import io.github.tfloop.data.stream.TfRecordWriter;
import io.github.tfloop.train.FitControl;
import io.github.tfloop.train.LoopOptions;
import io.github.tfloop.train.TrainingListener;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The child JVM of {@link StreamKillAndResumeTest}: resumes (or starts) a fit of {@link Regression}
 * on TFRecord files streamed through a shuffle buffer, with checkpoints every few steps; prints
 * {@code ready} once the loop is built and {@code step N} every {@value #REPORT_EVERY} steps, and
 * writes the global step and final weights to a file. {@link #write} makes the files, once.
 *
 * <pre>java ... ResumableStreamTraining DATA_DIR CHECKPOINT_DIR WEIGHTS_FILE</pre>
 */
public final class ResumableStreamTraining {

  static final int EPOCHS = 4;
  static final int EXAMPLES = 244;
  static final int CHECKPOINT_EVERY_STEPS = 5;
  static final int REPORT_EVERY = 3;

  private ResumableStreamTraining() {}

  /** Writes the training and validation files into {@code directory}. */
  static void write(Path directory) throws IOException {
    TfRecordWriter.write(directory, "train", Regression.data(EXAMPLES, 5), 3);
    TfRecordWriter.write(directory, "validation", Regression.data(40, 6), 1);
  }

  static Dataset stream(Path directory, String prefix, int buffer) throws IOException {
    return StreamingDataset.tfRecords(
            StreamingDataset.files(directory, prefix + "-*.tfrecord"),
            Regression.X,
            "x",
            Regression.Y,
            "y")
        .shuffleBuffer(buffer)
        .readers(2)
        .dataset();
  }

  public static void main(String[] args) throws IOException {
    Path data = Path.of(args[0]);
    Path checkpoints = Path.of(args[1]);
    Path weightsFile = Path.of(args[2]);
    LoopOptions options =
        LoopOptions.builder()
            .epochs(EPOCHS)
            .intraOpThreads(1)
            .interOpThreads(1)
            .checkpoints(CheckpointPolicy.in(checkpoints).everySteps(CHECKPOINT_EVERY_STEPS))
            .listener(
                new TrainingListener() {
                  @Override
                  public void onBatchEnd(FitControl control, int epoch, int batch) {
                    if (control.globalStep() % REPORT_EVERY == 0) {
                      System.out.println("step " + control.globalStep());
                      System.out.flush();
                    }
                  }
                })
            .build();
    try (Trainer engine = Regression.adam(options, 0.01)) {
      System.out.println("ready");
      System.out.flush();
      engine.resume(stream(data, "train", 50), stream(data, "validation", 0));
      float[] weights = Regression.weights(engine);
      try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(weightsFile))) {
        out.writeLong(engine.globalStep());
        for (float weight : weights) {
          out.writeFloat(weight);
        }
      }
    }
    System.out.println("done");
  }
}
