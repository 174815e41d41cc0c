/**
 * Data preparation: in-memory columnar {@link io.github.tfloop.data.Dataset}s whose columns match a
 * loop's declared inputs by name, readers for IDX files, and the {@link
 * io.github.tfloop.data.InputSpec} that describes each input.
 */
package io.github.tfloop.data;
