package io.github.tfloop.data.stream;

import static io.github.tfloop.data.stream.Streams.INDEX;
import static io.github.tfloop.data.stream.Streams.X;
import static io.github.tfloop.data.stream.Streams.epoch;
import static io.github.tfloop.data.stream.Streams.numbered;
import static io.github.tfloop.data.stream.Streams.read;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tfloop.data.DType;
import io.github.tfloop.data.DataStream;
import io.github.tfloop.data.Dataset;
import io.github.tfloop.data.IdxFile;
import io.github.tfloop.data.InputSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The order of a stream's examples, read without a loop: file order without shuffling; with it,
 * every example once per epoch in an order fixed by the seed and the epoch; a resumed epoch going
 * on exactly as the whole one; workers sharing the examples without overlap.
 */
class StreamingDatasetTest {

  private static final List<Integer> SIZES = List.of(1, 2, 5, 7, 16);

  @TempDir Path directory;

  /** 1000 numbered examples in five TFRecord files of 200. */
  private StreamingDataset tfRecords(int shards) throws IOException {
    List<Path> files = TfRecordWriter.write(directory, "numbers", numbered(1000), shards);
    return StreamingDataset.tfRecords(files, X, "x", INDEX, "index");
  }

  /** 1000 numbered examples as two plain IDX files, in blocks the size of {@code block}. */
  private StreamingDataset idx(boolean gzip) throws IOException {
    Dataset data = numbered(1000);
    Path x = directory.resolve("x.idx");
    Path index = directory.resolve("index.idx");
    IdxFile.write(x, data.column("x").values(), DType.FLOAT32, 1000, new int[] {3});
    IdxFile.write(index, data.column("index").values(), DType.INT32, 1000, new int[0]);
    if (gzip) {
      x = gzip(x);
      index = gzip(index);
    }
    return StreamingDataset.idx(X, x, INDEX, index);
  }

  private static Path gzip(Path file) throws IOException {
    Path zipped = file.resolveSibling(file.getFileName() + ".gz");
    try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(zipped))) {
      out.write(Files.readAllBytes(file));
    }
    return zipped;
  }

  @Test
  void withoutShufflingExamplesComeInFileOrder() throws IOException {
    for (StreamingDataset stream : List.of(tfRecords(5), idx(false), idx(true))) {
      for (int batchSize : SIZES) {
        assertEquals(
            IntStream.range(0, 1000).boxed().toList(),
            read(stream, epoch(1, 1, false, 0), batchSize),
            stream + ", batch " + batchSize);
      }
    }
  }

  @Test
  void shufflingGivesEveryExampleOnceInAnOrderFixedBySeedAndEpoch() throws IOException {
    for (StreamingDataset stream :
        List.of(tfRecords(5).shuffleBuffer(100), idx(false).shuffleBuffer(50), idx(true))) {
      List<Integer> first = read(stream, epoch(9, 1, true, 0), 16);
      assertEquals(1000, first.size(), stream.toString());
      assertEquals(1000, new TreeSet<>(first).size(), "each example once: " + stream);
      assertNotEquals(IntStream.range(0, 1000).boxed().toList(), first, "shuffled: " + stream);
      assertEquals(first, read(stream.readers(3), epoch(9, 1, true, 0), 16), "threads: " + stream);
      assertEquals(first, read(stream, epoch(9, 1, true, 0), 7), "the batch size: " + stream);
      assertNotEquals(first, read(stream, epoch(9, 2, true, 0), 16), "epoch 2: " + stream);
      assertNotEquals(first, read(stream, epoch(10, 1, true, 0), 16), "another seed: " + stream);
    }
  }

  @Test
  void aResumedEpochGoesOnAsTheWholeOne() throws IOException {
    SplittableRandom random = new SplittableRandom(3);
    List<StreamingDataset> streams =
        List.of(
            tfRecords(5).shuffleBuffer(64),
            tfRecords(1).shuffleBuffer(0),
            idx(false).shuffleBuffer(300),
            idx(true).shuffleBuffer(2000), // larger than the data
            tfRecords(5).shuffleBuffer(10).shard(1, 3));
    for (StreamingDataset stream : streams) {
      for (boolean shuffle : new boolean[] {true, false}) {
        List<Integer> whole = read(stream, epoch(5, 2, shuffle, 0), 10);
        for (int trial = 0; trial < 6; trial++) {
          int batches = random.nextInt(0, whole.size() / 10 + 1);
          long skip = 10L * batches;
          // a stream that only knows its size once read is told it near the end of the epoch,
          // as a checkpoint records it; before, its pipeline had not seen the end
          boolean nearEnd = skip + stream.shuffleCapacity() >= whole.size();
          long known = nearEnd || random.nextBoolean() ? whole.size() : -1;
          List<Integer> rest = read(stream, new DataStream.Epoch(5, 2, shuffle, skip, known), 10);
          assertEquals(
              whole.subList((int) skip, whole.size()),
              rest,
              stream + (shuffle ? ", shuffled" : "") + ", resumed after " + skip);
        }
      }
    }
  }

  @Test
  void workersShareTheExamplesWithoutOverlap() throws IOException {
    for (StreamingDataset stream : List.of(tfRecords(5), tfRecords(2), idx(false), idx(true))) {
      for (int workers : new int[] {2, 3}) {
        Set<Integer> seen = new HashSet<>();
        int total = 0;
        for (int worker = 0; worker < workers; worker++) {
          DataStream shard = stream.shard(worker, workers);
          List<Integer> mine = read(shard, epoch(1, 1, true, 0), 8);
          total += mine.size();
          seen.addAll(mine);
          assertEquals(mine, read(shard, epoch(1, 1, true, 0), 8), "the same each time");
          assertTrue(
              Math.abs(mine.size() - 1000.0 / workers) <= 5,
              "about an equal share: " + mine.size() + " of 1000 for " + workers);
          if (stream.size() >= 0) {
            assertEquals(shard.size(), mine.size(), "the size a shard says it has");
          }
        }
        assertEquals(1000, total, stream + ": every example once, " + workers + " workers");
        assertEquals(1000, seen.size());
      }
    }
    // worker i of n on one IDX file: every n-th example, as ClusterFit shards in-memory data
    assertEquals(
        IntStream.range(0, 333).map(i -> 3 * i + 1).boxed().toList(),
        read(idx(false).shard(1, 3), epoch(1, 1, false, 0), 8));
  }

  @Test
  void sizeIsKnownFromIdxHeadersButNotFromTfRecords() throws IOException {
    assertEquals(1000, idx(false).size());
    assertEquals(1000, idx(true).size());
    assertEquals(500, idx(false).shard(0, 2).size());
    assertEquals(-1, tfRecords(5).size());
    DataStream.Reader reader =
        tfRecords(5)
            .open(
                epoch(1, 1, false, 0),
                List.of(INDEX),
                100,
                new Object[][] {{new int[100]}, {new int[100]}},
                set -> {});
    try (reader) {
      int batches = 0;
      for (int set = reader.next(); set >= 0; set = reader.next()) {
        reader.release(set);
        batches++;
      }
      assertEquals(10, batches);
      assertEquals(1000, reader.size());
    }
  }

  @Test
  void idxValuesAreThoseOfIdxFileBitForBit() throws IOException {
    // pixels: unsigned bytes scaled into [0, 1], as IdxFile.dataset reads them
    int size = 300;
    byte[] pixels = new byte[size * 4];
    new SplittableRandom(1).nextBytes(pixels);
    Path file = directory.resolve("pixels.idx");
    try (var out = Files.newOutputStream(file)) {
      out.write(new byte[] {0, 0, 0x08, 3, 0, 0, 1, 44, 0, 0, 0, 2, 0, 0, 0, 2});
      out.write(pixels);
    }
    InputSpec image = InputSpec.feature("image", DType.FLOAT32, 4);
    float[] expected = (float[]) IdxFile.dataset(image, file).column("image").values();
    DataStream stream = StreamingDataset.idx(image, file);
    float[][] target = {new float[4 * size]};
    try (DataStream.Reader reader =
        stream.open(
            epoch(1, 1, false, 0), List.of(image), size, new Object[][] {target}, s -> {})) {
      assertEquals(0, reader.next());
      assertEquals(size, reader.count(0));
    }
    for (int i = 0; i < expected.length; i++) {
      assertEquals(
          Float.floatToRawIntBits(expected[i]),
          Float.floatToRawIntBits(target[0][i]),
          "value " + i);
    }
  }

  @Test
  void theFingerprintIsCheapAndSeesReplacedFiles() throws IOException {
    StreamingDataset stream = tfRecords(5);
    long started = System.nanoTime();
    var fingerprint = stream.fingerprint();
    long millis = (System.nanoTime() - started) / 1_000_000;
    assertTrue(millis < 2_000, "took " + millis + " ms");
    assertEquals(fingerprint, tfRecords(5).fingerprint(), "the same files");
    assertEquals(-1, fingerprint.columns().get(0).size(), "a TFRecord file's size is unknown");
    // the same examples in other files: other files, other fingerprint
    StreamingDataset resharded = tfRecords(4);
    assertNotEquals(fingerprint, resharded.fingerprint());
    // one value changed in the last file
    List<Path> files = StreamingDataset.files(directory, "numbers-*-of-00004.tfrecord");
    Path last = files.get(files.size() - 1);
    byte[] bytes = Files.readAllBytes(last);
    bytes[bytes.length - 10] ^= 1;
    Files.write(last, bytes);
    assertNotEquals(
        resharded.fingerprint(),
        StreamingDataset.tfRecords(files, X, "x", INDEX, "index").fingerprint());
    assertNotEquals(
        stream.fingerprint(), stream.shard(0, 2).fingerprint(), "a shard is other data");
  }

  @Test
  void aStreamedDatasetRefusesWhatNeedsValuesInMemory() throws IOException {
    Dataset streamed = tfRecords(5).dataset();
    assertTrue(streamed.isStreamed());
    assertEquals(Set.of("x", "index"), streamed.columnNames());
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> streamed.select(new int[] {1}));
    assertTrue(e.getMessage().contains("5 TFRecord files"), e.getMessage());
    assertTrue(e.getMessage().contains("holds no values in memory"), e.getMessage());
    e = assertThrows(IllegalStateException.class, streamed::size);
    assertTrue(e.getMessage().contains("does not know how many examples"), e.getMessage());
    assertEquals(1000, idx(false).dataset().size());
    assertEquals(streamed.fingerprint(), tfRecords(5).fingerprint());
  }

  @Test
  void filesListsTheMatchesSorted() throws IOException {
    tfRecords(3);
    List<String> names = new ArrayList<>();
    StreamingDataset.files(directory, "numbers-*.tfrecord")
        .forEach(file -> names.add(file.getFileName().toString()));
    assertEquals(
        List.of(
            "numbers-00000-of-00003.tfrecord",
            "numbers-00001-of-00003.tfrecord",
            "numbers-00002-of-00003.tfrecord"),
        names);
    IOException e =
        assertThrows(IOException.class, () -> StreamingDataset.files(directory, "*.csv"));
    assertTrue(e.getMessage().contains("no file matches '*.csv'"), e.getMessage());
  }
}
