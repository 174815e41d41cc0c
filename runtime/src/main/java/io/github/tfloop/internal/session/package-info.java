/**
 * Running a graph: a {@link io.github.tfloop.internal.session.Program} is one prepared session run
 * (native {@code TF_SessionRun} with arguments made once, or a reused {@code Session.Runner}); a
 * {@link io.github.tfloop.internal.session.Batch} holds the input tensors, allocated once and
 * refilled from staging arrays; {@link io.github.tfloop.internal.session.ClusterSession} opens a
 * session on a cluster. Knows nothing of training.
 */
package io.github.tfloop.internal.session;
