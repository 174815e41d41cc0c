package io.github.tfloop.data.stream;

/**
 * A run of records read in order: a file, or a block of one. An epoch reads its parts in an order
 * shuffled per epoch; a worker of a cluster keeps record {@code r} of a part when {@code (key + r)
 * mod workers} is its index.
 *
 * @param index its place among the source's parts, from 0
 * @param file the file it reads (or the folder, for images), for messages
 * @param key the number sharding starts from: the index of its first example in the source where
 *     the source knows it, else the part's index
 * @param first the index of its first record within {@code file} (a block's start), else 0
 * @param count its number of records, or -1 if not known before it is read
 */
record Part(int index, String file, long key, long first, long count) {

  /** How many of {@code records} records from {@code key} on worker {@code shard} of n keeps. */
  static long owned(long key, long records, int shard, int shards) {
    return below(key + records, shard, shards) - below(key, shard, shards);
  }

  /** The numbers in [0, x) congruent to {@code shard} modulo {@code shards}. */
  private static long below(long x, int shard, int shards) {
    return x > shard ? (x - shard + shards - 1) / shards : 0;
  }
}
