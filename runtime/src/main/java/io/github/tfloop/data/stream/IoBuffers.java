package io.github.tfloop.data.stream;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * The read buffers of one reading thread, reused from file to file: an epoch opens thousands of
 * parts (1 MiB blocks of an IDX file), and a new buffer for each would be a megabyte of garbage
 * each time. Direct buffers, so that a file channel reads into them without a copy.
 */
final class IoBuffers {

  private final ArrayDeque<ByteBuffer> free = new ArrayDeque<>();

  /** A cleared buffer of at least {@code capacity} bytes. */
  ByteBuffer take(int capacity) {
    for (Iterator<ByteBuffer> buffers = free.iterator(); buffers.hasNext(); ) {
      ByteBuffer buffer = buffers.next();
      if (buffer.capacity() >= capacity) {
        buffers.remove();
        return buffer.clear();
      }
    }
    return ByteBuffer.allocateDirect(capacity);
  }

  /** Gives {@code buffer} back to be taken again. */
  void give(ByteBuffer buffer) {
    free.push(buffer);
  }
}
