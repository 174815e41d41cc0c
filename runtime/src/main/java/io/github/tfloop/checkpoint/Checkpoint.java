package io.github.tfloop.checkpoint;

import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * One complete checkpoint on disk: a directory {@code ckpt-<sequence>} holding the files its writer
 * put there and a manifest of its state with a checksum of every file.
 *
 * @param directory where it is
 * @param sequence its number: later checkpoints have larger numbers
 * @param state the key-value state recorded in its manifest, checksums left out
 */
public record Checkpoint(Path directory, long sequence, Map<String, String> state) {

  public Checkpoint {
    state = Collections.unmodifiableMap(new TreeMap<>(state));
  }

  /**
   * The value of {@code key}.
   *
   * @throws IllegalStateException naming the checkpoint if it has no such key
   */
  public String get(String key) {
    String value = state.get(key);
    if (value == null) {
      throw new IllegalStateException(directory + ": the manifest has no '" + key + "'");
    }
    return value;
  }

  /** The value of {@code key} as a long. */
  public long getLong(String key) {
    try {
      return Long.parseLong(get(key));
    } catch (NumberFormatException e) {
      throw new IllegalStateException(
          directory + ": '" + key + "' is not a number: " + state.get(key), e);
    }
  }

  /** The file {@code name} inside the checkpoint. */
  public Path file(String name) {
    return directory.resolve(name);
  }
}
