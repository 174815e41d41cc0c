package io.github.tfloop.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tfloop.data.Dataset;
import io.github.tfloop.data.stream.StreamingDataset;
import io.github.tfloop.data.stream.TfRecordWriter;
import io.github.tfloop.internal.Regression;
import io.github.tfloop.internal.Trainer;
import io.github.tfloop.train.LoopOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Progress over a stream whose length shows only once read (TFRecord): the first epoch's lines have
 * no total, share or time left; later epochs have them. The bar runs without a total too.
 */
class ProgressOfAStreamTest {

  @Test
  void theFirstEpochOfAStreamOfUnknownLengthHasNoTotal(@TempDir Path directory) throws IOException {
    List<Path> files = TfRecordWriter.write(directory, "train", Regression.data(48, 1), 2);
    Dataset streamed =
        StreamingDataset.tfRecords(files, Regression.X, "x", Regression.Y, "y").dataset();
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    Progress progress =
        Progress.lines(new PrintStream(text, true, StandardCharsets.UTF_8), Duration.ZERO);
    try (Trainer engine =
        Regression.sgd(LoopOptions.builder().epochs(2).listener(progress).build(), 0.05)) {
      engine.fit(streamed, null);
    }
    List<String> lines = text.toString(StandardCharsets.UTF_8).lines().toList();
    assertEquals(2 * (6 + 1), lines.size(), String.join("\n", lines));
    for (String line : lines.subList(0, 6)) {
      assertTrue(line.matches("epoch 1/2  batch [1-6]  [\\d.]+ steps/s  loss \\d+\\.\\d{4}"), line);
    }
    assertTrue(lines.get(6).startsWith("epoch 1/2  batch 6/6 (100%)"), lines.get(6));
    assertTrue(lines.get(7).startsWith("epoch 2/2  batch 1/6 (16%)"), lines.get(7));

    ByteArrayOutputStream bar = new ByteArrayOutputStream();
    try (Trainer engine =
        Regression.sgd(
            LoopOptions.builder()
                .epochs(1)
                .listener(Progress.bar(new PrintStream(bar, true, StandardCharsets.UTF_8)))
                .build(),
            0.05)) {
      engine.fit(streamed, null);
    }
    String output = bar.toString(StandardCharsets.UTF_8);
    assertTrue(output.contains("epoch 1/1"), output);
    assertTrue(output.contains("steps/s"), output);
  }
}
