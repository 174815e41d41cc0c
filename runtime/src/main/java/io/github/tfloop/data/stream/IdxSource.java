package io.github.tfloop.data.stream;

import io.github.tfloop.data.InputSpec;
import java.io.BufferedInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * IDX files (the format of MNIST), plain or gzip, each feeding one input, converted as {@code
 * IdxFile.toColumn} converts, bit for bit. All files hold the same number of examples; a record is
 * one example of every file. Plain files are cut into blocks of about 1 MiB of records, read from
 * the middle of the file; a gzip file can only be read from its start, so it is one part.
 */
final class IdxSource extends Source {

  private static final int BLOCK_BYTES = 1 << 20;
  private static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

  /** Unsigned bytes become floats in [0, 1] for a floating-point input, as IdxFile's. */
  private static final double PIXEL_SCALE = 1 / 255f;

  /** What an IDX file's header says. */
  private record Header(
      Path file, boolean gzip, int type, int valueBytes, int[] dimensions, long dataOffset) {

    long count() {
      return dimensions[0];
    }

    int exampleValues() {
      int values = 1;
      for (int i = 1; i < dimensions.length; i++) {
        values *= dimensions[i];
      }
      return values;
    }

    int recordBytes() {
      return exampleValues() * valueBytes;
    }

    boolean integral() {
      return type != 0x0D && type != 0x0E;
    }

    String typeName() {
      return switch (type) {
        case 0x08 -> "UBYTE";
        case 0x09 -> "BYTE";
        case 0x0B -> "SHORT";
        case 0x0C -> "INT";
        case 0x0D -> "FLOAT";
        default -> "DOUBLE";
      };
    }
  }

  private final List<InputSpec> columns;
  private final List<Path> files;
  private final List<Header> headers = new ArrayList<>();
  private final List<Part> parts = new ArrayList<>();
  private final int recordBytes;

  IdxSource(List<InputSpec> columns, List<Path> files) throws IOException {
    this.columns = List.copyOf(columns);
    this.files = List.copyOf(files);
    for (Path file : files) {
      headers.add(header(file));
    }
    for (int i = 0; i < files.size(); i++) {
      requireFeeds(headers.get(i), columns.get(i));
      if (headers.get(i).count() != headers.get(0).count()) {
        throw new IllegalArgumentException(
            files.get(0)
                + " holds "
                + headers.get(0).count()
                + " examples but "
                + files.get(i)
                + " holds "
                + headers.get(i).count()
                + "; the files must hold the same examples, in the same order");
      }
    }
    int bytes = 0;
    boolean gzip = false;
    for (Header header : headers) {
      bytes += header.recordBytes();
      gzip |= header.gzip();
    }
    this.recordBytes = bytes;
    long count = headers.get(0).count();
    String name = files.size() == 1 ? files.get(0).toString() : files.toString();
    if (gzip) {
      parts.add(new Part(0, name, 0, 0, count));
    } else {
      long block = Math.max(1, BLOCK_BYTES / Math.max(1, bytes));
      for (long first = 0; first < count; first += block) {
        parts.add(new Part(parts.size(), name, first, first, Math.min(block, count - first)));
      }
    }
  }

  private static Header header(Path file) throws IOException {
    requireReadable(file);
    long fileLength = Files.size(file);
    try (InputStream raw = Files.newInputStream(file)) {
      BufferedInputStream buffered = new BufferedInputStream(raw, 1 << 16);
      buffered.mark(2);
      int first = buffered.read();
      int second = buffered.read();
      buffered.reset();
      if (first < 0) {
        throw new IOException(file + ": empty file, not an IDX file");
      }
      boolean gzip = first == 0x1f && second == 0x8b;
      InputStream in = gzip ? gunzip(buffered, file) : buffered;
      byte[] start = new byte[4];
      int got = in.readNBytes(start, 0, 4);
      if (got >= 2 && (start[0] != 0 || start[1] != 0)) {
        throw new IOException(file + ": not an IDX file (the first two bytes must be zero)");
      }
      if (got < 4) {
        throw new IOException(file + ": truncated inside the IDX header");
      }
      int type = start[2] & 0xff;
      int valueBytes =
          switch (type) {
            case 0x08, 0x09 -> 1;
            case 0x0B -> 2;
            case 0x0C, 0x0D -> 4;
            case 0x0E -> 8;
            default ->
                throw new IOException(
                    file
                        + ": unknown IDX element type 0x"
                        + Integer.toHexString(type)
                        + " (expected one of 0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E)");
          };
      int rank = start[3] & 0xff;
      if (rank == 0) {
        throw new IOException(file + ": IDX header declares zero dimensions");
      }
      byte[] dimensionBytes = new byte[4 * rank];
      if (in.readNBytes(dimensionBytes, 0, dimensionBytes.length) < dimensionBytes.length) {
        throw new IOException(file + ": truncated inside the IDX header");
      }
      int[] dimensions = new int[rank];
      ByteBuffer.wrap(dimensionBytes).asIntBuffer().get(dimensions);
      BigInteger example = BigInteger.valueOf(valueBytes);
      for (int i = 0; i < rank; i++) {
        if (dimensions[i] < 0 || (dimensions[i] == 0 && i > 0)) {
          throw new IOException(
              file
                  + ": the IDX header's dimensions "
                  + Arrays.toString(dimensions)
                  + " hold a negative number, or a zero after the first (the number of examples)");
        }
        if (i > 0) {
          example = example.multiply(BigInteger.valueOf(dimensions[i]));
        }
      }
      if (example.compareTo(BigInteger.valueOf(MAX_ARRAY)) > 0) {
        throw new IOException(
            file
                + ": the IDX header's dimensions "
                + Arrays.toString(dimensions)
                + " describe examples of "
                + example
                + " bytes, more than a Java array holds");
      }
      long dataOffset = 4L + 4L * rank;
      Header header = new Header(file, gzip, type, valueBytes, dimensions, dataOffset);
      if (!gzip) {
        long expected = dataOffset + header.count() * header.recordBytes();
        if (fileLength < expected) {
          throw new IOException(
              file
                  + ": truncated: the header "
                  + Arrays.toString(dimensions)
                  + " promises "
                  + (expected - dataOffset)
                  + " bytes of data but the file holds only "
                  + (fileLength - dataOffset));
        }
        if (fileLength > expected) {
          throw new IOException(
              file
                  + ": "
                  + (fileLength - expected)
                  + " bytes after the "
                  + (expected - dataOffset)
                  + " bytes of data that the header "
                  + Arrays.toString(dimensions)
                  + " describes (two files joined, or a wrong header?)");
        }
      }
      return header;
    }
  }

  private static InputStream gunzip(InputStream in, Path file) throws IOException {
    try {
      return new GZIPInputStream(in, 1 << 16);
    } catch (EOFException e) {
      throw new IOException(file + ": truncated inside its gzip header", e);
    } catch (ZipException e) {
      throw new IOException(file + ": corrupt gzip header: " + e.getMessage(), e);
    }
  }

  /** The checks of {@code IdxFile.toColumn}, with its messages. */
  private static void requireFeeds(Header header, InputSpec input) {
    int[] shape = Arrays.copyOfRange(header.dimensions(), 1, header.dimensions().length);
    if (header.exampleValues() != input.exampleLength()) {
      throw new IllegalArgumentException(
          header.file()
              + " holds examples of shape "
              + InputSpec.describe(shape)
              + " ("
              + header.exampleValues()
              + " values) but input '"
              + input.name()
              + "' takes "
              + InputSpec.describe(input.exampleShape())
              + " ("
              + input.exampleLength()
              + " values)");
    }
    if (!input.dtype().isFloating() && !header.integral()) {
      throw new IllegalArgumentException(
          header.file()
              + " holds "
              + header.typeName()
              + " values but input '"
              + input.name()
              + "' takes "
              + input.dtype()
              + " integers");
    }
  }

  @Override
  String describe() {
    return files.size() + (files.size() == 1 ? " IDX file (" : " IDX files (") + names(files) + ")";
  }

  @Override
  List<InputSpec> columns() {
    return columns;
  }

  @Override
  List<Part> parts() {
    return parts;
  }

  @Override
  int recordBytes() {
    return recordBytes;
  }

  @Override
  void fingerprint(InputSpec column, DataOutputStream out) throws IOException {
    out.writeUTF("idx");
    sample(files.get(columns.indexOf(column)), out);
  }

  @Override
  PartReader open(Part part, IoBuffers buffers) throws IOException {
    int count = files.size();
    FileInput[] plain = new FileInput[count];
    InputStream[] gzip = new InputStream[count];
    try {
      for (int f = 0; f < count; f++) {
        Header header = headers.get(f);
        if (header.gzip()) {
          InputStream in = gunzip(Files.newInputStream(header.file()), header.file());
          in.skipNBytes(header.dataOffset());
          gzip[f] = in;
        } else {
          long at = header.dataOffset() + part.first() * header.recordBytes();
          plain[f] =
              new FileInput(
                  header.file(),
                  at,
                  at + part.count() * header.recordBytes(),
                  BLOCK_BYTES,
                  buffers);
        }
      }
    } catch (IOException | RuntimeException e) {
      closeAll(plain, gzip);
      throw e;
    }
    return new PartReader() {
      private long record;
      private boolean checkedEnd;

      @Override
      public boolean next(Chunk into, long number) throws IOException {
        if (record == part.count()) {
          if (!checkedEnd) {
            checkedEnd = true;
            for (int f = 0; f < count; f++) {
              if (gzip[f] != null) {
                requireEnd(gzip[f], headers.get(f));
              }
            }
          }
          return false;
        }
        long index = part.first() + record;
        if (into != null) {
          into.beginRecord(number, part.index(), index, 0);
        }
        for (int f = 0; f < count; f++) {
          Header header = headers.get(f);
          int bytes = header.recordBytes();
          if (into == null) {
            if (plain[f] != null) {
              plain[f].skip(bytes);
            } else {
              skipGzip(gzip[f], bytes, header, index);
            }
          } else {
            byte[] target = into.reserve(bytes);
            int got =
                plain[f] != null
                    ? plain[f].read(target, into.used, bytes)
                    : readGzip(gzip[f], target, into.used, bytes, header);
            if (got < bytes) {
              throw truncated(header, index);
            }
            into.used += bytes;
          }
        }
        if (into != null) {
          into.finishRecord();
        }
        record++;
        return true;
      }

      @Override
      public void close() throws IOException {
        closeAll(plain, gzip);
      }
    };
  }

  private static int readGzip(InputStream in, byte[] target, int at, int length, Header header)
      throws IOException {
    try {
      return in.readNBytes(target, at, length);
    } catch (EOFException e) {
      return 0; // the compressed stream breaks off: reported as truncated
    } catch (ZipException e) {
      throw new IOException(header.file() + ": corrupt gzip data: " + e.getMessage(), e);
    }
  }

  private static void skipGzip(InputStream in, int length, Header header, long index)
      throws IOException {
    try {
      in.skipNBytes(length);
    } catch (EOFException e) {
      throw truncated(header, index);
    } catch (ZipException e) {
      throw new IOException(header.file() + ": corrupt gzip data: " + e.getMessage(), e);
    }
  }

  /** Checks that a gzip stream ends after its data, which also checks its trailer's checksum. */
  private static void requireEnd(InputStream in, Header header) throws IOException {
    long extra;
    try {
      extra = in.skip(Long.MAX_VALUE);
    } catch (EOFException e) {
      throw new IOException(
          header.file() + ": truncated: the gzip stream ends inside its trailer, after the data",
          e);
    } catch (ZipException e) {
      throw new IOException(
          header.file() + ": corrupt gzip data at its end (checksum or length): " + e.getMessage(),
          e);
    }
    if (extra > 0) {
      throw new IOException(
          header.file()
              + ": "
              + extra
              + " bytes after the data that the header "
              + Arrays.toString(header.dimensions())
              + " describes (two files joined, or a wrong header?)");
    }
  }

  private static IOException truncated(Header header, long index) {
    return new IOException(
        header.file()
            + ": truncated: the data ends inside example "
            + index
            + " but the header "
            + Arrays.toString(header.dimensions())
            + " promises "
            + header.count());
  }

  private static void closeAll(FileInput[] plain, InputStream[] gzip) throws IOException {
    IOException first = null;
    for (int f = 0; f < plain.length; f++) {
      try {
        if (plain[f] != null) {
          plain[f].close();
        }
        if (gzip[f] != null) {
          gzip[f].close();
        }
      } catch (IOException e) {
        first = first == null ? e : first;
      }
    }
    if (first != null) {
      throw first;
    }
  }

  @Override
  Decoder decoder(List<InputSpec> inputs) {
    int[] file = new int[inputs.size()];
    int[] offset = new int[inputs.size()];
    for (int i = 0; i < inputs.size(); i++) {
      file[i] = columns.indexOf(inputs.get(i));
      for (int f = 0; f < file[i]; f++) {
        offset[i] += headers.get(f).recordBytes();
      }
    }
    return (chunk, k) -> {
      for (int i = 0; i < file.length; i++) {
        convert(
            headers.get(file[i]),
            chunk.bytes,
            chunk.start[k] + offset[i],
            inputs.get(i),
            chunk,
            i,
            k);
      }
    };
  }

  /** Converts one example's bytes as {@code IdxFile.toColumn} converts, bit for bit. */
  private static void convert(
      Header header, byte[] bytes, int from, InputSpec input, Chunk chunk, int slot, int k) {
    int n = header.exampleValues();
    int at = k * n;
    ByteBuffer data = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
    boolean pixels = header.type() == 0x08;
    switch (input.dtype()) {
      case FLOAT32 -> {
        float[] values = (float[]) chunk.values[slot];
        if (header.type() == 0x0D) {
          data.position(from);
          data.asFloatBuffer().get(values, at, n);
        } else if (pixels) {
          for (int j = 0; j < n; j++) {
            values[at + j] = (float) ((bytes[from + j] & 0xff) * PIXEL_SCALE);
          }
        } else {
          for (int j = 0; j < n; j++) {
            values[at + j] = (float) value(header.type(), data, from, j);
          }
        }
      }
      case FLOAT64 -> {
        double[] values = (double[]) chunk.values[slot];
        for (int j = 0; j < n; j++) {
          double value = value(header.type(), data, from, j);
          values[at + j] = pixels ? value / 255 : value;
        }
      }
      case INT32 -> {
        int[] values = (int[]) chunk.values[slot];
        for (int j = 0; j < n; j++) {
          values[at + j] = (int) value(header.type(), data, from, j);
        }
      }
      case INT64 -> {
        long[] values = (long[]) chunk.values[slot];
        for (int j = 0; j < n; j++) {
          values[at + j] = (long) value(header.type(), data, from, j);
        }
      }
    }
  }

  private static double value(int type, ByteBuffer data, int from, int index) {
    return switch (type) {
      case 0x08 -> data.get(from + index) & 0xff;
      case 0x09 -> data.get(from + index);
      case 0x0B -> data.getShort(from + index * 2);
      case 0x0C -> data.getInt(from + index * 4);
      case 0x0D -> data.getFloat(from + index * 4);
      default -> data.getDouble(from + index * 8);
    };
  }
}
