package io.github.tfloop.internal.build;

import io.github.tfloop.train.LoopOptions;
import io.github.tfloop.train.Precision;
import java.lang.System.Logger.Level;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.tensorflow.DeviceSpec;
import org.tensorflow.types.TBfloat16;
import org.tensorflow.types.TFloat16;
import org.tensorflow.types.family.TFloating;

/**
 * What a {@link Precision} means for the graph and the session: the type {@code Layers} computes
 * matrix products and convolutions in, whether the step scales its loss, and whether the precision
 * can run where the loop runs. {@link #check} refuses {@link Precision#MIXED_FLOAT16} on a CPU
 * without float16 arithmetic, warns when {@link Precision#MIXED_BFLOAT16} runs on a CPU without
 * bfloat16 units, and logs once per precision and device which precision and CPU features a loop
 * uses.
 */
public final class MixedPrecision {

  /** The logger the precision and CPU features are logged on. */
  public static final String LOGGER = "io.github.tfloop.precision";

  private static final System.Logger LOG = System.getLogger(LOGGER);
  private static final Set<String> LOGGED = ConcurrentHashMap.newKeySet();

  private MixedPrecision() {}

  /**
   * The type {@code Layers} computes dense and convolution layers in under {@code precision}, or
   * {@code null} for the type of their input (float32).
   */
  public static Class<? extends TFloating> computeType(Precision precision) {
    return switch (precision) {
      case FLOAT32 -> null;
      case MIXED_BFLOAT16 -> TBfloat16.class;
      case MIXED_FLOAT16 -> TFloat16.class;
    };
  }

  /** Whether each step scales its loss dynamically (float16's narrow range needs it). */
  public static boolean scalesLoss(Precision precision) {
    return switch (precision) {
      case FLOAT32, MIXED_BFLOAT16 -> false;
      case MIXED_FLOAT16 -> true;
    };
  }

  /**
   * Checks that the loop {@code loopName} can compute in its precision where it runs, and logs
   * (once per precision and device in this JVM) which precision and CPU features it uses.
   *
   * @throws IllegalArgumentException for {@link Precision#MIXED_FLOAT16} on a CPU without float16
   *     arithmetic, or on a cluster
   */
  public static void check(String loopName, LoopOptions options) {
    check(loopName, options, CpuFeatures.local(), System.getenv(ONEDNN_OPTS));
  }

  /** The environment variable with which TensorFlow's CPU library turns oneDNN off ("0"). */
  static final String ONEDNN_OPTS = "TF_ENABLE_ONEDNN_OPTS";

  static void check(String loopName, LoopOptions options, CpuFeatures cpu, String onednnOpts) {
    Precision precision = options.precision();
    boolean gpu = onGpu(options.device());
    String where = gpu ? "device " + options.device() : "the CPU, " + cpu;
    boolean onednnOff =
        onednnOpts != null
            && (onednnOpts.trim().equals("0") || onednnOpts.trim().equalsIgnoreCase("false"));
    switch (precision) {
      case FLOAT32 -> log(Level.DEBUG, precision, options, "{0}: FLOAT32 on {1}", loopName, where);
      case MIXED_BFLOAT16 -> {
        if (!gpu && onednnOff) {
          log(
              Level.WARNING,
              precision,
              options,
              "{0}: MIXED_BFLOAT16 on {1} with {2}={3}: without oneDNN, TensorFlow multiplies and"
                  + " convolves bfloat16 in its generic kernels, many times slower than float32"
                  + " (the CNN of BENCHMARKS.md: 20 times slower); unset {2}",
              loopName,
              where,
              ONEDNN_OPTS,
              onednnOpts);
        } else if (!gpu && cpu.bfloat16Units().isEmpty()) {
          log(
              Level.WARNING,
              precision,
              options,
              "{0}: MIXED_BFLOAT16 on {1}, {2}: bfloat16 matrix products and convolutions will"
                  + " run slower than float32 here; use Precision.FLOAT32 on this machine",
              loopName,
              where,
              cpu.known()
                  ? "which has no bfloat16 units (no avx512_bf16 or amx_bf16 in /proc/cpuinfo)"
                  : "whose bfloat16 units are unknown (no /proc/cpuinfo)");
        } else {
          log(
              Level.INFO,
              precision,
              options,
              "{0}: MIXED_BFLOAT16 on {1}: matrix products and convolutions in bfloat16 ({2}),"
                  + " weights, optimizer, losses and statistics in float32",
              loopName,
              where,
              gpu ? "GPU" : String.join(", ", cpu.bfloat16Units()));
        }
      }
      case MIXED_FLOAT16 -> {
        if (options.cluster() != null) {
          throw new IllegalArgumentException(
              loopName
                  + ": Precision.MIXED_FLOAT16 is not supported on a cluster (its loss scale"
                  + " would be updated by every worker); use MIXED_BFLOAT16 or FLOAT32");
        }
        if (!gpu && cpu.float16Units().isEmpty()) {
          throw new IllegalArgumentException(
              loopName
                  + ": Precision.MIXED_FLOAT16 needs float16 arithmetic, and the loop runs on "
                  + where
                  + (cpu.known()
                      ? ", which has none (no avx512_fp16 or amx_fp16 in /proc/cpuinfo)"
                      : ", whose float16 arithmetic is unknown (no /proc/cpuinfo)")
                  + ": place it on a GPU with LoopOptions.builder().device(\"/GPU:0\")"
                  + (cpu.bfloat16Units().isEmpty()
                      ? ", or train in Precision.FLOAT32"
                      : ", or use Precision.MIXED_BFLOAT16, which this CPU runs on "
                          + String.join(", ", cpu.bfloat16Units())));
        }
        log(
            Level.INFO,
            precision,
            options,
            "{0}: MIXED_FLOAT16 on {1}: matrix products and convolutions in float16 ({2}) with"
                + " dynamic loss scaling from {3}, weights, optimizer, losses and statistics in"
                + " float32",
            loopName,
            where,
            gpu ? "GPU" : String.join(", ", cpu.float16Units()),
            options.initialLossScale());
      }
    }
  }

  private static void log(
      Level level, Precision precision, LoopOptions options, String format, Object... args) {
    if (LOGGED.add(precision + " " + options.device())) {
      LOG.log(level, format, args);
    }
  }

  /** Whether {@code device} (a name as {@code LoopOptions.device} takes it) is a GPU. */
  static boolean onGpu(String device) {
    return device != null && Devices.parse(device).deviceType() == DeviceSpec.DeviceType.GPU;
  }

  /** Forgets what was logged, so that a test sees the next loop's line. */
  static void forgetLogged() {
    LOGGED.clear();
  }
}
