package io.github.tfloop.monitor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.tensorflow.proto.Event;

/** Reads event files back for tests: TFRecord framing with both checksums verified. */
final class EventFiles {

  private EventFiles() {}

  /** Every record of {@code file}, each checked against its masked CRC32Cs. */
  static List<byte[]> records(Path file) throws IOException {
    ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    List<byte[]> records = new ArrayList<>();
    while (bytes.hasRemaining()) {
      byte[] length = new byte[8];
      bytes.get(length);
      int lengthCrc = bytes.getInt();
      if (lengthCrc != masked(length)) {
        throw new IOException(file + ": bad length checksum at record " + records.size());
      }
      byte[] data =
          new byte[(int) ByteBuffer.wrap(length).order(ByteOrder.LITTLE_ENDIAN).getLong()];
      bytes.get(data);
      if (bytes.getInt() != masked(data)) {
        throw new IOException(file + ": bad data checksum at record " + records.size());
      }
      records.add(data);
    }
    return records;
  }

  /** Every event of the one event file in {@code directory}. */
  static List<Event> events(Path directory) throws IOException {
    List<Path> files;
    try (var list = Files.list(directory)) {
      files =
          list.filter(path -> path.getFileName().toString().startsWith("events.out.tfevents."))
              .toList();
    }
    if (files.size() != 1) {
      throw new IOException(directory + " holds " + files.size() + " event files: " + files);
    }
    List<Event> events = new ArrayList<>();
    for (byte[] record : records(files.get(0))) {
      events.add(Event.parseFrom(record));
    }
    return events;
  }

  /** CRC32C as TFRecord masks it, computed here independently of the writer. */
  private static int masked(byte[] data) {
    CRC32C crc = new CRC32C();
    crc.update(data);
    long value = crc.getValue();
    long rotated = ((value >>> 15) | (value << 17)) & 0xffffffffL;
    return (int) ((rotated + 0xa282ead8L) & 0xffffffffL);
  }
}
