package io.github.tfloop.benchmarks;

import io.github.tfloop.train.Precision;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs every benchmark behind BENCHMARKS.md and writes its tables, with each ratio taken between
 * figures of the same run: {@code java ... io.github.tfloop.benchmarks.Report [--quick] [file]}.
 * {@code benchmarks/run.sh} is the way to call it.
 */
public final class Report {

  private static final String STEPS = TrainingStepBenchmark.class.getName();
  private static final String FIRST = FirstStepBenchmark.class.getName();

  private final boolean quick;
  private final Precision precision;
  private final StringBuilder out = new StringBuilder();

  private Report(boolean quick, Precision precision) {
    this.quick = quick;
    this.precision = precision;
  }

  /** {@code [--quick] [--precision bf16] [file]}. */
  public static void main(String[] args) throws RunnerException, IOException {
    boolean quick = false;
    Precision precision = Precision.FLOAT32;
    Path file = Path.of("benchmarks/target/benchmarks.md");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--quick" -> quick = true;
        case "--precision" -> precision = Interleaved.precision(args[++i]);
        default -> file = Path.of(args[i]);
      }
    }
    Report report = new Report(quick, precision);
    report.trainingSteps();
    report.firstStep();
    report.sessionSettings();
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.writeString(file, report.out);
    System.out.println(report.out);
    System.out.println("Written to " + file);
  }

  private ChainedOptionsBuilder options(String include) {
    ChainedOptionsBuilder options = new OptionsBuilder().include(include).shouldFailOnError(true);
    if (quick) {
      options
          .warmupIterations(1)
          .warmupTime(TimeValue.seconds(1))
          .measurementIterations(2)
          .measurementTime(TimeValue.seconds(1));
    }
    return options;
  }

  /** The training-step benchmarks, in float32 and, if asked, in the run's precision too. */
  private ChainedOptionsBuilder steps(String include) {
    ChainedOptionsBuilder options = options(include);
    if (precision != Precision.FLOAT32) {
      options
          .param("precision", Precision.FLOAT32.name(), precision.name())
          .param("bfloat16Rewriter", "false", "true");
    }
    return options;
  }

  private void trainingSteps() throws RunnerException {
    List<RunResult> results = new ArrayList<>();
    results.addAll(
        new Runner(
                steps(STEPS + "\\.")
                    .param("network", "MLP")
                    .param("batchSize", "32", "128", "512")
                    .addProfiler(GCProfiler.class)
                    .build())
            .run());
    results.addAll(
        new Runner(
                steps(STEPS + "\\.")
                    .param("network", "CNN")
                    .param("batchSize", "64")
                    .addProfiler(GCProfiler.class)
                    .build())
            .run());
    out.append("### Training steps per second\n\n")
        .append(
            "| network | batch | contender | steps/s | vs hand-written | vs DJL | heap bytes/step |\n")
        .append("|---|---:|---|---:|---:|---:|---:|\n");
    for (RunResult result : results) {
      BenchmarkParams params = result.getParams();
      String network = params.getParam("network");
      String batch = params.getParam("batchSize");
      double score = result.getPrimaryResult().getScore();
      out.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %s | %s | %s | %s | %s |%n",
              network,
              batch,
              contender(params),
              withError(result.getPrimaryResult(), 0),
              ratio(score, find(results, "handWritten", network, batch)),
              ratio(score, find(results, "djl", network, batch)),
              allocation(result)));
    }
    out.append('\n');
  }

  private void firstStep() throws RunnerException {
    Collection<RunResult> results = new Runner(options(FIRST + "\\.").build()).run();
    out.append("### Time to first step (build, session, initial weights, one batch)\n\n")
        .append("| network | contender | milliseconds |\n|---|---|---:|\n");
    for (RunResult result : results) {
      out.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %s |%n",
              result.getParams().getParam("network"),
              contender(result.getParams()),
              withError(result.getPrimaryResult(), 1)));
    }
    out.append('\n');
  }

  /** {@code fit} at one batch per call under each thread setting, with and without XLA. */
  private void sessionSettings() throws RunnerException {
    Collection<RunResult> results =
        new Runner(
                options(STEPS + "\\.tfloopFit$")
                    .param("precision", precision.name())
                    .param("network", "MLP")
                    .param("batchSize", "32", "512")
                    .param("stepsPerExecution", "1")
                    .param("threads", "0:0", "1:1", "2:1", "1:2")
                    .param("xla", "false", "true")
                    .build())
            .run();
    out.append("### Session settings: tfloop `fit`, MLP, one batch per call\n\n")
        .append("| batch | intra:inter threads | XLA | steps/s |\n|---:|---|---|---:|\n");
    for (RunResult result : results) {
      BenchmarkParams params = result.getParams();
      out.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %s | %s |%n",
              params.getParam("batchSize"),
              params.getParam("threads"),
              params.getParam("xla"),
              withError(result.getPrimaryResult(), 0)));
    }
    out.append('\n');
  }

  private static String contender(BenchmarkParams params) {
    String method = params.getBenchmark().substring(params.getBenchmark().lastIndexOf('.') + 1);
    String precision = params.getParam("precision");
    String suffix =
        precision == null || precision.equals(Precision.FLOAT32.name())
            ? ""
            : ", " + Labels.precision(Precision.valueOf(precision));
    return switch (method) {
      case "handWritten" ->
          "true".equals(params.getParam("bfloat16Rewriter"))
              ? Labels.HAND_WRITTEN_REWRITER
              : Labels.HAND_WRITTEN;
      case "tfloopStep" -> Labels.tfloopStep(params.getParam("execution")) + suffix;
      case "tfloopFit" -> Labels.tfloopFit(params.getParam("stepsPerExecution")) + suffix;
      case "tfloop" -> "tfloop";
      case "djl" -> Labels.DJL;
      default -> method;
    };
  }

  private static RunResult find(
      List<RunResult> results, String method, String network, String batch) {
    for (RunResult result : results) {
      BenchmarkParams params = result.getParams();
      if (params.getBenchmark().endsWith("." + method)
          && !"true".equals(params.getParam("bfloat16Rewriter"))
          && network.equals(params.getParam("network"))
          && batch.equals(params.getParam("batchSize"))) {
        return result;
      }
    }
    return null;
  }

  private static String ratio(double score, RunResult reference) {
    return reference == null
        ? "—"
        : String.format(Locale.ROOT, "%.2f×", score / reference.getPrimaryResult().getScore());
  }

  private static String withError(Result<?> result, int decimals) {
    String format = "%." + decimals + "f ± %." + decimals + "f";
    double error = Double.isNaN(result.getScoreError()) ? 0 : result.getScoreError();
    return String.format(Locale.ROOT, format, result.getScore(), error);
  }

  private static String allocation(RunResult result) {
    Result<?> bytes = result.getSecondaryResults().get("gc.alloc.rate.norm");
    return bytes == null ? "—" : String.format(Locale.ROOT, "%.0f", bytes.getScore());
  }
}
