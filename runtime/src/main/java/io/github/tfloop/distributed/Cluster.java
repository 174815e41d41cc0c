package io.github.tfloop.distributed;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A training cluster and this process's place in it, described the TensorFlow way: the addresses of
 * the {@code ps} (parameter server) and {@code worker} tasks, and this process's task type and
 * index. Worker 0 is the chief. Usually read from the {@code TF_CONFIG} environment variable:
 *
 * <pre>{@code
 * TF_CONFIG='{"cluster": {"ps": ["10.0.0.1:2222"],
 *                         "worker": ["10.0.0.2:2222", "10.0.0.3:2222"]},
 *             "task": {"type": "worker", "index": 1}}'
 * }</pre>
 *
 * <pre>{@code
 * LoopOptions options =
 *     LoopOptions.builder().epochs(10).cluster(Cluster.fromEnvironment()).build();
 * }</pre>
 *
 * <p>With a cluster in its options, a generated loop places its variables on the parameter servers
 * and trains data-parallel: every worker computes gradients on its own shard of the training data,
 * and each global step applies their average once (see {@code docs/distributed.md}).
 * Parameter-server processes run {@link ParameterServer} instead of a loop. Immutable.
 */
public final class Cluster {

  /** The environment variable {@link #fromEnvironment()} reads. */
  public static final String ENVIRONMENT_VARIABLE = "TF_CONFIG";

  /** The task type of parameter servers. */
  public static final String PS = "ps";

  /** The task type of workers; worker 0 is the chief. */
  public static final String WORKER = "worker";

  /** How long a task waits for the others before it gives up, unless {@link #withTimeout} says. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(2);

  /**
   * The system property that, set to {@code true}, acknowledges for every cluster of the process
   * what {@link #acknowledgeInsecureNetwork()} acknowledges: {@code
   * -Dtfloop.cluster.acknowledgeInsecureNetwork=true}.
   */
  public static final String ACKNOWLEDGE_PROPERTY = "tfloop.cluster.acknowledgeInsecureNetwork";

  /**
   * The environment variable that, set to {@code true}, acknowledges for every cluster of the
   * process what {@link #acknowledgeInsecureNetwork()} acknowledges, as {@code TF_CONFIG} describes
   * the cluster: {@code TFLOOP_ACKNOWLEDGE_INSECURE_NETWORK=true}.
   */
  public static final String ACKNOWLEDGE_ENVIRONMENT_VARIABLE =
      "TFLOOP_ACKNOWLEDGE_INSECURE_NETWORK";

  private final List<String> parameterServers;
  private final List<String> workers;
  private final String taskType;
  private final int taskIndex;
  private final Duration timeout;
  private final boolean insecureNetworkAcknowledged;

  private Cluster(
      List<String> parameterServers,
      List<String> workers,
      String taskType,
      int taskIndex,
      Duration timeout,
      String source) {
    this(parameterServers, workers, taskType, taskIndex, timeout, false, source);
  }

  private Cluster(
      List<String> parameterServers,
      List<String> workers,
      String taskType,
      int taskIndex,
      Duration timeout,
      boolean insecureNetworkAcknowledged,
      String source) {
    this.parameterServers = List.copyOf(parameterServers);
    this.workers = List.copyOf(workers);
    this.taskType = taskType;
    this.taskIndex = taskIndex;
    this.timeout = timeout;
    this.insecureNetworkAcknowledged = insecureNetworkAcknowledged;
    validate(source);
  }

  /**
   * The cluster that {@code TF_CONFIG} describes.
   *
   * @throws IllegalArgumentException if it is not set or does not describe a valid cluster
   */
  public static Cluster fromEnvironment() {
    if (!inEnvironment()) {
      throw new IllegalArgumentException(
          "the environment variable "
              + ENVIRONMENT_VARIABLE
              + " is not set; it describes the cluster, as in "
              + example());
    }
    return parse(System.getenv(ENVIRONMENT_VARIABLE));
  }

  /** Whether {@code TF_CONFIG} is set: whether this process is meant to join a cluster. */
  public static boolean inEnvironment() {
    String config = System.getenv(ENVIRONMENT_VARIABLE);
    return config != null && !config.isBlank();
  }

  /**
   * Reads a {@code TF_CONFIG} JSON text: {@code {"cluster": {"ps": [...], "worker": [...]}, "task":
   * {"type": ..., "index": ...}}}.
   *
   * @throws IllegalArgumentException naming what is missing or wrong
   */
  public static Cluster parse(String tfConfig) {
    Objects.requireNonNull(tfConfig, "tfConfig");
    Map<?, ?> root =
        object(Json.parse(tfConfig, ENVIRONMENT_VARIABLE), "the " + ENVIRONMENT_VARIABLE + " text");
    Map<?, ?> jobs = object(member(root, "cluster", ENVIRONMENT_VARIABLE), "\"cluster\"");
    for (Object job : jobs.keySet()) {
      if (!job.equals(PS) && !job.equals(WORKER)) {
        throw new IllegalArgumentException(
            ENVIRONMENT_VARIABLE
                + ": job \""
                + job
                + "\" is not"
                + " supported: tfloop's clusters have \"ps\" and \"worker\" jobs, and worker 0 is the"
                + " chief"
                + (job.equals("chief") ? "; list the chief as the first worker" : ""));
      }
    }
    List<String> ps = addresses(jobs, PS);
    List<String> workers = addresses(jobs, WORKER);
    Map<?, ?> task = object(member(root, "task", ENVIRONMENT_VARIABLE), "\"task\"");
    Object type = member(task, "type", "\"task\"");
    Object index = task.containsKey("index") ? task.get("index") : 0L;
    if (!(type instanceof String)) {
      throw new IllegalArgumentException(
          ENVIRONMENT_VARIABLE
              + ": \"task\".\"type\" must be"
              + " \"ps\" or \"worker\", got "
              + Json.write(type));
    }
    if (!(index instanceof Long number) || number < 0 || number > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          ENVIRONMENT_VARIABLE
              + ": \"task\".\"index\" must be a"
              + " task number from 0, got "
              + Json.write(index));
    }
    return new Cluster(
        ps, workers, (String) type, number.intValue(), DEFAULT_TIMEOUT, ENVIRONMENT_VARIABLE);
  }

  /**
   * A cluster of the given {@code host:port} addresses, seen from the task {@code taskType}
   * ({@value #PS} or {@value #WORKER}) number {@code taskIndex}.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  public static Cluster of(
      List<String> parameterServers, List<String> workers, String taskType, int taskIndex) {
    return new Cluster(parameterServers, workers, taskType, taskIndex, DEFAULT_TIMEOUT, "cluster");
  }

  /**
   * This cluster with another limit on how long a task waits for the others: for the chief's
   * initialisation, for every worker's gradients of a step, for the next step to begin. A worker
   * that dies stops the others for at most this long: restarted within it, it rejoins.
   */
  public Cluster withTimeout(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero() || timeout.toMillis() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "the cluster's timeout must be positive and under 24 days, got " + timeout);
    }
    return new Cluster(
        parameterServers,
        workers,
        taskType,
        taskIndex,
        timeout,
        insecureNetworkAcknowledged,
        "cluster");
  }

  /** The same cluster seen from another task, as the launcher starts it. */
  public Cluster forTask(String type, int index) {
    return new Cluster(
        parameterServers, workers, type, index, timeout, insecureNetworkAcknowledged, "cluster");
  }

  /**
   * This cluster, acknowledging that its TensorFlow servers are open to the network: needed to
   * start a server for a cluster whose addresses are not all loopback ({@code 127.0.0.1}, {@code
   * ::1}, {@code localhost}).
   *
   * <p>TensorFlow's gRPC server listens on every network interface of its host ({@code 0.0.0.0}),
   * whatever address the cluster gives it, and runs any graph that anyone who reaches its port
   * sends it (reading files, writing files, using the memory and processors of the host), without
   * authentication or encryption. It cannot be limited to one interface. Acknowledge this once the
   * cluster's ports are reachable only by the cluster's hosts: a private network, or a firewall
   * that lets only those hosts in. The same acknowledgement for every cluster of a process: the
   * system property {@value #ACKNOWLEDGE_PROPERTY} or the environment variable {@value
   * #ACKNOWLEDGE_ENVIRONMENT_VARIABLE} set to {@code true}.
   */
  public Cluster acknowledgeInsecureNetwork() {
    return new Cluster(parameterServers, workers, taskType, taskIndex, timeout, true, "cluster");
  }

  /**
   * Whether starting a server for this cluster is acknowledged to open it to the network: by {@link
   * #acknowledgeInsecureNetwork()}, the system property {@value #ACKNOWLEDGE_PROPERTY} or the
   * environment variable {@value #ACKNOWLEDGE_ENVIRONMENT_VARIABLE}.
   */
  public boolean insecureNetworkAcknowledged() {
    return insecureNetworkAcknowledged
        || Boolean.parseBoolean(System.getProperty(ACKNOWLEDGE_PROPERTY))
        || Boolean.parseBoolean(System.getenv(ACKNOWLEDGE_ENVIRONMENT_VARIABLE));
  }

  /**
   * The addresses of this cluster's tasks that are not loopback addresses, in task order; empty
   * when the whole cluster is on this machine's loopback interface. A host name other than {@code
   * localhost} counts as not loopback: it is not looked up.
   */
  public List<String> nonLoopbackAddresses() {
    List<String> all = new ArrayList<>(parameterServers);
    all.addAll(workers);
    List<String> open = new ArrayList<>();
    for (String address : all) {
      if (!isLoopback(address.substring(0, address.lastIndexOf(':')))) {
        open.add(address);
      }
    }
    return open;
  }

  private static final java.util.regex.Pattern IP_LITERAL =
      java.util.regex.Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*");

  /** Whether {@code host}, a name or an IP address (IPv6 in brackets), is a loopback address. */
  static boolean isLoopback(String host) {
    if (host.equalsIgnoreCase("localhost")) {
      return true;
    }
    String literal =
        host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    if (!IP_LITERAL.matcher(literal).matches()) {
      return false; // a name: what it resolves to is not known without a lookup
    }
    try {
      return java.net.InetAddress.getByName(literal).isLoopbackAddress(); // a literal: no lookup
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  /** This cluster and task as {@code TF_CONFIG} JSON text, which {@link #parse} reads back. */
  public String toTfConfig() {
    Map<String, Object> jobs = new LinkedHashMap<>();
    jobs.put(PS, parameterServers);
    jobs.put(WORKER, workers);
    Map<String, Object> task = new LinkedHashMap<>();
    task.put("type", taskType);
    task.put("index", taskIndex);
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("cluster", jobs);
    root.put("task", task);
    return Json.write(root);
  }

  /** The {@code host:port} address of each parameter server, by index. */
  public List<String> parameterServers() {
    return parameterServers;
  }

  /** The {@code host:port} address of each worker, by index; the first is the chief. */
  public List<String> workers() {
    return workers;
  }

  /** This process's task type: {@value #PS} or {@value #WORKER}. */
  public String taskType() {
    return taskType;
  }

  /** This process's index among the tasks of its type. */
  public int taskIndex() {
    return taskIndex;
  }

  /** This process's {@code host:port} address. */
  public String address() {
    return (isParameterServer() ? parameterServers : workers).get(taskIndex);
  }

  /** Whether this process is a parameter server. */
  public boolean isParameterServer() {
    return taskType.equals(PS);
  }

  /**
   * Whether this process is the chief, worker 0: it initialises the variables, coordinates each
   * step, and is the only one that writes checkpoints and TensorBoard logs.
   */
  public boolean isChief() {
    return taskType.equals(WORKER) && taskIndex == 0;
  }

  /** How long a task waits for the others before it fails; see {@link #withTimeout}. */
  public Duration timeout() {
    return timeout;
  }

  /** The port of this process's address. */
  int port() {
    String address = address();
    return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
  }

  /** This process's task, such as {@code worker 1 of 2}. */
  public String describeTask() {
    return taskType
        + " "
        + taskIndex
        + " of "
        + (isParameterServer() ? parameterServers : workers).size();
  }

  /**
   * Whether {@code other} is the same cluster and task with the same timeout; whether the insecure
   * network is acknowledged does not count.
   */
  @Override
  public boolean equals(Object other) {
    return other instanceof Cluster that && sameTask(that) && timeout.equals(that.timeout);
  }

  /** Whether {@code other} is the same task of the same cluster, whatever its timeout. */
  boolean sameTask(Cluster other) {
    return parameterServers.equals(other.parameterServers)
        && workers.equals(other.workers)
        && taskType.equals(other.taskType)
        && taskIndex == other.taskIndex;
  }

  @Override
  public int hashCode() {
    return Objects.hash(parameterServers, workers, taskType, taskIndex, timeout);
  }

  @Override
  public String toString() {
    return toTfConfig();
  }

  private void validate(String source) {
    if (parameterServers.isEmpty()) {
      throw new IllegalArgumentException(
          source
              + ": the cluster needs at least one \"ps\" task:"
              + " the parameter servers hold the variables, as in "
              + example());
    }
    if (workers.isEmpty()) {
      throw new IllegalArgumentException(
          source
              + ": the cluster needs at least one \"worker\""
              + " task; worker 0 is the chief, as in "
              + example());
    }
    Set<String> seen = new HashSet<>();
    List<String> all = new ArrayList<>(parameterServers);
    all.addAll(workers);
    for (String address : all) {
      requireAddress(source, address);
      if (!seen.add(address)) {
        throw new IllegalArgumentException(
            source
                + ": the address "
                + address
                + " is given to two tasks; every task needs its own port");
      }
    }
    if (!taskType.equals(PS) && !taskType.equals(WORKER)) {
      throw new IllegalArgumentException(
          source + ": the task type must be \"ps\" or \"worker\"," + " got \"" + taskType + "\"");
    }
    int tasks = (isParameterServer() ? parameterServers : workers).size();
    if (taskIndex < 0 || taskIndex >= tasks) {
      throw new IllegalArgumentException(
          source
              + ": task "
              + taskType
              + " "
              + taskIndex
              + " is not in the cluster, which has "
              + tasks
              + " "
              + taskType
              + " task"
              + (tasks == 1 ? "" : "s")
              + " (indices from 0)");
    }
  }

  private static void requireAddress(String source, String address) {
    int colon = address == null ? -1 : address.lastIndexOf(':');
    boolean valid = colon > 0;
    if (valid) {
      try {
        int port = Integer.parseInt(address.substring(colon + 1));
        valid = port > 0 && port < 65536;
      } catch (NumberFormatException e) {
        valid = false;
      }
    }
    if (!valid) {
      throw new IllegalArgumentException(
          source + ": \"" + address + "\" is not a host:port" + " address such as 127.0.0.1:2222");
    }
  }

  private static Map<?, ?> object(Object value, String what) {
    if (!(value instanceof Map<?, ?> map)) {
      throw new IllegalArgumentException(
          ENVIRONMENT_VARIABLE + ": " + what + " must be a JSON object, as in " + example());
    }
    return map;
  }

  private static Object member(Map<?, ?> object, String name, String where) {
    if (!object.containsKey(name)) {
      throw new IllegalArgumentException(
          ENVIRONMENT_VARIABLE
              + ": "
              + where
              + " has no \""
              + name
              + "\"; expected something like "
              + example());
    }
    return object.get(name);
  }

  private static List<String> addresses(Map<?, ?> jobs, String job) {
    Object value = jobs.get(job);
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof List<?> list)) {
      throw new IllegalArgumentException(
          ENVIRONMENT_VARIABLE
              + ": \"cluster\".\""
              + job
              + "\" must be a list of \"host:port\" addresses, got "
              + Json.write(value));
    }
    List<String> addresses = new ArrayList<>();
    for (Object address : list) {
      if (!(address instanceof String text)) {
        throw new IllegalArgumentException(
            ENVIRONMENT_VARIABLE
                + ": \"cluster\".\""
                + job
                + "\" holds "
                + Json.write(address)
                + ", not a \"host:port\" string");
      }
      addresses.add(text);
    }
    return addresses;
  }

  private static String example() {
    return "{\"cluster\": {\"ps\": [\"127.0.0.1:2222\"], \"worker\": [\"127.0.0.1:2223\","
        + " \"127.0.0.1:2224\"]}, \"task\": {\"type\": \"worker\", \"index\": 0}}";
  }
}
