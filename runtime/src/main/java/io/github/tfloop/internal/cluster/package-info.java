/**
 * A fit on a cluster (see the public {@code distributed} package for the cluster itself): the chief
 * runs the usual fit loop with each step synchronised by {@link
 * io.github.tfloop.internal.cluster.SyncReplicas}; the other workers run a {@link
 * io.github.tfloop.internal.cluster.WorkerFit} on their shards.
 */
package io.github.tfloop.internal.cluster;
