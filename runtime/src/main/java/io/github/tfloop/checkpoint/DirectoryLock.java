package io.github.tfloop.checkpoint;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * One writer per checkpoint directory: an exclusive operating-system lock ({@link
 * FileChannel#tryLock()}, which the system releases when the process dies, however it dies) on
 * {@value #FILE}, and in that file who holds it: pid, host, process start time, what it runs and
 * since when, so that a refused writer can be told who is in the way.
 *
 * <p>The file is never deleted, only emptied on release: deleting a lock file lets two processes
 * lock two different files under the same name. A non-empty file found with its lock free was left
 * by a process that died holding it; it is taken over with a warning, unless it names a process of
 * this host that is still running (then the file system does not enforce locks, and the directory
 * is refused rather than shared).
 *
 * <p>Within one JVM the operating system does not tell two holders apart (and closing any channel
 * of the file releases the JVM's lock on it), so the directories this JVM holds are also kept in a
 * table, checked first, and the lock file is never opened a second time while it is held.
 */
final class DirectoryLock implements AutoCloseable {

  /** The lock file's name inside the checkpoint directory. */
  static final String FILE = "tfloop.lock";

  /** The directories this JVM holds, by file key (device and inode), with their holders. */
  private static final Map<Object, Map<String, String>> HELD_HERE = new HashMap<>();

  private final Object key;
  private final Path directory;
  private final FileChannel channel;
  private final FileLock lock;

  private DirectoryLock(Object key, Path directory, FileChannel channel, FileLock lock) {
    this.key = key;
    this.directory = directory;
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Locks {@code directory}, which exists, for {@code holder} (such as {@code CurveLoop's fit}).
   *
   * @throws IllegalStateException naming the holder if another fit, here or in another process,
   *     holds it
   * @throws CheckpointException if the lock file cannot be created or written
   */
  static DirectoryLock acquire(Path directory, String holder) {
    Path real;
    Object key;
    try {
      real = directory.toRealPath();
      // one directory reached by two paths (a bind mount) has one key
      key = Files.readAttributes(real, BasicFileAttributes.class).fileKey();
      if (key == null) {
        key = real;
      }
    } catch (IOException e) {
      throw CheckpointStore.unusable(directory, e);
    }
    Map<String, String> ours = record(holder);
    synchronized (HELD_HERE) {
      Map<String, String> here = HELD_HERE.get(key);
      if (here != null) {
        throw new IllegalStateException(inUse(directory, here, true));
      }
      FileChannel channel;
      try {
        channel =
            FileChannel.open(
                real.resolve(FILE),
                StandardOpenOption.READ,
                StandardOpenOption.WRITE,
                StandardOpenOption.CREATE);
      } catch (IOException e) {
        throw CheckpointStore.unusable(directory, e);
      }
      try {
        FileLock lock;
        try {
          lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
          // held through a channel this class did not open: the same JVM all the same
          throw new IllegalStateException(inUse(directory, read(channel), true), e);
        }
        if (lock == null) {
          throw new IllegalStateException(inUse(directory, read(channel), false));
        }
        Map<String, String> previous = read(channel);
        if (!previous.isEmpty()) {
          takeOver(directory, previous);
        }
        write(channel, ours);
        HELD_HERE.put(key, ours);
        return new DirectoryLock(key, real, channel, lock);
      } catch (IOException e) {
        closeQuietly(channel);
        throw CheckpointStore.unusable(directory, e);
      } catch (RuntimeException | Error e) {
        closeQuietly(channel);
        throw e;
      }
    }
  }

  /**
   * A record left by a holder that no longer holds the OS lock: taken over with a warning if that
   * process is gone (or is another host's, which only the OS lock can speak for), refused if it
   * still runs on this host.
   */
  private static void takeOver(Path directory, Map<String, String> previous) {
    String who = describe(previous);
    Optional<ProcessHandle> process = runningOnThisHost(previous);
    if (process.isPresent() && process.get().pid() == ProcessHandle.current().pid()) {
      return; // left by this process, whose lock is no longer held: nothing to warn about
    }
    if (process.isPresent()) {
      throw new IllegalStateException(
          "checkpoint directory "
              + directory
              + " is in use by "
              + who
              + ", which is still running, although the lock on "
              + FILE
              + " was free: this file system does not enforce locks, so tfloop cannot keep two"
              + " writers apart in it. Stop that process or give this fit another directory on a"
              + " local disk");
    }
    String why =
        thisHost().equals(previous.get("host"))
            ? "which is no longer running"
            : "whose lock the operating system no longer holds (that process ended, or its host"
                + " did); if it is still running, stop one of the two: two writers in one"
                + " directory destroy each other's checkpoints";
    CheckpointStore.LOG.log(
        Level.WARNING,
        "checkpoint directory {0}: took over the lock left by {1}, {2}",
        directory,
        who,
        why);
  }

  /** The process {@code record} names if it runs on this host and is the same process. */
  private static Optional<ProcessHandle> runningOnThisHost(Map<String, String> record) {
    if (!thisHost().equals(record.get("host"))) {
      return Optional.empty();
    }
    long pid;
    try {
      pid = Long.parseLong(record.getOrDefault("pid", ""));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
    Optional<ProcessHandle> process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
    String started = record.get("started");
    if (process.isPresent() && started != null) {
      Optional<Instant> actual = process.get().info().startInstant();
      if (actual.isPresent() && !actual.get().toString().equals(started)) {
        return Optional.empty(); // the pid was reused by another process
      }
    }
    return process;
  }

  private static String inUse(Path directory, Map<String, String> holder, boolean thisProcess) {
    return "checkpoint directory "
        + directory
        + " is in use by "
        + (thisProcess
            ? holder.getOrDefault("holder", "another fit")
                + " in this process (pid "
                + holder.getOrDefault("pid", "?")
                + ", thread "
                + holder.getOrDefault("thread", "?")
                + ")"
            : describe(holder))
        + (holder.containsKey("since") ? " since " + holder.get("since") : "")
        + ": two fits writing one directory would destroy each other's checkpoints. Wait for it"
        + " to end, or give this fit another directory";
  }

  private static String describe(Map<String, String> holder) {
    if (!holder.containsKey("pid")) {
      return "another process (" + FILE + " does not say which)";
    }
    return "process "
        + holder.get("pid")
        + " on "
        + holder.getOrDefault("host", "an unknown host")
        + (holder.containsKey("holder") ? " (" + holder.get("holder") + ")" : "");
  }

  private static Map<String, String> record(String holder) {
    Map<String, String> record = new HashMap<>();
    ProcessHandle self = ProcessHandle.current();
    record.put("pid", Long.toString(self.pid()));
    record.put("host", thisHost());
    self.info().startInstant().ifPresent(started -> record.put("started", started.toString()));
    record.put("holder", holder);
    record.put("thread", Thread.currentThread().getName());
    record.put("since", Instant.now().toString());
    return record;
  }

  private static String hostName;

  /** This machine's host name: the kernel's, without a DNS lookup where Linux gives it. */
  static synchronized String thisHost() {
    if (hostName == null) {
      try {
        hostName = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
      } catch (IOException | RuntimeException e) {
        try {
          hostName = InetAddress.getLocalHost().getHostName();
        } catch (IOException unknown) {
          hostName = "unknown-host";
        }
      }
    }
    return hostName;
  }

  private static Map<String, String> read(FileChannel channel) throws IOException {
    long size = channel.size();
    if (size == 0 || size > 1 << 16) {
      return Map.of();
    }
    ByteBuffer buffer = ByteBuffer.allocate((int) size);
    while (buffer.hasRemaining() && channel.read(buffer, buffer.position()) > 0) {
      // read on
    }
    Properties properties = new Properties();
    properties.load(new ByteArrayInputStream(buffer.array(), 0, buffer.position()));
    Map<String, String> record = new HashMap<>();
    properties
        .stringPropertyNames()
        .forEach(name -> record.put(name, properties.getProperty(name)));
    return record;
  }

  private static void write(FileChannel channel, Map<String, String> record) throws IOException {
    Properties properties = new Properties();
    properties.putAll(record);
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    properties.store(text, "tfloop: the fit that holds this checkpoint directory");
    channel.truncate(0);
    ByteBuffer bytes = ByteBuffer.wrap(text.toByteArray());
    while (bytes.hasRemaining()) {
      channel.write(bytes, bytes.position());
    }
    channel.force(true);
  }

  /** Empties the lock file and releases the lock: the next fit finds it free and clean. */
  @Override
  public void close() {
    synchronized (HELD_HERE) {
      if (!channel.isOpen()) {
        return;
      }
      try {
        channel.truncate(0);
        channel.force(true);
      } catch (IOException e) {
        // the OS lock goes with the channel; the next holder takes the record over with a warning
      }
      try {
        lock.release();
      } catch (IOException e) {
        // released by closing the channel
      }
      closeQuietly(channel);
      HELD_HERE.remove(key);
    }
  }

  private static void closeQuietly(FileChannel channel) {
    try {
      channel.close();
    } catch (IOException e) {
      // nothing held through it any more
    }
  }

  @Override
  public String toString() {
    return "DirectoryLock[" + directory + "]";
  }
}
