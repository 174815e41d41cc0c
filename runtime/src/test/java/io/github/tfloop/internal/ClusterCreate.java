package io.github.tfloop.internal;

import io.github.tfloop.distributed.Cluster;
import java.time.Duration;

/**
 * A worker that only creates a {@link Regression} loop on the cluster of {@code TF_CONFIG}, with
 * the timeout in seconds of its first argument, and prints what happened: {@code created}, or the
 * exception's class and message.
 */
public final class ClusterCreate {

  private ClusterCreate() {}

  public static void main(String[] args) {
    Cluster cluster =
        Cluster.fromEnvironment().withTimeout(Duration.ofSeconds(Long.parseLong(args[0])));
    try (Trainer loop = Regression.sgd(ClusterRegression.options().cluster(cluster).build(), 0.1)) {
      System.out.println("created");
    } catch (RuntimeException e) {
      System.out.println(e.getClass().getName() + ": " + e.getMessage());
    }
  }
}
