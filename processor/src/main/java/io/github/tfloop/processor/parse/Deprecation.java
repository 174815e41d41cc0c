package io.github.tfloop.processor.parse;

/**
 * Whether a class or method is deprecated, which makes code that uses it warn under {@code
 * -Xlint:deprecation} (or {@code -Xlint:removal}).
 */
public enum Deprecation {
  /** Not deprecated. */
  NONE,
  /** {@code @Deprecated} (or {@code @deprecated} in its Javadoc). */
  DEPRECATED,
  /** {@code @Deprecated(forRemoval = true)}. */
  FOR_REMOVAL
}
