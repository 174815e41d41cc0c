package io.github.tfloop.data.stream;

import io.github.tfloop.data.DType;
import io.github.tfloop.data.InputSpec;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * A folder of class folders of PNG and JPEG images. The examples are every image, class by class
 * (classes sorted by folder name, images by file name); parts are blocks of {@value #BLOCK} images.
 * An image's record is its file's bytes; {@code javax.imageio} decodes it.
 */
final class ImageFolderSource extends Source {

  private static final int BLOCK = 64;
  private static final double PIXEL_SCALE = 1 / 255f;

  private final Path root;
  private final InputSpec image;
  private final InputSpec label;
  private final List<String> classes;
  private final List<Path> images = new ArrayList<>();
  private final List<Integer> labels = new ArrayList<>();
  private final List<Part> parts = new ArrayList<>();
  private final int height;
  private final int width;
  private final int channels;
  private final int recordBytes;

  ImageFolderSource(Path root, InputSpec image, InputSpec label) throws IOException {
    this.root = root;
    this.image = image;
    this.label = label;
    int[] shape = image.exampleShape();
    boolean grey = shape.length == 2 || (shape.length == 3 && shape[2] == 1);
    boolean colour = shape.length == 3 && shape[2] == 3;
    if (!grey && !colour) {
      throw new IllegalArgumentException(
          "input '"
              + image.name()
              + "' has shape "
              + InputSpec.describe(shape)
              + "; images feed an input of shape [height, width], [height, width, 1] or [height,"
              + " width, 3]");
    }
    this.height = shape[0];
    this.width = shape[1];
    this.channels = colour ? 3 : 1;
    if (label.dtype().isFloating() || label.exampleLength() != 1) {
      throw new IllegalArgumentException(
          "input '"
              + label.name()
              + "' is "
              + label.dtype()
              + " "
              + InputSpec.describe(label.exampleShape())
              + "; the class numbers of images feed a scalar INT32 or INT64 input");
    }
    this.classes = classes(root);
    for (int c = 0; c < classes.size(); c++) {
      Path folder = root.resolve(classes.get(c));
      List<Path> found = new ArrayList<>();
      try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder)) {
        for (Path entry : entries) {
          String name = entry.getFileName().toString().toLowerCase(Locale.ROOT);
          if (Files.isRegularFile(entry)
              && (name.endsWith(".png") || name.endsWith(".jpg") || name.endsWith(".jpeg"))) {
            found.add(entry);
          }
        }
      }
      if (found.isEmpty()) {
        throw new IOException(
            folder + ": the folder of class '" + classes.get(c) + "' holds no .png or .jpg image");
      }
      found.sort(null);
      images.addAll(found);
      for (int i = 0; i < found.size(); i++) {
        labels.add(c);
      }
    }
    for (int first = 0; first < images.size(); first += BLOCK) {
      parts.add(
          new Part(
              parts.size(), root.toString(), first, first, Math.min(BLOCK, images.size() - first)));
    }
    this.recordBytes = Math.max(1024, height * width * channels / 2);
  }

  /** The class folders of {@code root}, sorted by name. */
  static List<String> classes(Path root) throws IOException {
    if (!Files.isDirectory(root)) {
      throw new IOException(root + ": not a folder (images are read from one folder per class)");
    }
    List<String> classes = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
      for (Path entry : entries) {
        String name = entry.getFileName().toString();
        if (Files.isDirectory(entry) && !name.startsWith(".")) {
          classes.add(name);
        }
      }
    } catch (IOException e) {
      throw new IOException(root + ": cannot be listed: " + e.getMessage(), e);
    }
    if (classes.isEmpty()) {
      throw new IOException(
          root
              + ": holds no class folder (images are read from one folder per"
              + " class: "
              + root.resolve("<class>/<image>.png")
              + ")");
    }
    classes.sort(null);
    return classes;
  }

  @Override
  String describe() {
    return images.size() + " images in " + classes.size() + " class folders of " + root;
  }

  @Override
  List<InputSpec> columns() {
    return List.of(image, label);
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
    out.writeUTF("images " + column.name());
    for (Path file : images) {
      out.writeUTF(root.relativize(file).toString());
      out.writeLong(Files.size(file));
    }
  }

  @Override
  PartReader open(Part part, IoBuffers buffers) {
    return new PartReader() {
      private int record;

      @Override
      public boolean next(Chunk into, long number) throws IOException {
        if (record == part.count()) {
          return false;
        }
        int index = (int) (part.first() + record);
        if (into != null) {
          Path file = images.get(index);
          into.beginRecord(number, part.index(), index, 0);
          try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readAllBytes();
            byte[] target = into.reserve(bytes.length);
            System.arraycopy(bytes, 0, target, into.used, bytes.length);
            into.used += bytes.length;
          } catch (IOException e) {
            throw new IOException(file + ": cannot be read: " + e.getMessage(), e);
          }
          into.extra[into.count] = labels.get(index);
          into.finishRecord();
        }
        record++;
        return true;
      }

      @Override
      public void close() {}
    };
  }

  @Override
  Decoder decoder(List<InputSpec> inputs) {
    return (chunk, k) -> {
      Path file = images.get((int) chunk.record[k]);
      for (int i = 0; i < inputs.size(); i++) {
        if (inputs.get(i).equals(label)) {
          if (label.dtype() == DType.INT32) {
            ((int[]) chunk.values[i])[k] = chunk.extra[k];
          } else {
            ((long[]) chunk.values[i])[k] = chunk.extra[k];
          }
        } else {
          pixels(file, chunk, k, chunk.values[i]);
        }
      }
    };
  }

  private void pixels(Path file, Chunk chunk, int k, Object target) throws IOException {
    BufferedImage decoded;
    try {
      decoded =
          ImageIO.read(new ByteArrayInputStream(chunk.bytes, chunk.start[k], chunk.length[k]));
    } catch (IOException | RuntimeException e) {
      throw new IOException(file + ": not a readable PNG or JPEG image: " + e.getMessage(), e);
    }
    if (decoded == null) {
      throw new IOException(file + ": not a PNG or JPEG image that javax.imageio can read");
    }
    if (decoded.getHeight() != height || decoded.getWidth() != width) {
      throw new IllegalArgumentException(
          file
              + ": the image is "
              + decoded.getHeight()
              + "×"
              + decoded.getWidth()
              + " (height × width) but input '"
              + image.name()
              + "' takes "
              + height
              + "×"
              + width
              + "; resize the images first");
    }
    int length = height * width * channels;
    int at = k * length;
    int[] samples = new int[length];
    int type = decoded.getType();
    if (type == BufferedImage.TYPE_BYTE_GRAY || type == BufferedImage.TYPE_USHORT_GRAY) {
      // grey values as stored: getRGB would convert them from linear grey to sRGB
      Raster raster = decoded.getRaster();
      int[] grey = raster.getSamples(0, 0, width, height, 0, new int[height * width]);
      int shift = type == BufferedImage.TYPE_USHORT_GRAY ? 8 : 0;
      for (int p = 0; p < grey.length; p++) {
        for (int c = 0; c < channels; c++) {
          samples[p * channels + c] = grey[p] >> shift;
        }
      }
    } else {
      int p = 0;
      for (int y = 0; y < height; y++) {
        for (int x = 0; x < width; x++) {
          int rgb = decoded.getRGB(x, y);
          int r = (rgb >> 16) & 0xff;
          int g = (rgb >> 8) & 0xff;
          int b = rgb & 0xff;
          if (channels == 3) {
            samples[p++] = r;
            samples[p++] = g;
            samples[p++] = b;
          } else {
            if (r != g || g != b) {
              throw new IllegalArgumentException(
                  file
                      + ": a colour image (pixel "
                      + x
                      + ", "
                      + y
                      + " is not grey) but input '"
                      + image.name()
                      + "' takes one channel; declare it [height, width, 3]");
            }
            samples[p++] = r;
          }
        }
      }
    }
    switch (image.dtype()) {
      case FLOAT32 -> {
        float[] values = (float[]) target;
        for (int j = 0; j < length; j++) {
          values[at + j] = (float) (samples[j] * PIXEL_SCALE);
        }
      }
      case FLOAT64 -> {
        double[] values = (double[]) target;
        for (int j = 0; j < length; j++) {
          values[at + j] = samples[j] / 255.0;
        }
      }
      case INT32 -> System.arraycopy(samples, 0, (int[]) target, at, length);
      case INT64 -> {
        long[] values = (long[]) target;
        for (int j = 0; j < length; j++) {
          values[at + j] = samples[j];
        }
      }
    }
  }
}
