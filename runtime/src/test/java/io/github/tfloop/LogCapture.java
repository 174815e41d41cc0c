package io.github.tfloop;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Collects what tfloop logs through {@code System.Logger} while an action runs: by default the JDK
 * routes it to {@code java.util.logging}, where a handler sees each record.
 */
public final class LogCapture {

  private LogCapture() {}

  /**
   * The records of {@code level} or above that {@code logger} received while {@code action} ran.
   */
  public static List<LogRecord> records(String logger, Level level, Runnable action) {
    Logger julLogger = Logger.getLogger(logger);
    List<LogRecord> records = new CopyOnWriteArrayList<>();
    Handler handler =
        new Handler() {
          @Override
          public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= level.intValue()) {
              records.add(record);
            }
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    julLogger.addHandler(handler);
    try {
      action.run();
    } finally {
      julLogger.removeHandler(handler);
    }
    return records;
  }
}
