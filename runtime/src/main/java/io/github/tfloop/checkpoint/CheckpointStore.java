package io.github.tfloop.checkpoint;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * A directory of checkpoints, written so that none is ever lost or half-written, and nothing this
 * store did not write is ever deleted:
 *
 * <ol>
 *   <li>a writer first {@linkplain #lock locks} the directory: one writer at a time, checked to be
 *       a writable directory before anything is trained;
 *   <li>a new checkpoint is written into a temporary directory ({@code .tmp-...});
 *   <li>its manifest records every file's size and CRC32C, and ends with its own CRC32C;
 *   <li>every file and the directory are forced to disk ({@code fsync});
 *   <li>the directory is renamed, atomically, to {@code ckpt-<sequence>}, and the parent forced;
 *   <li>only then are this store's checkpoints beyond the newest K removed (renamed away first,
 *       then deleted): those it wrote and those it {@linkplain #adopt adopted}, never others.
 * </ol>
 *
 * A process killed at any moment leaves the previous checkpoints intact, and at most a temporary
 * directory that the next writer removes. A checkpoint that fails verification is moved into
 * {@value #CORRUPT}{@code /}, never deleted; checkpoints set aside to start afresh go into {@code
 * previous-<n>/}; a {@code ckpt-<n>} entry without a manifest was not written by tfloop and is left
 * alone: it is not counted when numbering, and never pruned or moved.
 */
public final class CheckpointStore implements AutoCloseable {

  /** The manifest's file name inside each checkpoint. */
  public static final String MANIFEST = "manifest.properties";

  /** The lock file's name inside the checkpoint directory; see {@link #lock}. */
  public static final String LOCK_FILE = DirectoryLock.FILE;

  /** Where checkpoints that failed verification are moved, inside the checkpoint directory. */
  public static final String CORRUPT = "corrupt";

  static final System.Logger LOG = System.getLogger("io.github.tfloop.checkpoint");

  private static final Pattern NAME = Pattern.compile("ckpt-(\\d+)");
  private static final Pattern PREVIOUS = Pattern.compile("previous-(\\d+)");
  private static final String TEMPORARY = ".tmp-";
  private static final String TRASH = ".trash-";
  private static final String CHECKSUM_LINE = "# crc32c=";

  private final Path directory;
  private final DirectoryLock lock;

  /**
   * The checkpoints this store wrote or adopted, by sequence: the only ones it counts or prunes.
   */
  private final TreeMap<Long, Checkpoint> owned = new TreeMap<>();

  private boolean leftoversRemoved;

  private CheckpointStore(Path directory, DirectoryLock lock) {
    this.directory = directory;
    this.lock = lock;
  }

  /**
   * A view of {@code directory} to list and verify its checkpoints: it takes no lock, creates,
   * moves and deletes nothing, and cannot {@link #write}. A directory that does not exist has no
   * checkpoints.
   */
  public static CheckpointStore open(Path directory) {
    return new CheckpointStore(Objects.requireNonNull(directory, "directory"), null);
  }

  /**
   * Opens {@code directory} for writing, creating it if need be: checks that it is a directory that
   * can be written and takes its lock for {@code holder} (such as {@code "CurveLoop's fit"}) until
   * {@link #close}. What an interrupted write or clean-up of a previous holder left behind is
   * removed by the first {@link #write}: until then nothing in the directory changes but the lock
   * file. The lock is {@value #LOCK_FILE}: an operating-system lock, released when the process ends
   * however it ends, on a file that names the holder (pid, host, what it runs, since when). Do not
   * open that file from the process that holds the lock: on POSIX systems, closing any handle of a
   * file releases the process's lock on it.
   *
   * @throws CheckpointException naming the directory and the reason if it is a file, cannot be
   *     created, or cannot be written
   * @throws IllegalStateException naming the holder if another fit, in this process or another,
   *     holds the directory
   */
  public static CheckpointStore lock(Path directory, String holder) {
    Objects.requireNonNull(directory, "directory");
    createDirectory(directory);
    DirectoryLock lock = DirectoryLock.acquire(directory, holder);
    try {
      CheckpointStore store = new CheckpointStore(directory, lock);
      Path probe = directory.resolve(TEMPORARY + "probe-" + ProcessHandle.current().pid());
      try {
        deleteRecursively(probe);
        Files.createDirectory(probe);
        Files.delete(probe);
      } catch (IOException e) {
        throw unusable(directory, e);
      }
      return store;
    } catch (RuntimeException | Error e) {
      lock.close();
      throw e;
    }
  }

  private static void createDirectory(Path directory) {
    if (Files.exists(directory)) {
      if (!Files.isDirectory(directory)) {
        throw new CheckpointException(
            "checkpoint directory " + directory + " cannot be used: it is a file, not a directory",
            directory,
            new NotDirectoryException(directory.toString()));
      }
      return;
    }
    try {
      Files.createDirectories(directory);
    } catch (IOException e) {
      Path existing = directory.toAbsolutePath().getParent();
      while (existing != null && !Files.exists(existing)) {
        existing = existing.getParent();
      }
      String reason =
          existing != null && !Files.isDirectory(existing)
              ? existing + " is a file, not a directory"
              : reason(e);
      throw new CheckpointException(
          "checkpoint directory " + directory + " cannot be created: " + reason, directory, e);
    }
  }

  /** A directory that cannot be written: named, with the system's reason. */
  static CheckpointException unusable(Path directory, IOException e) {
    String reason = reason(e);
    if (fullness(e, 1) != null) {
      reason += "; " + bytes(usableSpace(directory)) + " usable";
    }
    return new CheckpointException(
        "checkpoint directory "
            + directory
            + " cannot be used: it cannot be written ("
            + reason
            + ")",
        directory,
        e);
  }

  /** The system's reason for {@code e}, without the file name Java puts before it. */
  private static String reason(IOException e) {
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof FileSystemException fileSystem && fileSystem.getReason() != null) {
      return fileSystem.getReason();
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  public Path directory() {
    return directory;
  }

  /** Releases the lock {@link #lock} took; a view has none. */
  @Override
  public void close() {
    if (lock != null) {
      lock.close();
    }
  }

  /** What a checkpoint holds besides its manifest. */
  @FunctionalInterface
  public interface Contents {
    /** Writes every file of the checkpoint into {@code directory}, which exists and is empty. */
    void writeTo(Path directory) throws IOException;
  }

  /** What a {@code ckpt-<n>} entry of the directory turned out to be. */
  public enum Kind {
    /** Complete, and every file matches its manifest. */
    USABLE,
    /** Written by tfloop (it has a manifest) but truncated, corrupted or incomplete. */
    UNUSABLE,
    /** Not a checkpoint tfloop wrote: a file, or a directory without a manifest. */
    NOT_TFLOOP
  }

  /**
   * One {@code ckpt-<n>} entry of the directory.
   *
   * @param path where it is
   * @param sequence the number in its name
   * @param kind what it is
   * @param checkpoint the checkpoint if it is {@link Kind#USABLE}, otherwise {@code null}
   * @param problem what is wrong with it, or {@code null} if it is usable
   */
  public record Entry(Path path, long sequence, Kind kind, Checkpoint checkpoint, String problem) {

    /** Its name, such as {@code ckpt-000042}. */
    public String name() {
      return path.getFileName().toString();
    }
  }

  /**
   * Every {@code ckpt-<n>} entry of the directory, oldest first, each verified against its manifest
   * (every file is read once). Changes nothing.
   */
  public List<Entry> scan() {
    List<Entry> entries = new ArrayList<>();
    for (Path path : entries()) {
      long sequence = sequenceOf(path);
      if (!Files.isDirectory(path)) {
        entries.add(new Entry(path, sequence, Kind.NOT_TFLOOP, null, "not a directory"));
      } else if (!Files.exists(path.resolve(MANIFEST))) {
        entries.add(new Entry(path, sequence, Kind.NOT_TFLOOP, null, "no " + MANIFEST));
      } else {
        try {
          entries.add(new Entry(path, sequence, Kind.USABLE, verify(path), null));
        } catch (IOException | RuntimeException e) {
          entries.add(new Entry(path, sequence, Kind.UNUSABLE, null, e.getMessage()));
        }
      }
    }
    return entries;
  }

  /**
   * Counts {@code checkpoint}, written by an earlier holder of the directory, as this store's own:
   * numbering goes on after it, and it is pruned in turn.
   */
  public void adopt(Checkpoint checkpoint) {
    requireLocked("adopt");
    owned.put(checkpoint.sequence(), checkpoint);
  }

  /**
   * Moves a checkpoint that failed verification into {@value #CORRUPT}{@code /}, under its own name
   * (or with {@code -2}, {@code -3}... if that is taken), and returns where it went.
   */
  public Path moveToCorrupt(Entry entry) {
    requireLocked("moveToCorrupt");
    Path corrupt = directory.resolve(CORRUPT);
    try {
      Files.createDirectories(corrupt);
      Path target = corrupt.resolve(entry.name());
      for (int copy = 2; Files.exists(target, LinkOption.NOFOLLOW_LINKS); copy++) {
        target = corrupt.resolve(entry.name() + "-" + copy);
      }
      move(entry.path(), target);
      force(directory);
      removeOwned(entry);
      return target;
    } catch (IOException e) {
      throw new CheckpointException(
          "could not move the unusable checkpoint "
              + entry.path()
              + " into "
              + corrupt
              + ": "
              + reason(e),
          directory,
          e);
    }
  }

  /**
   * The folder {@link #moveAside} would move checkpoints into now: {@code previous-<n>} with {@code
   * n} one more than the largest there.
   */
  public Path asideDirectory() {
    long largest = 0;
    try {
      for (Path previous : children("previous-*")) {
        Matcher matcher = PREVIOUS.matcher(previous.getFileName().toString());
        if (matcher.matches()) {
          largest = Math.max(largest, Long.parseLong(matcher.group(1)));
        }
      }
    } catch (IOException | NumberFormatException e) {
      // none readable: start at 1
    }
    return directory.resolve("previous-" + (largest + 1));
  }

  /**
   * Moves {@code entries} (usable or not) into a new {@link #asideDirectory()}, each under its own
   * name, and returns that folder. Nothing is deleted.
   */
  public Path moveAside(List<Entry> entries) {
    requireLocked("moveAside");
    Path aside = asideDirectory();
    try {
      Files.createDirectory(aside);
      for (Entry entry : entries) {
        move(entry.path(), aside.resolve(entry.name()));
        removeOwned(entry);
      }
      force(directory);
      return aside;
    } catch (IOException e) {
      throw new CheckpointException(
          "could not move the checkpoints of " + directory + " into " + aside + ": " + reason(e),
          directory,
          e);
    }
  }

  private void removeOwned(Entry entry) {
    Checkpoint own = owned.get(entry.sequence());
    if (own != null && own.directory().equals(entry.path())) {
      owned.remove(entry.sequence());
    }
  }

  /** The manifest key of the name of the value a checkpoint is ranked by. */
  public static final String MONITOR_NAME = "monitor.name";

  /** The manifest key of that value. */
  public static final String MONITOR_VALUE = "monitor.value";

  /** The manifest key of its direction: {@code max} or {@code min}. */
  public static final String MONITOR_MODE = "monitor.mode";

  /**
   * Writes a new checkpoint atomically, numbered after the newest of this store's own, then keeps
   * of its own the newest {@link CheckpointPolicy#keepLast()} and, with {@link
   * CheckpointPolicy#keepBest}, the {@code keepBest} whose manifests record the best values of its
   * monitor ({@link #MONITOR_NAME}, {@link #MONITOR_VALUE}); the others are deleted.
   *
   * @param state what its manifest records
   * @return the checkpoint, complete on disk
   * @throws CheckpointException as {@link #write(Contents, Map, int)}
   */
  public Checkpoint write(Contents contents, Map<String, String> state, CheckpointPolicy policy) {
    Checkpoint written = writeCheckpoint(contents, state);
    prune(policy.keepLast(), policy.keepBest(), policy.monitor(), policy.monitorHigherIsBetter());
    return written;
  }

  /**
   * Writes a new checkpoint atomically, numbered after the newest of this store's own, then keeps
   * only the newest {@code keepLast} of its own.
   *
   * @param state what its manifest records
   * @return the checkpoint, complete on disk
   * @throws CheckpointException naming the checkpoint, the reason (a full disk says so) and the
   *     space left, if it cannot be written; the checkpoints already there are untouched then
   */
  public Checkpoint write(Contents contents, Map<String, String> state, int keepLast) {
    Checkpoint written = writeCheckpoint(contents, state);
    prune(keepLast, 0, null, false);
    return written;
  }

  private Checkpoint writeCheckpoint(Contents contents, Map<String, String> state) {
    requireLocked("write");
    removeLeftovers();
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
      try {
        Files.write(manifestFile, manifestBytes(manifest));
      } catch (IOException e) {
        throw new IOException(MANIFEST + ": " + e.getMessage(), e);
      }
      force(manifestFile);
      force(temporary);
      move(temporary, target);
      force(directory);
    } catch (IOException | RuntimeException e) {
      long usable = usableSpace(directory);
      deleteQuietly(temporary);
      throw writeFailure(target, temporary, e, usable);
    }
    Checkpoint written = new Checkpoint(target, sequence, state);
    owned.put(sequence, written);
    return written;
  }

  /** Removes, once, the temporary directories of writes and clean-ups that were interrupted. */
  private void removeLeftovers() {
    if (leftoversRemoved) {
      return;
    }
    leftoversRemoved = true;
    try {
      for (Path leftover : children(TEMPORARY + "*", TRASH + "*")) {
        deleteRecursively(leftover);
      }
    } catch (IOException e) {
      LOG.log(
          Level.WARNING,
          "checkpoint directory {0}: could not remove what an interrupted write left: {1}",
          directory,
          e.getMessage());
    }
  }

  private CheckpointException writeFailure(Path target, Path temporary, Exception e, long usable) {
    String cause = firstLine(e.getMessage()).replace(temporary + "/", "");
    String full = fullness(e, usable);
    String newest =
        owned.isEmpty()
            ? "this fit has written none yet"
            : "the newest is " + owned.lastEntry().getValue().directory().getFileName();
    IOException io = e instanceof IOException ioException ? ioException : new IOException(cause, e);
    return new CheckpointException(
        "could not write checkpoint "
            + target
            + ": "
            + (full != null ? full : "an I/O error")
            + " ("
            + bytes(usable)
            + " usable in "
            + directory
            + "); the checkpoints already there are intact, "
            + newest
            + "."
            + (full != null
                ? " Free some space or give the fit another directory, then resume()."
                : "")
            + " Cause: "
            + cause,
        directory,
        io);
  }

  /** What ran out, if the failure (or the space left) says that something did. */
  private static String fullness(Throwable e, long usable) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      String message = String.valueOf(cause.getMessage());
      if (message.contains("No space left on device")) {
        return "the disk is full";
      }
      if (message.contains("Disk quota exceeded")) {
        return "the disk quota is used up";
      }
      if (message.contains("File too large")) {
        return "a file reached the size limit of this process (ulimit -f)";
      }
    }
    return usable == 0 ? "the disk is full" : null;
  }

  private static long usableSpace(Path directory) {
    try {
      return Files.getFileStore(directory).getUsableSpace();
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  private static String bytes(long bytes) {
    if (bytes < 0) {
      return "unknown space";
    }
    if (bytes < 1024) {
      return bytes + " bytes";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double value = bytes;
    int unit = -1;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return String.format(java.util.Locale.ROOT, "%.1f %s", value, units[unit]);
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    int end = message.indexOf('\n');
    return (end < 0 ? message : message.substring(0, end)).strip();
  }

  private void requireLocked(String what) {
    if (lock == null) {
      throw new IllegalStateException(
          what + ": this view of " + directory + " cannot change it; use CheckpointStore.lock");
    }
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

  /** Every directory named {@code ckpt-<n>}, oldest first, whether valid or not. */
  public List<Path> checkpoints() {
    List<Path> found = entries();
    found.removeIf(path -> !Files.isDirectory(path));
    return found;
  }

  /** Every entry named {@code ckpt-<n>}, oldest first; none if the directory does not exist. */
  private List<Path> entries() {
    if (!Files.isDirectory(directory)) {
      return new ArrayList<>();
    }
    try {
      List<Path> found = new ArrayList<>(children("ckpt-*"));
      found.removeIf(path -> !NAME.matcher(path.getFileName().toString()).matches());
      found.sort(
          Comparator.comparingLong(CheckpointStore::sequenceOf).thenComparing(Path::compareTo));
      return found;
    } catch (IOException e) {
      throw new CheckpointException(
          "cannot list checkpoint directory " + directory + ": " + reason(e), directory, e);
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

  /**
   * Deletes this store's own checkpoints but the newest {@code keepLast} and the {@code keepBest}
   * best by {@code monitor} (ties: the older first), oldest first.
   */
  private void prune(int keepLast, int keepBest, String monitor, boolean higherIsBetter) {
    java.util.Set<Long> kept = new java.util.HashSet<>();
    owned.descendingKeySet().stream().limit(keepLast).forEach(kept::add);
    if (keepBest > 0) {
      ranked(owned.values(), monitor, higherIsBetter).stream()
          .limit(keepBest)
          .forEach(checkpoint -> kept.add(checkpoint.sequence()));
    }
    for (Long sequence : new ArrayList<>(owned.keySet())) {
      if (kept.contains(sequence)) {
        continue;
      }
      Path old = owned.get(sequence).directory();
      Path trash = directory.resolve(TRASH + old.getFileName());
      try {
        move(old, trash);
        owned.remove(sequence);
        deleteRecursively(trash);
      } catch (IOException e) {
        LOG.log(Level.WARNING, "could not remove old checkpoint {0}: {1}", old, e.getMessage());
        return;
      }
    }
  }

  /**
   * The checkpoints among {@code checkpoints} that record a value of {@code monitor}, best first
   * (ties: the older first).
   */
  private static List<Checkpoint> ranked(
      java.util.Collection<Checkpoint> checkpoints, String monitor, boolean higherIsBetter) {
    List<Checkpoint> ranked = new ArrayList<>();
    for (Checkpoint checkpoint : checkpoints) {
      if (monitor.equals(checkpoint.state().get(MONITOR_NAME)) && monitored(checkpoint) != null) {
        ranked.add(checkpoint);
      }
    }
    Comparator<Checkpoint> byValue = Comparator.comparingDouble(CheckpointStore::monitored);
    ranked.sort(
        (higherIsBetter ? byValue.reversed() : byValue).thenComparingLong(Checkpoint::sequence));
    return ranked;
  }

  /** The value a checkpoint's manifest records for its monitor, or {@code null}. */
  private static Double monitored(Checkpoint checkpoint) {
    String value = checkpoint.state().get(MONITOR_VALUE);
    if (value == null) {
      return null;
    }
    try {
      double parsed = Double.parseDouble(value);
      return Double.isNaN(parsed) ? null : parsed;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /**
   * The usable checkpoint whose manifest records the best value of its monitor (written by a fit
   * with {@link CheckpointPolicy#keepBest}), ranked by the direction recorded with it; ties go to
   * the older. Checkpoints that fail verification are skipped. Changes nothing.
   *
   * <pre>{@code
   * Checkpoint best = CheckpointStore.open(dir).best().orElseThrow();
   * loop.loadWeights(best.directory());
   * }</pre>
   */
  public Optional<Checkpoint> best() {
    List<Checkpoint> usable = new ArrayList<>();
    for (Entry entry : scan()) {
      if (entry.kind() == Kind.USABLE && entry.checkpoint().state().containsKey(MONITOR_NAME)) {
        usable.add(entry.checkpoint());
      }
    }
    if (usable.isEmpty()) {
      return Optional.empty();
    }
    Checkpoint newest = usable.get(usable.size() - 1);
    String monitor = newest.state().get(MONITOR_NAME);
    boolean higher = "max".equals(newest.state().get(MONITOR_MODE));
    List<Checkpoint> ranked = ranked(usable, monitor, higher);
    return ranked.isEmpty() ? Optional.empty() : Optional.of(ranked.get(0));
  }

  /** One after the newest of this store's own, skipping names that are taken. */
  private long nextSequence() {
    long sequence = owned.isEmpty() ? 1 : owned.lastKey() + 1;
    while (Files.exists(directory.resolve(name(sequence)), LinkOption.NOFOLLOW_LINKS)) {
      sequence++;
    }
    return sequence;
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
