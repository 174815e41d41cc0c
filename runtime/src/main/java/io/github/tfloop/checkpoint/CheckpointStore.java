package io.github.tfloop.checkpoint;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * A directory of checkpoints, written so that none is ever lost or half-written:
 *
 * <ol>
 *   <li>a new checkpoint is written into a temporary directory ({@code .tmp-...});
 *   <li>its manifest records every file's size and CRC32C, and ends with its own CRC32C;
 *   <li>every file and the directory are forced to disk ({@code fsync});
 *   <li>the directory is renamed, atomically, to {@code ckpt-<sequence>}, and the parent forced;
 *   <li>only then are checkpoints beyond the newest K removed (renamed away first, then deleted).
 * </ol>
 *
 * A process killed at any moment leaves the previous checkpoints intact, and at most a temporary
 * directory that the next {@link #open} removes. {@link #latest()} checks the newest checkpoint
 * against its manifest and, if it is truncated or corrupted, warns through {@link System.Logger}
 * ({@code io.github.tfloop.checkpoint}) and falls back to the one before.
 */
public final class CheckpointStore {

  /** The manifest's file name inside each checkpoint. */
  public static final String MANIFEST = "manifest.properties";

  static final System.Logger LOG = System.getLogger("io.github.tfloop.checkpoint");

  private static final Pattern NAME = Pattern.compile("ckpt-(\\d+)");
  private static final String TEMPORARY = ".tmp-";
  private static final String TRASH = ".trash-";
  private static final String CHECKSUM_LINE = "# crc32c=";

  private final Path directory;

  private CheckpointStore(Path directory) {
    this.directory = directory;
  }

  /**
   * Opens {@code directory}, creating it if need be, and removes what an interrupted write or
   * clean-up left behind.
   *
   * @throws UncheckedIOException naming the directory if it cannot be created or read
   */
  public static CheckpointStore open(Path directory) {
    try {
      Files.createDirectories(directory);
      CheckpointStore store = new CheckpointStore(directory);
      for (Path leftover : store.children(TEMPORARY + "*", TRASH + "*")) {
        deleteRecursively(leftover);
      }
      return store;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "checkpoint directory " + directory + " cannot be used: " + e.getMessage(), e);
    }
  }

  public Path directory() {
    return directory;
  }

  /** What a checkpoint holds besides its manifest. */
  @FunctionalInterface
  public interface Contents {
    /** Writes every file of the checkpoint into {@code directory}, which exists and is empty. */
    void writeTo(Path directory) throws IOException;
  }

  /**
   * Writes a new checkpoint atomically, then keeps only the newest {@code keepLast}.
   *
   * @param state what its manifest records
   * @return the checkpoint, complete on disk
   * @throws UncheckedIOException if it cannot be written; the checkpoints already there are kept
   */
  public Checkpoint write(Contents contents, Map<String, String> state, int keepLast) {
    long sequence = nextSequence();
    Path temporary = directory.resolve(TEMPORARY + sequence + "-" + ProcessHandle.current().pid());
    Path target = directory.resolve(name(sequence));
    try {
      deleteRecursively(temporary);
      Files.createDirectory(temporary);
      contents.writeTo(temporary);
      Map<String, String> manifest = new TreeMap<>(state);
      try (DirectoryStream<Path> files = Files.newDirectoryStream(temporary)) {
        for (Path file : files) {
          String fileName = file.getFileName().toString();
          manifest.put("file." + fileName + ".size", Long.toString(Files.size(file)));
          manifest.put("file." + fileName + ".crc32c", Long.toHexString(crc32c(file)));
          force(file);
        }
      }
      Path manifestFile = temporary.resolve(MANIFEST);
      Files.write(manifestFile, manifestBytes(manifest));
      force(manifestFile);
      force(temporary);
      move(temporary, target);
      force(directory);
    } catch (IOException e) {
      deleteQuietly(temporary);
      throw new UncheckedIOException(
          "could not write checkpoint " + target + ": " + e.getMessage(), e);
    }
    prune(keepLast);
    return new Checkpoint(target, sequence, state);
  }

  /**
   * The newest checkpoint that is complete and matches its manifest. Each newer one that does not
   * is reported as a warning, naming what is wrong, and skipped.
   */
  public Optional<Checkpoint> latest() {
    List<Path> candidates = checkpoints();
    for (int i = candidates.size() - 1; i >= 0; i--) {
      Path candidate = candidates.get(i);
      try {
        return Optional.of(verify(candidate));
      } catch (IOException | RuntimeException e) {
        LOG.log(
            Level.WARNING,
            "checkpoint {0} is unusable and is skipped: {1}; "
                + (i > 0 ? "falling back to {2}" : "no older checkpoint to fall back to"),
            candidate,
            e.getMessage(),
            i > 0 ? candidates.get(i - 1).getFileName() : "");
      }
    }
    return Optional.empty();
  }

  /** Every checkpoint directory, oldest first, whether valid or not. */
  public List<Path> checkpoints() {
    try {
      List<Path> found = new ArrayList<>(children("ckpt-*"));
      found.removeIf(path -> !NAME.matcher(path.getFileName().toString()).matches());
      found.sort((a, b) -> Long.compare(sequenceOf(a), sequenceOf(b)));
      return found;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + directory + ": " + e.getMessage(), e);
    }
  }

  /**
   * Reads a checkpoint's manifest and checks every file it lists against its size and checksum.
   *
   * @throws IOException naming the first thing that is missing, truncated or corrupted
   */
  public static Checkpoint verify(Path checkpoint) throws IOException {
    Matcher matcher = NAME.matcher(checkpoint.getFileName().toString());
    if (!matcher.matches()) {
      throw new IOException(checkpoint + " is not named ckpt-<number>");
    }
    Path manifestFile = checkpoint.resolve(MANIFEST);
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(manifestFile);
    } catch (NoSuchFileException e) {
      throw new IOException("it has no " + MANIFEST, e);
    }
    Map<String, String> manifest = parseManifest(bytes);
    Map<String, String> state = new TreeMap<>();
    for (Map.Entry<String, String> entry : manifest.entrySet()) {
      String key = entry.getKey();
      if (key.startsWith("file.") && key.endsWith(".crc32c")) {
        String fileName = key.substring("file.".length(), key.length() - ".crc32c".length());
        verifyFile(
            checkpoint.resolve(fileName),
            manifest.get("file." + fileName + ".size"),
            entry.getValue());
      } else if (!(key.startsWith("file.") && key.endsWith(".size"))) {
        state.put(key, entry.getValue());
      }
    }
    return new Checkpoint(checkpoint, Long.parseLong(matcher.group(1)), state);
  }

  private static void verifyFile(Path file, String size, String checksum) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IOException(file.getFileName() + " is missing");
    }
    long actualSize = Files.size(file);
    if (size == null || actualSize != Long.parseLong(size)) {
      throw new IOException(
          file.getFileName()
              + " has "
              + actualSize
              + " bytes, the manifest says "
              + size
              + " (truncated?)");
    }
    if (!Long.toHexString(crc32c(file)).equals(checksum)) {
      throw new IOException(file.getFileName() + " does not match its CRC32C checksum (corrupted)");
    }
  }

  private static byte[] manifestBytes(Map<String, String> manifest) throws IOException {
    Properties properties = new Properties();
    properties.putAll(manifest);
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    properties.store(text, "tfloop checkpoint");
    byte[] body = text.toByteArray();
    CRC32C crc = new CRC32C();
    crc.update(body);
    byte[] trailer =
        (CHECKSUM_LINE + Long.toHexString(crc.getValue()) + "\n")
            .getBytes(StandardCharsets.ISO_8859_1);
    byte[] all = Arrays.copyOf(body, body.length + trailer.length);
    System.arraycopy(trailer, 0, all, body.length, trailer.length);
    return all;
  }

  private static Map<String, String> parseManifest(byte[] bytes) throws IOException {
    String text = new String(bytes, StandardCharsets.ISO_8859_1);
    int trailer = text.lastIndexOf(CHECKSUM_LINE);
    if (trailer < 0 || !text.endsWith("\n")) {
      throw new IOException(MANIFEST + " is truncated (no checksum line at its end)");
    }
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, trailer);
    String expected = text.substring(trailer + CHECKSUM_LINE.length(), text.length() - 1);
    if (!Long.toHexString(crc.getValue()).equals(expected)) {
      throw new IOException(MANIFEST + " does not match its checksum (corrupted)");
    }
    Properties properties = new Properties();
    try (InputStream in = new ByteArrayInputStream(bytes, 0, trailer)) {
      properties.load(in);
    }
    Map<String, String> manifest = new HashMap<>();
    for (String key : properties.stringPropertyNames()) {
      manifest.put(key, properties.getProperty(key));
    }
    return manifest;
  }

  private void prune(int keepLast) {
    List<Path> all = checkpoints();
    for (int i = 0; i < all.size() - keepLast; i++) {
      Path old = all.get(i);
      Path trash = directory.resolve(TRASH + old.getFileName());
      try {
        move(old, trash);
        deleteRecursively(trash);
      } catch (IOException e) {
        LOG.log(Level.WARNING, "could not remove old checkpoint {0}: {1}", old, e.getMessage());
      }
    }
  }

  private long nextSequence() {
    List<Path> all = checkpoints();
    return all.isEmpty() ? 1 : sequenceOf(all.get(all.size() - 1)) + 1;
  }

  private static String name(long sequence) {
    return String.format("ckpt-%06d", sequence);
  }

  private static long sequenceOf(Path checkpoint) {
    Matcher matcher = NAME.matcher(checkpoint.getFileName().toString());
    return matcher.matches() ? Long.parseLong(matcher.group(1)) : -1;
  }

  private List<Path> children(String... globs) throws IOException {
    List<Path> found = new ArrayList<>();
    for (String glob : globs) {
      try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory, glob)) {
        stream.forEach(found::add);
      }
    }
    return found;
  }

  static long crc32c(Path file) throws IOException {
    CRC32C crc = new CRC32C();
    byte[] buffer = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      for (int read; (read = in.read(buffer)) > 0; ) {
        crc.update(buffer, 0, read);
      }
    }
    return crc.getValue();
  }

  /** Forces a file, or a directory's entries, to disk. */
  private static void force(Path path) throws IOException {
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException(
          "the file system of " + to.getParent() + " cannot rename atomically", e);
    }
  }

  private static void deleteQuietly(Path path) {
    try {
      deleteRecursively(path);
    } catch (IOException ignored) {
      // the next open() removes it
    }
  }

  private static void deleteRecursively(Path path) throws IOException {
    if (!Files.exists(path)) {
      return;
    }
    Files.walkFileTree(
        path,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attributes)
              throws IOException {
            Files.delete(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
            Files.delete(dir);
            return FileVisitResult.CONTINUE;
          }
        });
  }
}
