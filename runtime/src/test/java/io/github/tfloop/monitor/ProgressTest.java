package io.github.tfloop.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tfloop.LogCapture;
import io.github.tfloop.internal.Regression;
import io.github.tfloop.internal.Trainer;
import io.github.tfloop.train.History;
import io.github.tfloop.train.LoopOptions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

/** Progress output and the logging facade, on a real fit. */
class ProgressTest {

  @Test
  void plainLinesWhenNotATerminal() {
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    Progress progress =
        Progress.lines(new PrintStream(text, true, StandardCharsets.UTF_8), Duration.ZERO);
    History history = fit(LoopOptions.builder().epochs(2).listener(progress).build());
    List<String> lines = text.toString(StandardCharsets.UTF_8).lines().toList();
    assertEquals(2 * (6 + 1), lines.size(), String.join("\n", lines)); // every batch, each end
    for (String line : lines) {
      assertTrue(
          line.matches(
              "epoch [12]/2  batch [1-6]/6 \\(\\d+%\\)  [\\d.]+ steps/s"
                  + "  ETA \\d:\\d\\d:\\d\\d  loss \\d+\\.\\d{4}"),
          line);
    }
    assertTrue(lines.get(6).startsWith("epoch 1/2  batch 6/6 (100%)"), lines.get(6));
    assertTrue(
        lines.get(13).endsWith(String.format(Locale.ROOT, "loss %.4f", history.values("loss")[1])),
        lines.get(13));
  }

  @Test
  void theEpochsLineShowsItsValidationValues() {
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    Progress progress =
        Progress.lines(new PrintStream(text, true, StandardCharsets.UTF_8), Duration.ofHours(1));
    History history;
    try (Trainer engine =
        Regression.sgd(LoopOptions.builder().epochs(2).listener(progress).build(), 0.05)) {
      history = engine.fit(Regression.data(48, 1), Regression.data(16, 2));
    }
    List<String> lines = text.toString(StandardCharsets.UTF_8).lines().toList();
    assertEquals(2, lines.size(), String.join("\n", lines)); // one line at each epoch's end
    for (int epoch = 0; epoch < 2; epoch++) {
      assertTrue(
          lines
              .get(epoch)
              .endsWith(
                  String.format(
                      Locale.ROOT,
                      "loss %.4f  val_loss %.4f",
                      history.values("loss")[epoch],
                      history.values("val_loss")[epoch])),
          lines.get(epoch));
    }
  }

  @Test
  void progressBarOnATerminal() {
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    Progress progress = Progress.bar(new PrintStream(text, true, StandardCharsets.UTF_8));
    History history = fit(LoopOptions.builder().epochs(2).listener(progress).build());
    String output = text.toString(StandardCharsets.UTF_8);
    // the bar is redrawn in place with carriage returns; its final state ends each epoch
    assertTrue(output.contains("\r"), output);
    assertTrue(output.contains("epoch 1/2 100%"), output);
    assertTrue(output.contains("epoch 2/2 100%"), output);
    assertTrue(output.contains("6/6 steps"), output);
    assertTrue(output.contains("steps/s"), output);
    assertTrue(
        output.contains(String.format(Locale.ROOT, "loss %.4f", history.values("loss")[1])),
        output);
  }

  @Test
  void epochsAreLoggedThroughSystemLogger() {
    History[] history = new History[1];
    List<LogRecord> info =
        LogCapture.records(
            LogListener.LOGGER,
            Level.INFO,
            () ->
                history[0] =
                    fit(LoopOptions.builder().epochs(2).listener(new LogListener()).build()));
    assertEquals(2, info.size());
    assertEquals(ConsoleLogger.format(history[0].epochs().get(1), 2), info.get(1).getMessage());
  }

  private static History fit(LoopOptions options) {
    try (Trainer engine = Regression.sgd(options, 0.05)) {
      return engine.fit(Regression.data(48, 1), null); // 6 batches of 8 an epoch
    }
  }
}
