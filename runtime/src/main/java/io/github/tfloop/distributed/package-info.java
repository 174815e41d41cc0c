/**
 * Training on several processes and hosts with TensorFlow's gRPC distributed runtime: the {@link
 * io.github.tfloop.distributed.Cluster} a process belongs to ({@code TF_CONFIG}), its TensorFlow
 * {@link io.github.tfloop.distributed.Servers server}, the {@link
 * io.github.tfloop.distributed.ParameterServer} program, and {@link
 * io.github.tfloop.distributed.LocalCluster}, which starts a cluster of JVMs on this machine. A
 * loop joins a cluster through {@code LoopOptions.builder().cluster(...)}.
 */
package io.github.tfloop.distributed;
