package io.github.tfloop.monitor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tfloop.internal.Regression;
import io.github.tfloop.internal.Trainer;
import io.github.tfloop.train.History;
import io.github.tfloop.train.LoopOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.Event;
import org.tensorflow.proto.Summary;

/** Event files read back: framing, tags, steps and values. */
class TensorBoardTest {

  @Test
  void recordsAreFramedByteForByteAsTensorFlowFramesThem(@TempDir Path directory) throws Exception {
    Event event =
        Event.newBuilder()
            .setWallTime(1.5)
            .setStep(7)
            .setSummary(
                Summary.newBuilder()
                    .addValue(Summary.Value.newBuilder().setTag("loss").setSimpleValue(0.25f)))
            .build();
    // TensorFlow's own writer, through its summary ops, frames the serialized event
    Path tensorFlowDir = directory.resolve("tf");
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      var writer = tf.summary.summaryWriter();
      var create =
          tf.summary.createSummaryFileWriter(
              writer,
              tf.constant(tensorFlowDir.toString()),
              tf.constant(10),
              tf.constant(1000),
              tf.constant(".tf"));
      // ISO-8859-1 maps each byte to one char and back: the serialized event, byte for byte
      String serialized = new String(event.toByteArray(), StandardCharsets.ISO_8859_1);
      var write =
          tf.summary.importEvent(writer, tf.constant(StandardCharsets.ISO_8859_1, serialized));
      var close = tf.summary.closeSummaryWriter(writer);
      try (Session session = new Session(graph)) {
        session.run(create);
        session.run(write);
        session.run(close);
      }
    }
    Path ourDir = directory.resolve("ours");
    try (EventFileWriter writer = EventFileWriter.create(ourDir)) {
      writer.write(event);
    }
    List<byte[]> theirs = EventFiles.records(onlyFile(tensorFlowDir));
    List<byte[]> ours = EventFiles.records(onlyFile(ourDir));
    assertEquals(2, theirs.size());
    assertEquals(2, ours.size());
    assertEquals("brain.Event:2", Event.parseFrom(theirs.get(0)).getFileVersion());
    assertEquals("brain.Event:2", Event.parseFrom(ours.get(0)).getFileVersion());
    // the second record is the same event, framed the same: the files end in the same bytes
    byte[] theirBytes = Files.readAllBytes(onlyFile(tensorFlowDir));
    byte[] ourBytes = Files.readAllBytes(onlyFile(ourDir));
    int recordLength = 8 + 4 + theirs.get(1).length + 4;
    assertArrayEquals(
        java.util.Arrays.copyOfRange(
            theirBytes, theirBytes.length - recordLength, theirBytes.length),
        java.util.Arrays.copyOfRange(ourBytes, ourBytes.length - recordLength, ourBytes.length));
  }

  @Test
  void fitWritesTrainingAndValidationScalarsAndHistograms(@TempDir Path logDir) throws Exception {
    TensorBoard tensorBoard = TensorBoard.to(logDir).everySteps(4).histograms(1);
    LoopOptions options = LoopOptions.builder().epochs(2).listener(tensorBoard).build();
    History history;
    try (Trainer engine = Regression.sgd(options, 0.05)) {
      history = engine.fit(Regression.data(48, 1), Regression.data(16, 2)); // 6 batches of 8
    }
    List<Event> train = EventFiles.events(logDir.resolve("train"));
    assertEquals("brain.Event:2", train.get(0).getFileVersion());
    Map<String, List<Event>> byTag = byTag(train);
    assertEquals(List.of(4L, 8L, 12L), steps(byTag.get("loss")));
    assertEquals(List.of(4L, 6L, 8L, 12L), steps(byTag.get("learning_rate")));
    for (Event rate : byTag.get("learning_rate")) {
      assertEquals(0.05f, value(rate));
    }
    assertEquals(List.of(6L, 12L), steps(byTag.get("epoch_loss")));
    assertEquals((float) history.values("loss")[0], value(byTag.get("epoch_loss").get(0)));
    assertEquals((float) history.values("loss")[1], value(byTag.get("epoch_loss").get(1)));
    // the running loss at step 12 is the whole second epoch's: the epoch's loss
    assertEquals((float) history.values("loss")[1], value(byTag.get("loss").get(2)));
    assertTrue(value(byTag.get("gradient_norm").get(0)) > 0);
    // one histogram per weight and epoch, over every value of it
    List<Event> kernels = byTag.get("curve/dense/kernel");
    assertEquals(List.of(6L, 12L), steps(kernels));
    assertEquals(2 * 16, kernels.get(0).getSummary().getValue(0).getHisto().getNum());

    Map<String, List<Event>> validation = byTag(EventFiles.events(logDir.resolve("validation")));
    assertEquals(List.of(6L, 12L), steps(validation.get("epoch_loss")));
    assertEquals((float) history.values("val_loss")[1], value(validation.get("epoch_loss").get(1)));
    assertEquals(1, validation.size(), validation.keySet().toString());
  }

  @Test
  void validationsWithinEpochsAndTheLearningRateReachTensorBoard(@TempDir Path logDir)
      throws Exception {
    TensorBoard tensorBoard = TensorBoard.to(logDir).everySteps(0);
    LoopOptions options =
        LoopOptions.builder().epochs(2).validateEverySteps(4).listener(tensorBoard).build();
    History history;
    try (Trainer engine = Regression.sgd(options, 0.05)) {
      history = engine.fit(Regression.data(48, 1), Regression.data(16, 2)); // 6 batches of 8
    }
    Map<String, List<Event>> train = byTag(EventFiles.events(logDir.resolve("train")));
    assertEquals(List.of(6L, 12L), steps(train.get("epoch_learning_rate")));
    assertEquals(0.05f, value(train.get("epoch_learning_rate").get(1)));
    Map<String, List<Event>> validation = byTag(EventFiles.events(logDir.resolve("validation")));
    // beside the training run's running "loss": the validation loss at steps 4, 8 and 12
    assertEquals(List.of(4L, 8L, 12L), steps(validation.get("loss")));
    for (int i = 0; i < 3; i++) {
      assertEquals(
          (float) history.validations().get(i).get("val_loss"),
          value(validation.get("loss").get(i)));
    }
    assertEquals(List.of(6L, 12L), steps(validation.get("epoch_loss")));
  }

  private static Path onlyFile(Path directory) throws Exception {
    try (var files = Files.list(directory)) {
      return files.findFirst().orElseThrow();
    }
  }

  private static Map<String, List<Event>> byTag(List<Event> events) {
    Map<String, List<Event>> byTag = new LinkedHashMap<>();
    for (Event event : events) {
      if (event.hasSummary()) {
        byTag
            .computeIfAbsent(event.getSummary().getValue(0).getTag(), tag -> new ArrayList<>())
            .add(event);
      }
    }
    return byTag;
  }

  private static List<Long> steps(List<Event> events) {
    return events.stream().map(Event::getStep).toList();
  }

  private static float value(Event event) {
    return event.getSummary().getValue(0).getSimpleValue();
  }
}
