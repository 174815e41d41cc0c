package io.github.tfloop.monitor;

import io.github.tfloop.train.EpochLog;
import io.github.tfloop.train.FitControl;
import io.github.tfloop.train.History;
import io.github.tfloop.train.TrainingListener;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;

/**
 * Logs a fit through {@link System.Logger}, the JDK's logging facade, under the logger {@code
 * io.github.tfloop.train}: each epoch's results at {@code INFO}, the start and end of training at
 * {@code DEBUG}. By default the JDK sends {@code System.Logger} to {@code java.util.logging}; an
 * application that uses SLF4J adds {@code org.slf4j:slf4j-jdk-platform-logging} (Log4j: {@code
 * log4j-jpl}) and these records go to its logback or log4j configuration instead. tfloop's own
 * messages (checkpoints written, resumed, skipped) use the same facade, under {@code
 * io.github.tfloop.checkpoint}.
 */
public final class LogListener implements TrainingListener {

  /** The logger this listener writes to. */
  public static final String LOGGER = "io.github.tfloop.train";

  private final Logger log = System.getLogger(LOGGER);

  @Override
  public void onTrainBegin(FitControl control) {
    log.log(
        Level.DEBUG,
        "training {0} epochs of {1} batches from global step {2}",
        control.epochs(),
        control.batchesPerEpoch(),
        control.globalStep());
  }

  @Override
  public void onEpochEnd(FitControl control, EpochLog log) {
    this.log.log(Level.INFO, () -> ConsoleLogger.format(log, control.epochs()));
  }

  @Override
  public void onTrainEnd(FitControl control, History history) {
    log.log(Level.DEBUG, "training done at global step {0}", control.globalStep());
  }
}
