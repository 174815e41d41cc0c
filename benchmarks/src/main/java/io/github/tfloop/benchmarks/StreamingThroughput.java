package io.github.tfloop.benchmarks;

import io.github.tfloop.data.Column;
import io.github.tfloop.data.Dataset;
import io.github.tfloop.data.stream.StreamingDataset;
import io.github.tfloop.data.stream.TfRecordWriter;
import io.github.tfloop.sample.FashionMnist;
import io.github.tfloop.train.EpochLog;
import io.github.tfloop.train.FitControl;
import io.github.tfloop.train.LoopOptions;
import io.github.tfloop.train.TrainingListener;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.tensorflow.proto.Example;
import org.tensorflow.proto.Feature;
import org.tensorflow.proto.Features;
import org.tensorflow.proto.FloatList;
import org.tensorflow.proto.Int64List;

/**
 * Training the benchmarks' MLP ({@link Mlp}, 784-256-10, Adam) from data on disk: a generated data
 * set of more than 2 GB, streamed with a small heap, against the same examples held in memory.
 *
 * <pre>
 * java ... StreamingThroughput generate DIR [examples]        # 680,000 examples: 2.13 GB of IDX
 * java ... StreamingThroughput tfrecord DIR                   # the same as 32 TFRecord files
 * java -Xmx512m ... StreamingThroughput compare DIR [rounds] [batch] [subset]
 * java -Xmx512m ... StreamingThroughput rss DIR idx|tfrecord [epochs] [batch]
 * </pre>
 *
 * <p>The examples are Fashion-MNIST's 60,000 training images, repeated, each copy with its own
 * deterministic noise (example {@code i} is image {@code i mod 60000} plus noise seeded by {@code
 * i}), as floats, with their labels: {@code images.idx} (FLOAT, N×28×28) and {@code labels.idx}
 * (INT, N); {@code subset-*.idx} hold the first {@code subset} examples (80,000 by default, 250
 * MB), which also fit in a 512 MB heap.
 *
 * <p>{@code compare} takes turns, in one JVM, each turn one epoch: in memory (the subset, built in
 * the heap by the same generator), streamed from the subset's IDX files (the same examples), and
 * streamed from the whole 2 GB; it prints each one's median steps per second over the rounds.
 * {@code rss} streams the whole set for some epochs and prints the process's resident memory
 * (VmRSS) and the heap in use every 5 seconds.
 */
public final class StreamingThroughput {

  private static final int PIXELS = 28 * 28;
  private static final int DEFAULT_EXAMPLES = 680_000;
  private static final int DEFAULT_SUBSET = 80_000;

  /** Held here: java.util.logging keeps loggers only weakly, and would drop the handler. */
  private static final java.util.logging.Logger STREAM_LOG =
      java.util.logging.Logger.getLogger("io.github.tfloop.data");

  private StreamingThroughput() {}

  public static void main(String[] args) throws Exception {
    showStreamWaits();
    Path dir = Path.of(args[1]);
    switch (args[0]) {
      case "generate" -> generate(dir, intArg(args, 2, DEFAULT_EXAMPLES), DEFAULT_SUBSET);
      case "tfrecord" -> tfRecords(dir);
      case "compare" ->
          compare(dir, intArg(args, 2, 5), intArg(args, 3, 128), intArg(args, 4, DEFAULT_SUBSET));
      case "rss" -> rss(dir, args[2], intArg(args, 3, 2), intArg(args, 4, 128));
      default -> throw new IllegalArgumentException("unknown command " + args[0]);
    }
  }

  /**
   * Prints what each epoch's stream logs when it closes (at DEBUG): how many batches the training
   * thread took and how many of them it had to wait for.
   */
  private static void showStreamWaits() {
    java.util.logging.Logger logger = STREAM_LOG;
    logger.setLevel(java.util.logging.Level.FINE);
    logger.setUseParentHandlers(false);
    logger.addHandler(
        new java.util.logging.Handler() {
          @Override
          public void publish(java.util.logging.LogRecord record) {
            System.out.println("  stream: " + record.getMessage());
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        });
  }

  private static int intArg(String[] args, int index, int otherwise) {
    return args.length > index ? Integer.parseInt(args[index]) : otherwise;
  }

  // ---- the data

  /** Fashion-MNIST's training images and labels, read once. */
  private static final class Fashion {
    static final float[] IMAGES;
    static final int[] LABELS;

    static {
      try {
        Dataset train = FashionMnist.load(FashionMnist.DEBIAN_DIRECTORY).train();
        IMAGES = (float[]) train.column("image").values();
        LABELS = (int[]) train.column("label").values();
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
  }

  /** Example {@code i}'s pixels, into {@code target} from {@code offset}. */
  static void image(int i, float[] target, int offset) {
    int source = (i % 60_000) * PIXELS;
    long state = i * 0x9E3779B97F4A7C15L;
    for (int p = 0; p < PIXELS; p++) {
      state += 0x9E3779B97F4A7C15L;
      long z = (state ^ (state >>> 30)) * 0xBF58476D1CE4E5B9L;
      z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
      float noise = ((z >>> 40) / (float) (1 << 24) - 0.5f) * 0.1f;
      target[offset + p] = Math.min(1f, Math.max(0f, Fashion.IMAGES[source + p] + noise));
    }
  }

  static int label(int i) {
    return Fashion.LABELS[i % 60_000];
  }

  /** The first {@code count} examples, in memory. */
  static Dataset inMemory(int count) {
    float[] images = new float[count * PIXELS];
    int[] labels = new int[count];
    for (int i = 0; i < count; i++) {
      image(i, images, i * PIXELS);
      labels[i] = label(i);
    }
    return Dataset.builder()
        .add(MlpLoop.IMAGE, Column.of(images, 28, 28))
        .add(MlpLoop.LABEL, Column.of(labels))
        .build();
  }

  private static void generate(Path dir, int examples, int subset) throws IOException {
    Files.createDirectories(dir);
    long started = System.nanoTime();
    writeIdx(dir, "", examples);
    writeIdx(dir, "subset-", Math.min(subset, examples));
    System.out.printf(
        Locale.ROOT,
        "wrote %d examples (%.2f GB) and a subset of %d in %.1f s to %s%n",
        examples,
        Files.size(dir.resolve("images.idx")) / 1e9,
        subset,
        (System.nanoTime() - started) / 1e9,
        dir);
  }

  private static void writeIdx(Path dir, String prefix, int examples) throws IOException {
    try (DataOutputStream images = idx(dir.resolve(prefix + "images.idx"), 0x0D, examples, 28, 28);
        DataOutputStream labels = idx(dir.resolve(prefix + "labels.idx"), 0x0C, examples)) {
      float[] pixels = new float[PIXELS];
      for (int i = 0; i < examples; i++) {
        image(i, pixels, 0);
        for (float pixel : pixels) {
          images.writeFloat(pixel);
        }
        labels.writeInt(label(i));
      }
    }
  }

  private static DataOutputStream idx(Path file, int type, int examples, int... shape)
      throws IOException {
    OutputStream out = Files.newOutputStream(file);
    DataOutputStream data = new DataOutputStream(new BufferedOutputStream(out, 1 << 20));
    data.write(new byte[] {0, 0, (byte) type, (byte) (shape.length + 1)});
    data.writeInt(examples);
    for (int dimension : shape) {
      data.writeInt(dimension);
    }
    return data;
  }

  /** Writes the generated examples as 32 TFRecord files of {@code tf.train.Example}s. */
  private static void tfRecords(Path dir) throws IOException {
    long started = System.nanoTime();
    int examples = (int) idxStream(dir, "").size();
    int files = 32;
    float[] pixels = new float[PIXELS];
    for (int f = 0; f < files; f++) {
      Path file = dir.resolve(String.format(Locale.ROOT, "train-%05d-of-%05d.tfrecord", f, files));
      try (TfRecordWriter writer = TfRecordWriter.create(file)) {
        int from = (int) ((long) f * examples / files);
        int to = (int) ((long) (f + 1) * examples / files);
        for (int i = from; i < to; i++) {
          image(i, pixels, 0);
          FloatList.Builder image = FloatList.newBuilder();
          for (float pixel : pixels) {
            image.addValue(pixel);
          }
          writer.write(
              Example.newBuilder()
                  .setFeatures(
                      Features.newBuilder()
                          .putFeature("image", Feature.newBuilder().setFloatList(image).build())
                          .putFeature(
                              "label",
                              Feature.newBuilder()
                                  .setInt64List(Int64List.newBuilder().addValue(label(i)))
                                  .build()))
                  .build());
        }
      }
    }
    System.out.printf(
        Locale.ROOT,
        "wrote %d TFRecord files in %.1f s%n",
        files,
        (System.nanoTime() - started) / 1e9);
  }

  private static StreamingDataset idxStream(Path dir, String prefix) throws IOException {
    return StreamingDataset.idx(
        MlpLoop.IMAGE,
        dir.resolve(prefix + "images.idx"),
        MlpLoop.LABEL,
        dir.resolve(prefix + "labels.idx"));
  }

  private static StreamingDataset recordStream(Path dir) throws IOException {
    return StreamingDataset.tfRecords(
        StreamingDataset.files(dir, "train-*.tfrecord"),
        MlpLoop.IMAGE,
        "image",
        MlpLoop.LABEL,
        "label");
  }

  // ---- the measurements

  /** One contender: a name, its data, and the loop that trains on it. */
  private record Turn(String name, Supplier<Dataset> data, MlpLoop loop, double[] rates) {}

  private static void compare(Path dir, int rounds, int batchSize, int subset) throws IOException {
    LoopOptions options = LoopOptions.builder().batchSize(batchSize).epochs(1).build();
    Dataset memory = inMemory(subset);
    Dataset streamedSubset = idxStream(dir, "subset-").dataset();
    Dataset streamedAll = idxStream(dir, "").dataset();
    List<Turn> turns = new ArrayList<>();
    turns.add(turn("in memory, " + subset + " examples", () -> memory, options, rounds));
    turns.add(
        turn(
            "streamed IDX, the same " + subset + " examples",
            () -> streamedSubset,
            options,
            rounds));
    turns.add(
        turn(
            "streamed IDX, all "
                + idxStream(dir, "").size()
                + " examples ("
                + String.format(Locale.ROOT, "%.2f GB", Files.size(dir.resolve("images.idx")) / 1e9)
                + ")",
            () -> streamedAll,
            options,
            rounds));
    if (Files.exists(dir.resolve("train-00000-of-00032.tfrecord"))) {
      Dataset records = recordStream(dir).dataset();
      turns.add(turn("streamed TFRecord, all examples", () -> records, options, rounds));
    }
    System.out.println("load average before: " + loadAverage());
    try {
      for (int round = -1; round < rounds; round++) {
        for (Turn turn : turns) {
          long started = System.nanoTime();
          long stepsBefore = turn.loop().globalStep();
          turn.loop().fit(turn.data().get());
          long steps = turn.loop().globalStep() - stepsBefore;
          double rate = steps / ((System.nanoTime() - started) / 1e9);
          if (round >= 0) {
            turn.rates()[round] = rate;
          }
          System.out.printf(
              Locale.ROOT,
              "round %d: %s: %d steps, %.0f steps/s%n",
              round,
              turn.name(),
              steps,
              rate);
        }
      }
    } finally {
      turns.forEach(turn -> turn.loop().close());
    }
    System.out.println("load average after: " + loadAverage());
    System.out.println();
    System.out.println(
        "| batch | data | steps/s (median of " + rounds + " epochs) | vs in memory |");
    System.out.println("|---:|---|---:|---:|");
    double base = median(turns.get(0).rates());
    for (Turn turn : turns) {
      double median = median(turn.rates());
      System.out.printf(
          Locale.ROOT,
          "| %d | %s | %.0f (%s) | %.3f× |%n",
          batchSize,
          turn.name(),
          median,
          range(turn.rates()),
          median / base);
    }
  }

  private static Turn turn(String name, Supplier<Dataset> data, LoopOptions options, int rounds) {
    return new Turn(name, data, MlpLoop.create(new Mlp(), options), new double[rounds]);
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  private static String range(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return String.format(Locale.ROOT, "%.0f–%.0f", sorted[0], sorted[sorted.length - 1]);
  }

  private static void rss(Path dir, String format, int epochs, int batchSize) throws IOException {
    Dataset data =
        format.equals("tfrecord") ? recordStream(dir).dataset() : idxStream(dir, "").dataset();
    long[] steps = {0};
    long started = System.nanoTime();
    List<String> lines = new ArrayList<>();
    Thread sampler =
        new Thread(
            () -> {
              while (!Thread.currentThread().isInterrupted()) {
                lines.add(sample(started, steps[0]));
                System.out.println(lines.get(lines.size() - 1));
                try {
                  Thread.sleep(5_000);
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "rss-sampler");
    sampler.setDaemon(true);
    LoopOptions options =
        LoopOptions.builder()
            .batchSize(batchSize)
            .epochs(epochs)
            .listener(
                new TrainingListener() {
                  @Override
                  public void onBatchEnd(FitControl control, int epoch, int batch) {
                    steps[0] = control.globalStep();
                  }

                  @Override
                  public void onEpochEnd(FitControl control, EpochLog log) {
                    System.out.printf(
                        Locale.ROOT,
                        "epoch %d: %d steps in %.1f s, %.0f steps/s, loss %.4f%n",
                        log.epoch(),
                        log.steps(),
                        log.duration().toNanos() / 1e9,
                        log.steps() / (log.duration().toNanos() / 1e9),
                        log.metrics().get("loss"));
                  }
                })
            .build();
    System.out.println(
        "streaming "
            + data
            + ", max heap "
            + Runtime.getRuntime().maxMemory() / (1 << 20)
            + " MB, load average "
            + loadAverage());
    sampler.start();
    try (MlpLoop loop = MlpLoop.create(new Mlp(), options)) {
      loop.fit(data);
    }
    sampler.interrupt();
    System.out.println(sample(started, steps[0]));
    System.out.println("load average after: " + loadAverage());
  }

  private static String sample(long started, long steps) {
    long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / (1 << 20);
    return String.format(
        Locale.ROOT,
        "t=%5.0f s  step %7d  RSS %5d MB  heap used %4d MB",
        (System.nanoTime() - started) / 1e9,
        steps,
        residentMegabytes(),
        heap);
  }

  /** VmRSS of this process, from /proc/self/status. */
  static long residentMegabytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
        }
      }
    } catch (IOException e) {
      return -1;
    }
    return -1;
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException e) {
      return "?";
    }
  }
}
