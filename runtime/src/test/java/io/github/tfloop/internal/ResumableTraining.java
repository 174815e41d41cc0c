package io.github.tfloop.internal;

import io.github.tfloop.checkpoint.CheckpointPolicy;
import io.github.tfloop.train.EarlyStopping;
import io.github.tfloop.train.FitControl;
import io.github.tfloop.train.LoopOptions;
import io.github.tfloop.train.TrainingListener;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The child JVM of {@link KillAndResumeTest}: resumes (or starts) a fit of {@link Regression} with
 * checkpoints every few steps (or, with {@code epochs}, after each epoch only), prints {@code
 * ready} once the loop is built, {@code step N} every {@value #REPORT_EVERY} steps and {@code done}
 * at the end, and writes the global step and final weights to a file. With {@code slow} each batch
 * also sleeps {@value #SLOW_MILLIS} ms (training is the same), so that another process can try the
 * directory meanwhile; with {@code early-stopping}, an early stopping that restores its best
 * weights ends the fit of up to 10 epochs after epoch 3, putting epoch 1's weights back. A resume
 * that is refused prints {@code refused: MESSAGE} and exits with status 3.
 *
 * <p>With {@code frozen}, the fit freezes {@link #FROZEN} and trains {@link #SCALED} at a {@link
 * #MULTIPLIER} of the learning rate.
 *
 * <pre>
 * java ... ResumableTraining CHECKPOINT_DIR WEIGHTS_FILE [steps|epochs] [slow] [early-stopping] [frozen]
 * </pre>
 */
public final class ResumableTraining {

  static final int EPOCHS = 4;
  static final int EXAMPLES = 240;
  static final int CHECKPOINT_EVERY_STEPS = 5;
  static final int REPORT_EVERY = 3;
  static final int SLOW_MILLIS = 40;
  static final String FROZEN = "curve/dense/bias";
  static final String SCALED = "curve/dense_1";
  static final double MULTIPLIER = 0.5;

  private ResumableTraining() {}

  public static void main(String[] args) throws IOException {
    Path checkpoints = Path.of(args[0]);
    Path weightsFile = Path.of(args[1]);
    boolean epochsOnly = args.length > 2 && args[2].equals("epochs");
    List<String> flags = Arrays.asList(args).subList(Math.min(3, args.length), args.length);
    boolean slow = flags.contains("slow");
    boolean earlyStopping = flags.contains("early-stopping");
    boolean frozen = flags.contains("frozen");
    LoopOptions.Builder options =
        LoopOptions.builder()
            .epochs(earlyStopping ? 10 : EPOCHS)
            .intraOpThreads(1)
            .interOpThreads(1)
            .checkpoints(
                CheckpointPolicy.in(checkpoints)
                    .everySteps(epochsOnly ? 0 : CHECKPOINT_EVERY_STEPS))
            .listener(
                new TrainingListener() {
                  @Override
                  public void onBatchEnd(FitControl control, int epoch, int batch) {
                    if (control.globalStep() % REPORT_EVERY == 0) {
                      System.out.println("step " + control.globalStep());
                      System.out.flush();
                    }
                    if (slow) {
                      try {
                        Thread.sleep(SLOW_MILLIS);
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                    }
                  }
                });
    if (frozen) {
      options.freeze(FROZEN).learningRateMultiplier(SCALED, MULTIPLIER);
    }
    if (earlyStopping) {
      options.listener(
          EarlyStopping.monitoring("val_loss")
              .patience(2)
              .minDelta(10)
              .restoreBestWeights(true)
              .build());
    }
    try (Trainer engine = Regression.adam(options.build(), 0.01)) {
      System.out.println("ready");
      System.out.flush();
      try {
        engine.resume(Regression.data(EXAMPLES, 5), Regression.data(40, 6));
      } catch (IllegalStateException refused) {
        System.out.println("refused: " + refused.getMessage());
        System.out.flush();
        System.exit(3);
      }
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
