package io.github.tfloop.sample;

import io.github.tfloop.data.Dataset;
import io.github.tfloop.data.IdxFile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Fashion-MNIST: 28×28 grey images of clothing in 10 classes, as {@link Dataset}s with an {@code
 * image} column (floats in [0, 1]) and a {@code label} column (class indices 0-9).
 *
 * <p>The full set (60,000 training and 10,000 test images) is read from a directory of IDX files,
 * such as the one Debian's {@code dataset-fashion-mnist} package installs. A real subset of it (the
 * first 6,000 training and 1,000 test images) ships inside this project so that it runs on any
 * machine.
 *
 * @param source where the data came from
 */
public record FashionMnist(Dataset train, Dataset test, String source) {

  /** Where Debian's {@code dataset-fashion-mnist} package installs the IDX files. */
  public static final Path DEBIAN_DIRECTORY = Path.of("/usr/share/datasets/fashion-mnist");

  private static final String BUNDLED = "fashion-mnist/";
  private static final String[] FILES = {
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte"
  };

  /** The class names, by label. */
  public static final String[] CLASSES = {
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot"
  };

  /**
   * The full data set if {@link #DEBIAN_DIRECTORY} holds it, else the bundled subset.
   *
   * @throws IOException if a file is unreadable or not a valid IDX file
   */
  public static FashionMnist fullIfInstalled() throws IOException {
    return Files.isDirectory(DEBIAN_DIRECTORY) ? load(DEBIAN_DIRECTORY) : bundled();
  }

  /**
   * Reads the four IDX files, gzip-compressed ({@code .gz}) or not, from {@code directory}.
   *
   * @throws IOException naming the missing or broken file
   */
  public static FashionMnist load(Path directory) throws IOException {
    IdxFile[] arrays = new IdxFile[FILES.length];
    for (int i = 0; i < FILES.length; i++) {
      Path compressed = directory.resolve(FILES[i] + ".gz");
      Path plain = directory.resolve(FILES[i]);
      if (Files.exists(compressed)) {
        arrays[i] = IdxFile.read(compressed);
      } else if (Files.exists(plain)) {
        arrays[i] = IdxFile.read(plain);
      } else {
        throw new IOException(
            directory
                + " has neither "
                + FILES[i]
                + ".gz nor "
                + FILES[i]
                + "; it must hold the four Fashion-MNIST IDX files");
      }
    }
    return of(arrays, directory.toString());
  }

  /** The subset bundled with this project. */
  public static FashionMnist bundled() throws IOException {
    IdxFile[] arrays = new IdxFile[FILES.length];
    for (int i = 0; i < FILES.length; i++) {
      String resource = BUNDLED + FILES[i] + ".gz";
      try (InputStream in = FashionMnist.class.getResourceAsStream(resource)) {
        if (in == null) {
          throw new IOException("bundled resource " + resource + " is missing");
        }
        arrays[i] = IdxFile.read(in, resource);
      }
    }
    return of(arrays, "bundled subset");
  }

  private static FashionMnist of(IdxFile[] arrays, String source) {
    return new FashionMnist(dataset(arrays[0], arrays[1]), dataset(arrays[2], arrays[3]), source);
  }

  private static Dataset dataset(IdxFile images, IdxFile labels) {
    if (images.size() != labels.size()) {
      throw new IllegalArgumentException(
          images.source()
              + " holds "
              + images.size()
              + " images but "
              + labels.source()
              + " holds "
              + labels.size()
              + " labels");
    }
    return Dataset.builder()
        .add("image", images.toFloatColumn(1 / 255f))
        .add("label", labels.toIntColumn())
        .build();
  }
}
