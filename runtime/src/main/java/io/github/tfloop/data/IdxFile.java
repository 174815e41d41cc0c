package io.github.tfloop.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * An array read from an IDX file, the format of MNIST and Fashion-MNIST: two zero bytes, a type
 * code, the number of dimensions, each dimension as a big-endian int, then the values, big-endian.
 * Gzip-compressed files are recognised by their first bytes and decompressed while reading.
 *
 * <p>In one call, a pair of files as the dataset a generated loop takes, with columns named and
 * shaped after its inputs:
 *
 * <pre>{@code
 * Path dir = Path.of("/usr/share/datasets/fashion-mnist");
 * Dataset train = IdxFile.dataset(
 *     FashionMlpLoop.IMAGE, dir.resolve("train-images-idx3-ubyte.gz"),   // pixels / 255
 *     FashionMlpLoop.LABEL, dir.resolve("train-labels-idx1-ubyte.gz"));
 * }</pre>
 *
 * <p>Or one file at a time:
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
   * <p>The header is checked before any data is read: every dimension after the first must be
   * positive, and the data it describes must fit a Java array; a plain file must also be exactly as
   * long as its header says, so that a damaged header never makes this method allocate more than
   * the file holds.
   *
   * @throws IOException naming the file and what is wrong with it, if it cannot be read or is not a
   *     complete IDX file: where it is truncated (the header, the data, or a gzip trailer), how
   *     many bytes the header promises and how many there are, and bytes left over after the data
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
      return read(in, file.toString(), Files.size(file));
    } catch (java.nio.file.FileSystemException e) {
      throw new IOException(file + ": cannot be read: " + e.getReason(), e);
    }
  }

  /**
   * Reads an IDX array from a stream, plain or gzip-compressed; {@code source} names it in errors.
   * The stream is read to its end (bytes after the data are an error) but not closed.
   *
   * @throws IOException naming {@code source} and what is wrong, as {@link #read(Path)} does
   */
  public static IdxFile read(InputStream stream, String source) throws IOException {
    return read(stream, source, -1);
  }

  /** The largest array the JVM reliably allocates. */
  private static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

  /** Data larger than this is read into a growing array, so a false header cannot exhaust heap. */
  private static final int FIRST_ALLOCATION = 64 << 20;

  /**
   * @param fileLength the length of the file behind {@code stream}, or -1 if unknown
   */
  private static IdxFile read(InputStream stream, String source, long fileLength)
      throws IOException {
    BufferedInputStream buffered = new BufferedInputStream(stream, 1 << 16);
    buffered.mark(2);
    int first = buffered.read();
    int second = buffered.read();
    buffered.reset();
    if (first < 0) {
      throw new IOException(source + ": empty file, not an IDX file");
    }
    boolean gzip = first == 0x1f && second == 0x8b;
    Input in = new Input(source, gzip, gzip ? gunzip(buffered, source) : buffered);
    byte[] start = new byte[4];
    int got = in.fill(start, 0, 4);
    if (got >= 2 && (start[0] != 0 || start[1] != 0)) {
      throw new IOException(source + ": not an IDX file (the first two bytes must be zero)");
    }
    if (got < 4) {
      throw in.truncatedHeader();
    }
    ElementType type = ElementType.of(start[2] & 0xff, source);
    int rank = start[3] & 0xff;
    if (rank == 0) {
      throw new IOException(source + ": IDX header declares zero dimensions");
    }
    byte[] dimensionBytes = new byte[4 * rank];
    if (in.fill(dimensionBytes, 0, dimensionBytes.length) < dimensionBytes.length) {
      throw in.truncatedHeader();
    }
    int[] dimensions = new int[rank];
    ByteBuffer.wrap(dimensionBytes).asIntBuffer().get(dimensions);
    long byteCount = checkedByteCount(dimensions, type, source);
    long headerLength = 4L + 4L * rank;
    if (!gzip && fileLength >= 0 && fileLength != headerLength + byteCount) {
      if (fileLength < headerLength + byteCount) {
        throw truncatedData(source, dimensions, byteCount, fileLength - headerLength, false);
      }
      throw trailing(source, dimensions, byteCount, fileLength - headerLength - byteCount);
    }
    byte[] data = new byte[(int) Math.min(byteCount, FIRST_ALLOCATION)];
    int read = 0;
    while (true) {
      read += in.fill(data, read, data.length - read);
      if (read < data.length || data.length == byteCount) {
        break;
      }
      data = Arrays.copyOf(data, (int) Math.min(byteCount, 2L * data.length));
    }
    if (read < byteCount) {
      throw truncatedData(source, dimensions, byteCount, read, in.endedEarly);
    }
    long extra = in.skipToEnd(byteCount);
    if (extra > 0) {
      throw trailing(source, dimensions, byteCount, extra);
    }
    return new IdxFile(source, type, dimensions, data);
  }

  private static InputStream gunzip(InputStream in, String source) throws IOException {
    try {
      return new GZIPInputStream(in, 1 << 16);
    } catch (EOFException e) {
      throw new IOException(source + ": truncated inside its gzip header", e);
    } catch (ZipException e) {
      throw new IOException(source + ": corrupt gzip header: " + e.getMessage(), e);
    }
  }

  /**
   * The number of data bytes {@code dimensions} describe.
   *
   * @throws IOException if a dimension is negative, an example dimension zero, or the data too
   *     large for one array
   */
  private static long checkedByteCount(int[] dimensions, ElementType type, String source)
      throws IOException {
    String header = "the IDX header's dimensions " + Arrays.toString(dimensions);
    for (int i = 0; i < dimensions.length; i++) {
      if (dimensions[i] < 0) {
        throw new IOException(
            source
                + ": the IDX header's dimension "
                + i
                + " is negative ("
                + dimensions[i]
                + "), or larger than 2^31 - 1");
      }
      if (dimensions[i] == 0 && i > 0) {
        throw new IOException(
            source
                + ": "
                + header
                + " have a zero: every dimension after the first (the number of examples) must"
                + " be positive");
      }
    }
    BigInteger exampleLength = BigInteger.ONE;
    for (int i = 1; i < dimensions.length; i++) {
      exampleLength = exampleLength.multiply(BigInteger.valueOf(dimensions[i]));
    }
    if (exampleLength.compareTo(BigInteger.valueOf(MAX_ARRAY)) > 0) {
      throw new IOException(
          source
              + ": "
              + header
              + " describe examples of "
              + exampleLength
              + " values, more than a Java array holds");
    }
    BigInteger values = exampleLength.multiply(BigInteger.valueOf(dimensions[0]));
    BigInteger bytes = values.multiply(BigInteger.valueOf(type.bytes));
    if (bytes.compareTo(BigInteger.valueOf(MAX_ARRAY)) > 0) {
      throw new IOException(
          source
              + ": "
              + header
              + " describe "
              + values
              + " values of "
              + type.bytes
              + " bytes ("
              + bytes
              + " bytes), more than a Java array holds");
    }
    return bytes.longValueExact();
  }

  private static IOException truncatedData(
      String source, int[] dimensions, long expected, long found, boolean gzipEndedEarly) {
    return new IOException(
        source
            + ": truncated: the header "
            + Arrays.toString(dimensions)
            + " promises "
            + expected
            + " bytes of data but the file holds only "
            + found
            + (gzipEndedEarly ? " (its gzip stream ends early)" : ""));
  }

  private static IOException trailing(String source, int[] dimensions, long expected, long extra) {
    return new IOException(
        source
            + ": "
            + extra
            + " bytes after the "
            + expected
            + " bytes of data that the header "
            + Arrays.toString(dimensions)
            + " describes (two files joined, or a wrong header?)");
  }

  /**
   * The decompressed bytes of an IDX file, with the count read so far, so that every error can say
   * where in the file it happened.
   */
  private static final class Input {
    private final String source;
    private final boolean gzip;
    private final InputStream in;
    private long position;
    private boolean endedEarly;

    Input(String source, boolean gzip, InputStream in) {
      this.source = source;
      this.gzip = gzip;
      this.in = in;
    }

    /**
     * Reads up to {@code length} bytes, fewer only at the end of the data.
     *
     * @return how many bytes were read
     */
    int fill(byte[] buffer, int offset, int length) throws IOException {
      int total = 0;
      try {
        while (total < length) {
          int n = in.read(buffer, offset + total, length - total);
          if (n < 0) {
            break;
          }
          total += n;
        }
      } catch (EOFException e) {
        endedEarly = true; // the compressed stream breaks off ("Unexpected end of ZLIB input")
      } catch (ZipException e) {
        throw new IOException(
            source
                + ": corrupt gzip data after "
                + (position + total)
                + " decompressed bytes: "
                + e.getMessage(),
            e);
      }
      position += total;
      return total;
    }

    /**
     * Reads what is left after {@code dataBytes} bytes of data: for a gzip file this also checks
     * its trailer (the checksum and length).
     *
     * @return the number of bytes left over
     */
    long skipToEnd(long dataBytes) throws IOException {
      byte[] scratch = new byte[8192];
      long extra = 0;
      try {
        for (int n = in.read(scratch); n >= 0; n = in.read(scratch)) {
          extra += n;
        }
      } catch (EOFException e) {
        if (extra == 0) {
          throw new IOException(
              source
                  + ": truncated: the gzip stream ends inside its trailer, after all "
                  + dataBytes
                  + " bytes of data",
              e);
        }
        // bytes after the data, and then a cut: report the bytes after the data
      } catch (ZipException e) {
        throw new IOException(
            source + ": corrupt gzip data at its end (checksum or length): " + e.getMessage(), e);
      }
      return extra;
    }

    IOException truncatedHeader() {
      return new IOException(
          source
              + ": truncated inside the IDX header: the file ends after "
              + position
              + " bytes"
              + (gzip && endedEarly ? " (its gzip stream ends early)" : ""));
    }
  }

  /**
   * Writes {@code examples} examples of {@code exampleShape} as an IDX file that {@link #read}
   * reads back: {@code float[]} as IDX floats, {@code double[]} as doubles, {@code int[]} as ints.
   * IDX has no 64-bit integers: {@code long[]} values are written as doubles, exact up to 2^53.
   *
   * @param values a flat {@code float[]}, {@code double[]}, {@code int[]} or {@code long[]} of
   *     {@code dtype}
   * @throws IllegalArgumentException if {@code values} is not the array type of {@code dtype}, or
   *     does not hold {@code examples} examples of {@code exampleShape}; nothing is written then
   * @throws IOException if the file cannot be written
   */
  public static void write(Path file, Object values, DType dtype, int examples, int[] exampleShape)
      throws IOException {
    Class<?> expectedType =
        switch (dtype) {
          case FLOAT32 -> float[].class;
          case FLOAT64 -> double[].class;
          case INT32 -> int[].class;
          case INT64 -> long[].class;
        };
    if (values == null || values.getClass() != expectedType) {
      throw new IllegalArgumentException(
          dtype
              + " values come in a "
              + expectedType.getSimpleName()
              + ", got "
              + (values == null ? "null" : values.getClass().getSimpleName())
              + " (nothing was written to "
              + file
              + ")");
    }
    int length = java.lang.reflect.Array.getLength(values);
    long expected = examples;
    for (int dimension : exampleShape) {
      expected *= dimension;
    }
    if (examples < 0 || expected != length) {
      throw new IllegalArgumentException(
          examples
              + " examples of "
              + InputSpec.describe(exampleShape)
              + " need "
              + expected
              + " values, got "
              + length
              + " (nothing was written to "
              + file
              + ")");
    }
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

  /**
   * Reads two IDX files, such as images and their labels, as a dataset of two columns that feed
   * {@code first} and {@code second}: named after them, and converted to their types and example
   * shapes as {@link #toColumn(InputSpec)} converts (unsigned bytes become floats in [0, 1] for a
   * floating-point input).
   *
   * @throws IOException naming the file, if one cannot be read or is not a complete IDX file
   * @throws IllegalArgumentException naming the file and the input, if a file cannot feed its
   *     input, or naming both files, if they hold different numbers of examples
   */
  public static Dataset dataset(InputSpec first, Path firstFile, InputSpec second, Path secondFile)
      throws IOException {
    IdxFile a = read(firstFile);
    IdxFile b = read(secondFile);
    if (a.size() != b.size()) {
      throw new IllegalArgumentException(
          a.source
              + " holds "
              + a.size()
              + " examples but "
              + b.source
              + " holds "
              + b.size()
              + "; the two files must hold the same examples, in the same order");
    }
    if (first.name().equals(second.name())) {
      throw new IllegalArgumentException(
          "both files would feed input '" + first.name() + "': name two different inputs");
    }
    return Dataset.builder().add(first, a.toColumn(first)).add(second, b.toColumn(second)).build();
  }

  /**
   * Reads one IDX file as a dataset of one column that feeds {@code input} (for {@code predict},
   * say), converted as {@link #toColumn(InputSpec)} converts.
   *
   * @throws IOException naming the file, if it cannot be read or is not a complete IDX file
   * @throws IllegalArgumentException naming the file and the input, if the file cannot feed it
   */
  public static Dataset dataset(InputSpec input, Path file) throws IOException {
    return Dataset.builder().add(input, read(file).toColumn(input)).build();
  }

  /**
   * These values as a column that can feed {@code input}:
   *
   * <ul>
   *   <li>for a {@link DType#FLOAT32} or {@link DType#FLOAT64} input, unsigned bytes (the pixels of
   *       MNIST-style images) are divided by 255, into [0, 1]; other values are taken as they are;
   *   <li>for a {@link DType#INT32} or {@link DType#INT64} input (class labels), the file must hold
   *       integers (unsigned bytes, bytes, shorts or ints);
   *   <li>examples take the input's shape when they hold as many values, row by row: a file of
   *       28×28 images feeds an input of shape {@code [784]} as well as one of shape {@code [28,
   *       28]}.
   * </ul>
   *
   * @throws IllegalArgumentException naming this file and the input, if the file holds floating-
   *     point values for an integer input, or examples of another number of values
   */
  public Column toColumn(InputSpec input) {
    int[] fileShape = exampleShape();
    long fileLength = 1;
    for (int dimension : fileShape) {
      fileLength *= dimension;
    }
    if (fileLength != input.exampleLength()) {
      throw new IllegalArgumentException(
          source
              + " holds examples of shape "
              + InputSpec.describe(fileShape)
              + " ("
              + fileLength
              + " values) but input '"
              + input.name()
              + "' takes "
              + InputSpec.describe(input.exampleShape())
              + " ("
              + input.exampleLength()
              + " values)");
    }
    boolean integral = type != ElementType.FLOAT && type != ElementType.DOUBLE;
    if (!input.dtype().isFloating() && !integral) {
      throw new IllegalArgumentException(
          source
              + " holds "
              + type
              + " values but input '"
              + input.name()
              + "' takes "
              + input.dtype()
              + " integers");
    }
    boolean pixels = type == ElementType.UBYTE;
    int[] shape = input.exampleShape();
    int count = valueCount();
    return switch (input.dtype()) {
      case FLOAT32 -> {
        // the same floats as toFloatColumn(1 / 255f), bit for bit
        float[] values = new float[count];
        float scale = pixels ? 1 / 255f : 1;
        for (int i = 0; i < count; i++) {
          values[i] = (float) (value(i) * scale);
        }
        yield Column.of(values, shape);
      }
      case FLOAT64 -> {
        double[] values = new double[count];
        for (int i = 0; i < count; i++) {
          values[i] = pixels ? value(i) / 255 : value(i);
        }
        yield Column.of(values, shape);
      }
      case INT32 -> {
        int[] values = new int[count];
        for (int i = 0; i < count; i++) {
          values[i] = (int) value(i);
        }
        yield Column.of(values, shape);
      }
      case INT64 -> {
        long[] values = new long[count];
        for (int i = 0; i < count; i++) {
          values[i] = (long) value(i);
        }
        yield Column.of(values, shape);
      }
    };
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
