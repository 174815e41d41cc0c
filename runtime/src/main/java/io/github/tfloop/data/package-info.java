/**
 * Data preparation: in-memory columnar {@link io.github.tfloop.data.Dataset}s whose columns match a
 * loop's declared inputs by name, the {@link io.github.tfloop.data.InputSpec} that describes each
 * input, and readers that name the file and place of every error: {@link
 * io.github.tfloop.data.IdxFile} (MNIST-style IDX files, plain or gzip) and {@link
 * io.github.tfloop.data.CsvTable}, each with a one-call {@code dataset(...)} that shapes a file's
 * values for a loop's inputs. {@link io.github.tfloop.data.DataFingerprint} records what a dataset
 * holds (per column: name, type, shape, size, content hash), so that a resumed fit can tell
 * different data of the same size. A dataset may also be {@linkplain
 * io.github.tfloop.data.Dataset#streamed streamed}: read from files while a loop trains through a
 * {@link io.github.tfloop.data.DataStream}, which {@code io.github.tfloop.data.stream} provides.
 */
package io.github.tfloop.data;
