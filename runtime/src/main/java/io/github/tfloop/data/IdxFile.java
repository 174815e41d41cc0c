package io.github.tfloop.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * An array read from an IDX file, the format of MNIST and Fashion-MNIST: two zero bytes, a type
 * code, the number of dimensions, each dimension as a big-endian int, then the values, big-endian.
 * Gzip-compressed files are recognised by their first bytes and decompressed while reading.
 *
 * <pre>{@code
 * FloatColumn images = IdxFile.read(dir.resolve("train-images-idx3-ubyte.gz")).toFloatColumn(1 / 255f);
 * IntColumn labels = IdxFile.read(dir.resolve("train-labels-idx1-ubyte.gz")).toIntColumn();
 * }</pre>
 */
public final class IdxFile {

  /** The element types of the format, by type code. */
  private enum ElementType {
    UBYTE(0x08, 1),
    BYTE(0x09, 1),
    SHORT(0x0B, 2),
    INT(0x0C, 4),
    FLOAT(0x0D, 4),
    DOUBLE(0x0E, 8);

    final int code;
    final int bytes;

    ElementType(int code, int bytes) {
      this.code = code;
      this.bytes = bytes;
    }

    static ElementType of(int code, String source) throws IOException {
      for (ElementType type : values()) {
        if (type.code == code) {
          return type;
        }
      }
      throw new IOException(
          source
              + ": unknown IDX element type 0x"
              + Integer.toHexString(code)
              + " (expected one of 0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E)");
    }
  }

  private final String source;
  private final ElementType type;
  private final int[] dimensions;
  private final ByteBuffer data;

  private IdxFile(String source, ElementType type, int[] dimensions, byte[] data) {
    this.source = source;
    this.type = type;
    this.dimensions = dimensions;
    this.data = ByteBuffer.wrap(data).order(ByteOrder.BIG_ENDIAN);
  }

  /**
   * Reads an IDX file, plain or gzip-compressed.
   *
   * @throws IOException naming the file and what is wrong with it, if it cannot be read or is not a
   *     complete IDX file
   */
  public static IdxFile read(Path file) throws IOException {
    if (!Files.exists(file)) {
      throw new IOException(file + ": no such file");
    }
    if (!Files.isRegularFile(file)) {
      throw new IOException(file + ": not a regular file (a directory?)");
    }
    if (!Files.isReadable(file)) {
      throw new IOException(file + ": not readable (check its permissions)");
    }
    try (InputStream in = Files.newInputStream(file)) {
      return read(in, file.toString());
    } catch (java.nio.file.FileSystemException e) {
      throw new IOException(file + ": cannot be read: " + e.getReason(), e);
    }
  }

  /**
   * Reads an IDX array from a stream, plain or gzip-compressed; {@code source} names it in errors.
   */
  public static IdxFile read(InputStream stream, String source) throws IOException {
    BufferedInputStream buffered = new BufferedInputStream(stream);
    buffered.mark(2);
    int first = buffered.read();
    int second = buffered.read();
    buffered.reset();
    InputStream plain =
        first == 0x1f && second == 0x8b ? new GZIPInputStream(buffered, 1 << 16) : buffered;
    DataInputStream in = new DataInputStream(plain);
    try {
      if (in.readUnsignedByte() != 0 || in.readUnsignedByte() != 0) {
        throw new IOException(source + ": not an IDX file (the first two bytes must be zero)");
      }
      ElementType type = ElementType.of(in.readUnsignedByte(), source);
      int rank = in.readUnsignedByte();
      if (rank == 0) {
        throw new IOException(source + ": IDX header declares zero dimensions");
      }
      int[] dimensions = new int[rank];
      long count = 1;
      for (int i = 0; i < rank; i++) {
        dimensions[i] = in.readInt();
        if (dimensions[i] < 0) {
          throw new IOException(source + ": dimension " + i + " is negative: " + dimensions[i]);
        }
        count *= dimensions[i];
      }
      long byteCount = count * type.bytes;
      if (byteCount > Integer.MAX_VALUE - 16) {
        throw new IOException(source + ": " + byteCount + " bytes of data is too large to load");
      }
      byte[] data = new byte[(int) byteCount];
      int read = in.readNBytes(data, 0, data.length);
      if (read < data.length) {
        throw new IOException(
            source
                + ": truncated, the header "
                + Arrays.toString(dimensions)
                + " promises "
                + data.length
                + " bytes of data but the file holds "
                + read);
      }
      return new IdxFile(source, type, dimensions, data);
    } catch (EOFException e) {
      throw new IOException(source + ": truncated inside the IDX header", e);
    }
  }

  /**
   * Writes {@code examples} examples of {@code exampleShape} as an IDX file that {@link #read}
   * reads back: {@code float[]} as IDX floats, {@code double[]} as doubles, {@code int[]} as ints.
   * IDX has no 64-bit integers: {@code long[]} values are written as doubles, exact up to 2^53.
   *
   * @param values a flat {@code float[]}, {@code double[]}, {@code int[]} or {@code long[]} of
   *     {@code dtype}
   * @throws IOException if the file cannot be written
   */
  public static void write(Path file, Object values, DType dtype, int examples, int[] exampleShape)
      throws IOException {
    int length = java.lang.reflect.Array.getLength(values);
    ElementType type =
        switch (dtype) {
          case FLOAT32 -> ElementType.FLOAT;
          case FLOAT64, INT64 -> ElementType.DOUBLE;
          case INT32 -> ElementType.INT;
        };
    ByteBuffer header = ByteBuffer.allocate(4 + 4 * (exampleShape.length + 1));
    header.put((byte) 0).put((byte) 0).put((byte) type.code).put((byte) (exampleShape.length + 1));
    header.putInt(examples);
    for (int dimension : exampleShape) {
      header.putInt(dimension);
    }
    ByteBuffer data = ByteBuffer.allocate(length * type.bytes).order(ByteOrder.BIG_ENDIAN);
    switch (dtype) {
      case FLOAT32 -> data.asFloatBuffer().put((float[]) values);
      case FLOAT64 -> data.asDoubleBuffer().put((double[]) values);
      case INT32 -> data.asIntBuffer().put((int[]) values);
      case INT64 -> {
        for (long value : (long[]) values) {
          data.putDouble(value);
        }
      }
    }
    try (var out = Files.newOutputStream(file)) {
      out.write(header.array());
      out.write(data.array());
    }
  }

  /** Where the array was read from. */
  public String source() {
    return source;
  }

  /** The dimensions, the first being the number of examples. */
  public int[] dimensions() {
    return dimensions.clone();
  }

  /** Number of examples: the first dimension. */
  public int size() {
    return dimensions[0];
  }

  /** The value at flat position {@code index}, as a double. */
  public double value(int index) {
    return switch (type) {
      case UBYTE -> data.get(index) & 0xff;
      case BYTE -> data.get(index);
      case SHORT -> data.getShort(index * 2);
      case INT -> data.getInt(index * 4);
      case FLOAT -> data.getFloat(index * 4);
      case DOUBLE -> data.getDouble(index * 8);
    };
  }

  private int valueCount() {
    return data.capacity() / type.bytes;
  }

  private int[] exampleShape() {
    return Arrays.copyOfRange(dimensions, 1, dimensions.length);
  }

  /** The values times {@code scale} (1/255 turns pixels into [0, 1]), one example per row. */
  public FloatColumn toFloatColumn(float scale) {
    float[] values = new float[valueCount()];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) (value(i) * scale);
    }
    return new FloatColumn(values, exampleShape());
  }

  /**
   * The values as integers, one example per row: class labels.
   *
   * @throws IllegalStateException if the file holds floating-point values
   */
  public IntColumn toIntColumn() {
    if (type == ElementType.FLOAT || type == ElementType.DOUBLE) {
      throw new IllegalStateException(source + " holds " + type + " values, not integers");
    }
    int[] values = new int[valueCount()];
    for (int i = 0; i < values.length; i++) {
      values[i] = (int) value(i);
    }
    return new IntColumn(values, exampleShape());
  }
}
