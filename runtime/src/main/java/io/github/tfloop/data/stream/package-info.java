/**
 * Datasets read from files as a loop trains, in bounded memory: {@link
 * io.github.tfloop.data.stream.StreamingDataset} reads IDX files (plain or gzip), CSV files,
 * TFRecord files of {@code tf.train.Example}s and folders of PNG/JPEG images (one folder per
 * class), decoding on background threads into the loop's batches, shuffled through a seeded buffer,
 * sharded by worker on a cluster, and resumable to the exact batch; {@link
 * io.github.tfloop.data.stream.TfRecordWriter} writes TFRecord files.
 *
 * <p>Separation of concerns: the formats ({@code IdxSource}, {@code CsvSource}, {@code
 * TfRecordSource}, {@code ImageFolderSource}) cut their files into parts and turn a record's bytes
 * into values; {@code Pipeline} runs one epoch over any of them (reading, decoding, shuffling,
 * batching, each on its own threads); {@code ShuffleBuffer} is the shuffle's arithmetic, which
 * depends on the seed and the count of examples alone, so that a resumed epoch can rebuild it.
 */
package io.github.tfloop.data.stream;
