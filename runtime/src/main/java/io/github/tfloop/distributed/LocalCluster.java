package io.github.tfloop.distributed;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A cluster on this machine for trying distributed training out: parameter servers and workers as
 * separate JVMs with addresses on 127.0.0.1, each with its own {@code TF_CONFIG}, on ports free
 * when it starts. Their TensorFlow servers still listen on every interface of the machine (see
 * {@link Servers}): other hosts can reach those ports unless a firewall closes them. Parameter
 * servers run {@link ParameterServer}; workers run a training program's main class, the same on
 * every worker. The launcher's command line:
 *
 * <pre>
 * java -cp CLASSPATH io.github.tfloop.distributed.LocalCluster [--workers N] [--ps N]
 *     [--jvm OPTION]... -- MAIN_CLASS [ARGUMENT]...
 * </pre>
 *
 * <p>It prints every process's output prefixed with its task, waits for the workers to finish,
 * stops the parameter servers and exits with the first failed worker's status (0 if none failed).
 * Ctrl-C stops every process, and every process stops when the launcher's JVM ends, however it ends
 * (see {@link LocalClusterChild}). Tests use it as a library: {@link #kill} and {@link #restart} a
 * task.
 */
public final class LocalCluster implements AutoCloseable {

  /** Receives each line a process prints, with its task, such as {@code worker 1}. */
  public interface Output {
    void line(String task, String line);
  }

  private final Cluster cluster;
  private final List<String> javaOptions;
  private final String mainClass;
  private final List<String> arguments;
  private final Output output;
  private final Map<String, Process> processes = new LinkedHashMap<>();

  private LocalCluster(Builder builder) {
    this.javaOptions = List.copyOf(builder.javaOptions);
    this.mainClass = Objects.requireNonNull(builder.mainClass, "mainClass");
    this.arguments = List.copyOf(builder.arguments);
    this.output = builder.output;
    List<String> addresses = freeAddresses(builder.parameterServers + builder.workers);
    this.cluster =
        Cluster.of(
            addresses.subList(0, builder.parameterServers),
            addresses.subList(builder.parameterServers, addresses.size()),
            Cluster.WORKER,
            0);
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Runs a local cluster from the command line; see the class comment.
   *
   * @throws IllegalArgumentException if the arguments are wrong
   */
  public static void main(String[] args) throws Exception {
    Builder builder =
        builder().output((task, line) -> System.out.println("[" + task + "] " + line));
    int i = 0;
    for (; i < args.length && !args[i].equals("--"); i++) {
      switch (args[i]) {
        case "--workers" -> builder.workers(Integer.parseInt(value(args, ++i)));
        case "--ps" -> builder.parameterServers(Integer.parseInt(value(args, ++i)));
        case "--jvm" -> builder.javaOption(value(args, ++i));
        default ->
            throw new IllegalArgumentException(
                "unknown option '"
                    + args[i]
                    + "'; usage: "
                    + "LocalCluster [--workers N] [--ps N] [--jvm OPTION]... -- MAIN_CLASS [ARGUMENT]...");
      }
    }
    if (i + 1 >= args.length) {
      throw new IllegalArgumentException(
          "name the workers' main class after --, as in"
              + " LocalCluster --workers 2 -- io.github.tfloop.sample.FashionMnistTraining");
    }
    builder.mainClass(args[i + 1]).arguments(Arrays.copyOfRange(args, i + 2, args.length));
    try (LocalCluster local = builder.start()) {
      Runtime.getRuntime().addShutdownHook(new Thread(local::close, "local-cluster-stop"));
      System.out.println(
          "local cluster: "
              + local.cluster().parameterServers().size()
              + " ps "
              + local.cluster().parameterServers()
              + ", "
              + local.cluster().workers().size()
              + " workers "
              + local.cluster().workers()
              + " (worker 0 is the chief); each task's TensorFlow server listens on all network"
              + " interfaces of this machine, on its port: other hosts can reach them unless a"
              + " firewall closes those ports");
      int status = local.awaitWorkers();
      System.out.println("local cluster: workers done" + (status == 0 ? "" : ", status " + status));
      System.exit(status);
    }
  }

  /** Every task of the cluster, with the ports chosen. */
  public Cluster cluster() {
    return cluster;
  }

  /** Starts every parameter server, then every worker. */
  private LocalCluster startAll() {
    for (int i = 0; i < cluster.parameterServers().size(); i++) {
      start(Cluster.PS, i);
    }
    for (int i = 0; i < cluster.workers().size(); i++) {
      start(Cluster.WORKER, i);
    }
    return this;
  }

  /** The process of a task, such as ({@code "worker"}, 1), as last started. */
  public synchronized Process process(String type, int index) {
    Process process = processes.get(task(type, index));
    if (process == null) {
      throw new IllegalArgumentException("no task " + task(type, index) + " in " + cluster);
    }
    return process;
  }

  /** Kills a task's process with SIGKILL, as a crash would, and waits until it is gone. */
  public void kill(String type, int index) throws InterruptedException {
    Process process = process(type, index);
    process.destroyForcibly();
    process.waitFor();
  }

  /** Starts a task's process again, with the same {@code TF_CONFIG}; kills it first if it runs. */
  public synchronized Process restart(String type, int index) throws InterruptedException {
    Process running = processes.get(task(type, index));
    if (running != null && running.isAlive()) {
      kill(type, index);
    }
    return start(type, index);
  }

  /**
   * Waits for every worker to exit.
   *
   * @return the first non-zero exit status, by worker index, or 0
   */
  public int awaitWorkers() throws InterruptedException {
    int status = 0;
    for (int i = 0; i < cluster.workers().size(); i++) {
      int exit = process(Cluster.WORKER, i).waitFor();
      status = status == 0 ? exit : status;
    }
    return status;
  }

  /**
   * Waits at most {@code timeout} for every worker to exit.
   *
   * @return whether they all did
   */
  public boolean awaitWorkers(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (int i = 0; i < cluster.workers().size(); i++) {
      long left = deadline - System.nanoTime();
      if (left <= 0 || !process(Cluster.WORKER, i).waitFor(left, TimeUnit.NANOSECONDS)) {
        return false;
      }
    }
    return true;
  }

  /** Kills every process of the cluster still running, and waits for them to be gone. */
  @Override
  public synchronized void close() {
    for (Process process : processes.values()) {
      process.destroyForcibly();
    }
    for (Process process : processes.values()) {
      try {
        process.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private synchronized Process start(String type, int index) {
    String task = task(type, index);
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("--enable-native-access=ALL-UNNAMED");
    command.addAll(javaOptions);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    // Every process ends with this launcher, even when it is killed outright.
    command.add(LocalClusterChild.class.getName());
    command.add(Long.toString(ProcessHandle.current().pid()));
    if (type.equals(Cluster.PS)) {
      command.add(ParameterServer.class.getName());
    } else {
      command.add(mainClass);
      command.addAll(arguments);
    }
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder
        .environment()
        .put(Cluster.ENVIRONMENT_VARIABLE, cluster.forTask(type, index).toTfConfig());
    builder.environment().putIfAbsent("TF_CPP_MIN_LOG_LEVEL", "2");
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + task + ": " + e.getMessage(), e);
    }
    processes.put(task, process);
    Thread pump = new Thread(() -> forward(task, process), "output of " + task);
    pump.setDaemon(true);
    pump.start();
    return process;
  }

  private void forward(String task, Process process) {
    try (BufferedReader lines =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = lines.readLine()) != null; ) {
        output.line(task, line);
      }
    } catch (IOException e) {
      // the process is gone: nothing more to read
    }
  }

  private static String task(String type, int index) {
    return type + " " + index;
  }

  /**
   * {@code count} addresses on 127.0.0.1 whose ports are free now, all different: each is held open
   * until all are chosen, so the system cannot hand out one twice.
   */
  static List<String> freeAddresses(int count) {
    List<ServerSocket> held = new ArrayList<>();
    try {
      List<String> addresses = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        held.add(socket);
        addresses.add("127.0.0.1:" + socket.getLocalPort());
      }
      return addresses;
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on 127.0.0.1: " + e.getMessage(), e);
    } finally {
      for (ServerSocket socket : held) {
        try {
          socket.close();
        } catch (IOException e) {
          // closing a listening socket that was never used: nothing to do
        }
      }
    }
  }

  private static String value(String[] args, int index) {
    if (index >= args.length) {
      throw new IllegalArgumentException(args[index - 1] + " needs a value");
    }
    return args[index];
  }

  /** What to start: how many tasks of each type, which program, with which JVM options. */
  public static final class Builder {
    private int parameterServers = 1;
    private int workers = 2;
    private final List<String> javaOptions = new ArrayList<>();
    private String mainClass;
    private final List<String> arguments = new ArrayList<>();
    private Output output = (task, line) -> {};

    private Builder() {}

    /** Parameter servers (1 by default). */
    public Builder parameterServers(int count) {
      this.parameterServers = requirePositive("--ps", count);
      return this;
    }

    /** Workers, the chief included (2 by default). */
    public Builder workers(int count) {
      this.workers = requirePositive("--workers", count);
      return this;
    }

    /** A JVM option for every process, such as {@code -Xmx2g}. */
    public Builder javaOption(String option) {
      javaOptions.add(Objects.requireNonNull(option, "option"));
      return this;
    }

    /** The workers' program. */
    public Builder mainClass(String mainClass) {
      this.mainClass = Objects.requireNonNull(mainClass, "mainClass");
      return this;
    }

    /** The workers' program arguments. */
    public Builder arguments(String... arguments) {
      this.arguments.addAll(List.of(arguments));
      return this;
    }

    /** Where each line the processes print goes; nowhere by default. */
    public Builder output(Output output) {
      this.output = Objects.requireNonNull(output, "output");
      return this;
    }

    /** Chooses free ports and starts every process. */
    public LocalCluster start() {
      LocalCluster local = new LocalCluster(this);
      try {
        return local.startAll();
      } catch (RuntimeException e) {
        local.close();
        throw e;
      }
    }

    private static int requirePositive(String option, int count) {
      if (count < 1) {
        throw new IllegalArgumentException(option + " must be at least 1, got " + count);
      }
      return count;
    }
  }
}
