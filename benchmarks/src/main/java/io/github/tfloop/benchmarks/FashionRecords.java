package io.github.tfloop.benchmarks;

import io.github.tfloop.data.Dataset;
import io.github.tfloop.data.stream.StreamingDataset;
import io.github.tfloop.data.stream.TfRecordWriter;
import io.github.tfloop.sample.FashionMlp;
import io.github.tfloop.sample.FashionMlpLoop;
import io.github.tfloop.sample.FashionMnist;
import io.github.tfloop.train.LoopOptions;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * Full Fashion-MNIST from IDX (in memory) against the same data written as TFRecord files and
 * streamed: the sample's {@link FashionMlp}, the same seed and options, test accuracy after each
 * fit. In file order ({@code shuffle(false)}) the two must train the same weights, so the same
 * accuracy to the last digit; shuffled, they see the examples in different orders (a permutation of
 * the whole set in memory; file blocks and a shuffle buffer when streamed), so their accuracies
 * differ as two seeds' do, which the runs over several seeds show.
 *
 * <pre>java ... FashionRecords OUTPUT_DIR [epochs] [seed ...]</pre>
 *
 * Writes {@code OUTPUT_DIR/train-*.tfrecord} (10 files), {@code test-*.tfrecord} and the test
 * images as PNG files in one folder per class ({@code test-png/<class>/<n>.png}) once, then prints
 * a Markdown table. Every accuracy is evaluated three times, on the test set in memory, streamed
 * from TFRecord and streamed from the PNG folders, and must be the same each time.
 */
public final class FashionRecords {

  private FashionRecords() {}

  public static void main(String[] args) throws IOException {
    Path out = Path.of(args[0]);
    int epochs = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    long[] seeds =
        args.length > 2
            ? Arrays.stream(args, 2, args.length).mapToLong(Long::parseLong).toArray()
            : new long[] {42};
    FashionMnist full = FashionMnist.load(FashionMnist.DEBIAN_DIRECTORY);
    if (!Files.exists(out.resolve("train-00000-of-00010.tfrecord"))) {
      long started = System.nanoTime();
      TfRecordWriter.write(out, "train", full.train(), 10);
      TfRecordWriter.write(out, "test", full.test(), 1);
      System.out.printf(
          Locale.ROOT, "wrote the TFRecord files in %.1f s%n", (System.nanoTime() - started) / 1e9);
    }
    Path pngs = out.resolve("test-png");
    if (!Files.exists(pngs)) {
      writePngs(full.test(), pngs);
    }
    Dataset pngTest =
        StreamingDataset.imageFolders(pngs, FashionMlpLoop.IMAGE, FashionMlpLoop.LABEL).dataset();
    List<Path> trainFiles = StreamingDataset.files(out, "train-*.tfrecord");
    List<Path> testFiles = StreamingDataset.files(out, "test-*.tfrecord");
    Dataset test = full.test();
    List<Dataset> tests =
        List.of(
            StreamingDataset.tfRecords(
                    testFiles, FashionMlpLoop.IMAGE, "image", FashionMlpLoop.LABEL, "label")
                .dataset(),
            pngTest);
    StreamingDataset records =
        StreamingDataset.tfRecords(
            trainFiles, FashionMlpLoop.IMAGE, "image", FashionMlpLoop.LABEL, "label");

    System.out.println();
    System.out.println(
        "| seed | order | IDX, in memory | TFRecord, streamed | TFRecord, streamed, buffer 60,000"
            + " |");
    System.out.println("|---:|---|---:|---:|---:|");
    List<String> rows = new ArrayList<>();
    for (long seed : seeds) {
      for (boolean shuffle : new boolean[] {false, true}) {
        LoopOptions options =
            LoopOptions.builder().epochs(epochs).seed(seed).shuffle(shuffle).build();
        String memory = accuracy(options, full.train(), tests, test);
        String streamed = accuracy(options, records.dataset(), tests, test);
        String whole =
            shuffle ? accuracy(options, records.shuffleBuffer(60_000).dataset(), tests, test) : "—";
        String row =
            String.format(
                Locale.ROOT,
                "| %d | %s | %s | %s | %s |",
                seed,
                shuffle ? "shuffled" : "file order",
                memory,
                streamed,
                whole);
        System.out.println(row);
        rows.add(row);
      }
    }
  }

  /**
   * Fits a new loop on {@code train} and returns its accuracy on {@code test}, with the fit's time;
   * checks that each of {@code streamedTests} (the same examples, streamed) gives the same.
   */
  private static String accuracy(
      LoopOptions options, Dataset train, List<Dataset> streamedTests, Dataset test) {
    try (FashionMlpLoop loop = FashionMlpLoop.create(new FashionMlp(), options)) {
      long started = System.nanoTime();
      loop.fit(train);
      double seconds = (System.nanoTime() - started) / 1e9;
      double accuracy = loop.evaluate(test).get("accuracy");
      for (Dataset streamed : streamedTests) {
        double again = loop.evaluate(streamed).get("accuracy");
        if (again != accuracy) {
          throw new IllegalStateException(
              streamed + " gives an accuracy of " + again + ", the in-memory test set " + accuracy);
        }
      }
      return String.format(Locale.ROOT, "%.4f (%.0f s)", accuracy, seconds);
    }
  }

  /** Writes each test image as a grey PNG in the folder of its class. */
  private static void writePngs(Dataset test, Path root) throws IOException {
    float[] pixels = (float[]) test.column("image").values();
    int[] labels = (int[]) test.column("label").values();
    for (int i = 0; i < labels.length; i++) {
      BufferedImage image = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
      int[] bytes = new int[784];
      for (int p = 0; p < 784; p++) {
        bytes[p] = Math.round(pixels[784 * i + p] * 255);
      }
      image.getRaster().setPixels(0, 0, 28, 28, bytes);
      Path folder =
          root.resolve(
              String.format(
                  Locale.ROOT,
                  "%d-%s",
                  labels[i],
                  FashionMnist.CLASSES[labels[i]].replaceAll("[^A-Za-z]", "")));
      Files.createDirectories(folder);
      ImageIO.write(
          image, "png", folder.resolve(String.format(Locale.ROOT, "%05d.png", i)).toFile());
    }
  }
}
