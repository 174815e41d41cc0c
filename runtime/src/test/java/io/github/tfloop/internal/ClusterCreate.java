package io.github.tfloop.internal;

import io.github.tfloop.distributed.Cluster;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A worker that creates a {@link Regression} loop on the cluster of {@code TF_CONFIG}, with the
 * timeout in seconds of its first argument, and prints {@code created} or the exception's class and
 * message. With a second argument {@code then-global-step}, it then waits for a line on its
 * standard input and prints what {@code globalStep()} returns or throws.
 */
public final class ClusterCreate {

  private ClusterCreate() {}

  public static void main(String[] args) throws IOException {
    Cluster cluster =
        Cluster.fromEnvironment().withTimeout(Duration.ofSeconds(Long.parseLong(args[0])));
    try (Trainer loop = Regression.sgd(ClusterRegression.options().cluster(cluster).build(), 0.1)) {
      System.out.println("created");
      if (args.length > 1 && args[1].equals("then-global-step")) {
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        System.out.println("global step " + loop.globalStep());
      }
    } catch (RuntimeException e) {
      System.out.println(e.getClass().getName() + ": " + e.getMessage().replace('\n', ' '));
    }
    System.out.flush();
  }
}
