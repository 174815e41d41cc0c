package io.github.tfloop.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tfloop.checkpoint.CheckpointStore.Entry;
import io.github.tfloop.checkpoint.CheckpointStore.Kind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The directory mechanics under a fit's checkpoints, with plain files for contents. */
class CheckpointStoreTest {

  private static Checkpoint write(CheckpointStore store, String text, int keepLast) {
    return store.write(
        directory -> Files.writeString(directory.resolve("data.txt"), text),
        Map.of("text", text),
        keepLast);
  }

  @Test
  void aViewCreatesMovesAndDeletesNothing(@TempDir Path root) {
    Path missing = root.resolve("not-yet");
    CheckpointStore view = CheckpointStore.open(missing);
    assertEquals(List.of(), view.checkpoints());
    assertEquals(List.of(), view.scan());
    assertFalse(Files.exists(missing));
    IllegalStateException error =
        assertThrows(IllegalStateException.class, () -> write(view, "a", 3));
    assertEquals(
        "write: this view of " + missing + " cannot change it; use CheckpointStore.lock",
        error.getMessage());
  }

  @Test
  void numbersAndPrunesOnlyItsOwnCheckpoints(@TempDir Path directory) throws IOException {
    Path stray = Files.createDirectories(directory.resolve("ckpt-000002"));
    try (CheckpointStore store = CheckpointStore.lock(directory, "a test")) {
      for (String text : new String[] {"a", "b", "c", "d"}) {
        write(store, text, 2);
      }
    }
    // ckpt-000002 was taken: the store skipped it, and never pruned it
    assertEquals(
        List.of("ckpt-000002", "ckpt-000004", "ckpt-000005"),
        CheckpointStore.open(directory).checkpoints().stream()
            .map(path -> path.getFileName().toString())
            .toList());
    assertTrue(Files.isDirectory(stray));
    List<Entry> entries = CheckpointStore.open(directory).scan();
    assertEquals(
        List.of(Kind.NOT_TFLOOP, Kind.USABLE, Kind.USABLE),
        entries.stream().map(Entry::kind).toList());
    assertEquals("d", entries.get(2).checkpoint().get("text"));
  }

  @Test
  void unusableCheckpointsAreMovedIntoCorruptUnderFreeNames(@TempDir Path directory)
      throws IOException {
    try (CheckpointStore store = CheckpointStore.lock(directory, "a test")) {
      Checkpoint first = write(store, "first", 5);
      Files.writeString(first.file("data.txt"), "fir5t");
      Entry bad = store.scan().get(0);
      assertEquals(Kind.UNUSABLE, bad.kind());
      assertEquals("data.txt does not match its CRC32C checksum (corrupted)", bad.problem());
      assertEquals(directory.resolve("corrupt/ckpt-000001"), store.moveToCorrupt(bad));
      Files.createDirectories(directory.resolve("ckpt-000001"));
      Files.writeString(directory.resolve("ckpt-000001/" + CheckpointStore.MANIFEST), "x");
      Entry again = store.scan().get(0);
      assertEquals(directory.resolve("corrupt/ckpt-000001-2"), store.moveToCorrupt(again));
    }
    assertEquals("fir5t", Files.readString(directory.resolve("corrupt/ckpt-000001/data.txt")));
  }

  @Test
  void aSecondLockInTheSameProcessIsRefusedNamingTheHolder(@TempDir Path directory) {
    try (CheckpointStore first = CheckpointStore.lock(directory, "the first fit")) {
      IllegalStateException error =
          assertThrows(
              IllegalStateException.class, () -> CheckpointStore.lock(directory, "a second fit"));
      assertTrue(
          error
              .getMessage()
              .startsWith(
                  "checkpoint directory "
                      + directory
                      + " is in use by the first fit in this process (pid "
                      + ProcessHandle.current().pid()
                      + ", thread "
                      + Thread.currentThread().getName()
                      + ") since "),
          error.getMessage());
      // the same directory by another path is the same directory
      Path other = directory.resolve("..").resolve(directory.getFileName());
      assertThrows(IllegalStateException.class, () -> CheckpointStore.lock(other, "a third"));
    }
    try (CheckpointStore after = CheckpointStore.lock(directory, "after the first")) {
      assertEquals(directory, after.directory());
    }
  }

  @Test
  void aLockFileNamingARunningProcessWithItsLockFreeIsRefused(@TempDir Path directory)
      throws Exception {
    // what a file system that does not enforce locks looks like: the holder runs, its lock is free
    Process sleeper = new ProcessBuilder("sleep", "30").start();
    try {
      String started = sleeper.toHandle().info().startInstant().orElseThrow().toString();
      Files.writeString(
          directory.resolve(CheckpointStore.LOCK_FILE),
          "pid="
              + sleeper.pid()
              + "\nhost="
              + DirectoryLock.thisHost()
              + "\nstarted="
              + started
              + "\nholder=a fit elsewhere\n");
      IllegalStateException error =
          assertThrows(IllegalStateException.class, () -> CheckpointStore.lock(directory, "me"));
      assertEquals(
          "checkpoint directory "
              + directory
              + " is in use by process "
              + sleeper.pid()
              + " on "
              + DirectoryLock.thisHost()
              + " (a fit elsewhere), which is still running, although the lock on tfloop.lock"
              + " was free: this file system does not enforce locks, so tfloop cannot keep two"
              + " writers apart in it. Stop that process or give this fit another directory on a"
              + " local disk",
          error.getMessage());
      assertTrue(
          Files.readString(directory.resolve(CheckpointStore.LOCK_FILE))
              .contains("a fit elsewhere"),
          "the record is left as it was");
    } finally {
      sleeper.destroy();
      sleeper.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
