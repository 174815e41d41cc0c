package io.github.tfloop.data.stream;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads a file in order through a buffer, and skips forward without reading: what the readers of
 * TFRecord and IDX files need to keep some records and pass over others.
 */
final class FileInput implements Closeable {

  private final FileChannel channel;
  private final long size;
  private final long end;
  private final IoBuffers buffers;
  private final ByteBuffer buffer;

  /** The file position of {@code buffer}'s first byte. */
  private long bufferStart;

  /**
   * Opens {@code file} at {@code position}, reading through a buffer taken from {@code buffers},
   * never past {@code end} (the end of the part read; -1 for the end of the file).
   */
  FileInput(Path file, long position, long end, int bufferSize, IoBuffers buffers)
      throws IOException {
    this.channel = FileChannel.open(file, StandardOpenOption.READ);
    this.size = channel.size();
    this.end = end < 0 ? size : Math.min(end, size);
    this.buffers = buffers;
    this.buffer = buffers.take(bufferSize);
    buffer.limit(0);
    this.bufferStart = position;
  }

  /** The file's size. */
  long size() {
    return size;
  }

  /** The position of the next byte to read. */
  long position() {
    return bufferStart + buffer.position();
  }

  /** Bytes from the position to the end of the file. */
  long remaining() {
    return size - position();
  }

  /** Reads up to {@code length} bytes, fewer only at the end of the file; returns how many. */
  int read(byte[] target, int offset, int length) throws IOException {
    int done = 0;
    while (done < length) {
      if (!buffer.hasRemaining()) {
        if (length - done >= buffer.capacity()) {
          // a large read goes straight into the target
          long at = position();
          int read = channel.read(ByteBuffer.wrap(target, offset + done, length - done), at);
          if (read < 0) {
            break;
          }
          bufferStart = at + read;
          buffer.limit(0);
          done += read;
          continue;
        }
        if (!refill()) {
          break;
        }
      }
      int n = Math.min(length - done, buffer.remaining());
      buffer.get(target, offset + done, n);
      done += n;
    }
    return done;
  }

  /** Moves the position {@code count} bytes on, without reading them. */
  void skip(long count) {
    if (count <= buffer.remaining()) {
      buffer.position(buffer.position() + (int) count);
    } else {
      bufferStart = position() + count;
      buffer.limit(0);
    }
  }

  private boolean refill() throws IOException {
    bufferStart = position();
    buffer.clear();
    buffer.limit((int) Math.max(0, Math.min(buffer.capacity(), end - bufferStart)));
    if (!buffer.hasRemaining()) {
      buffer.limit(0);
      return false;
    }
    int read = channel.read(buffer, bufferStart);
    buffer.flip();
    return read > 0;
  }

  @Override
  public void close() throws IOException {
    buffers.give(buffer);
    channel.close();
  }
}
