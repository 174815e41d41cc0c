package io.github.tfloop.weights;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** The weight fixtures of {@code src/test/resources/fixtures} (see the README there). */
final class Fixtures {

  private Fixtures() {}

  /** The fixture file or folder at {@code relative}. */
  static Path path(String relative) {
    URL url = Fixtures.class.getResource("/fixtures/" + relative);
    if (url == null) {
      throw new IllegalStateException("no fixture " + relative);
    }
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A copy of the fixture folder {@code relative} in {@code dir}, to damage. */
  static Path copy(String relative, Path dir) {
    Path from = path(relative);
    Path to = dir.resolve(from.getFileName().toString());
    try (Stream<Path> files = Files.walk(from)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        Path target = to.resolve(from.relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(target);
        } else {
          Files.copy(file, target);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return to;
  }

  /** Flips every bit of the byte at {@code offset} of {@code file}. */
  static void flipByte(Path file, long offset) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    bytes[(int) offset] ^= (byte) 0xff;
    Files.write(file, bytes);
  }
}
