package io.github.tfloop.monitor;

import io.github.tfloop.train.TrainingException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32C;
import org.tensorflow.proto.Event;
import org.tensorflow.proto.HistogramProto;
import org.tensorflow.proto.Summary;

/**
 * Writes a TensorBoard event file, exactly as TensorFlow's {@code EventsWriter} does: a file named
 * {@code events.out.tfevents.<seconds>.<host>.<pid>.<n>} holding TFRecords (a little-endian 64-bit
 * length, its masked CRC32C, the bytes, their masked CRC32C), each an {@link Event} protocol
 * buffer. The first event carries the file version {@code brain.Event:2}; scalars are {@code
 * simple_value}s and histograms {@link HistogramProto}s, which TensorBoard reads as its scalar and
 * histogram plugins do.
 */
public final class EventFileWriter implements AutoCloseable {

  private static final AtomicInteger FILES = new AtomicInteger();
  private static final int MASK_DELTA = 0xa282ead8;

  private final Path file;
  private final OutputStream out;

  private EventFileWriter(Path file, OutputStream out) {
    this.file = file;
    this.out = out;
  }

  /**
   * Creates a new event file in {@code directory} (created if need be) and writes its version
   * record.
   *
   * @throws UncheckedIOException naming the directory if the file cannot be created
   */
  public static EventFileWriter create(Path directory) {
    long seconds = System.currentTimeMillis() / 1000;
    String name =
        String.format(
            "events.out.tfevents.%010d.%s.%d.%d",
            seconds, host(), ProcessHandle.current().pid(), FILES.incrementAndGet());
    Path file = directory.resolve(name);
    try {
      Files.createDirectories(directory);
      EventFileWriter writer =
          new EventFileWriter(file, new BufferedOutputStream(Files.newOutputStream(file)));
      writer.write(Event.newBuilder().setWallTime(now()).setFileVersion("brain.Event:2").build());
      writer.flush();
      return writer;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot create a TensorBoard event file in " + directory + ": " + e.getMessage(), e);
    }
  }

  /** The event file. */
  public Path file() {
    return file;
  }

  /** Writes {@code value} as the scalar {@code tag} at {@code step}. */
  public void scalar(String tag, long step, double value) {
    write(
        Event.newBuilder()
            .setWallTime(now())
            .setStep(step)
            .setSummary(
                Summary.newBuilder()
                    .addValue(Summary.Value.newBuilder().setTag(tag).setSimpleValue((float) value)))
            .build());
  }

  /** Writes the distribution of {@code values} as the histogram {@code tag} at {@code step}. */
  public void histogram(String tag, long step, float[] values) {
    write(
        Event.newBuilder()
            .setWallTime(now())
            .setStep(step)
            .setSummary(
                Summary.newBuilder()
                    .addValue(
                        Summary.Value.newBuilder().setTag(tag).setHisto(Histograms.of(values))))
            .build());
  }

  /** Writes one event. */
  public void write(Event event) {
    try {
      writeRecord(event.toByteArray());
    } catch (IOException e) {
      throw new TrainingException("cannot write to " + file + ": " + e.getMessage(), e);
    }
  }

  /** Pushes what was written to the file, so that TensorBoard sees it. */
  public void flush() {
    try {
      out.flush();
    } catch (IOException e) {
      throw new TrainingException("cannot write to " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    try {
      out.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot close " + file + ": " + e.getMessage(), e);
    }
  }

  private void writeRecord(byte[] data) throws IOException {
    ByteBuffer header = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
    header.putLong(data.length);
    header.putInt(maskedCrc32c(header.array(), 0, 8));
    ByteBuffer footer = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
    footer.putInt(maskedCrc32c(data, 0, data.length));
    out.write(header.array());
    out.write(data);
    out.write(footer.array());
  }

  /** TFRecord's checksum: CRC32C, rotated right by 15 bits, plus a constant. */
  static int maskedCrc32c(byte[] bytes, int offset, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, offset, length);
    int value = (int) crc.getValue();
    return ((value >>> 15) | (value << 17)) + MASK_DELTA;
  }

  private static double now() {
    return System.currentTimeMillis() / 1000.0;
  }

  private static String host() {
    String host = System.getenv("HOSTNAME");
    return host == null || host.isBlank() ? "localhost" : host.replaceAll("[^A-Za-z0-9._-]", "_");
  }
}
