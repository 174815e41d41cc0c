/**
 * Helpers that only generated code calls: building the loop's graph, and the engine that runs it.
 * Not an API: names and signatures here change without notice.
 */
package io.github.tfloop.internal;
