package io.github.tfloop.internal.build;

import static org.tensorflow.internal.c_api.global.tensorflow.TF_CloseSession;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteDeviceList;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteGraph;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteSession;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteSessionOptions;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteStatus;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeviceListCount;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeviceListType;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_GetCode;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewGraph;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewSession;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewSessionOptions;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewStatus;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_OK;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_SessionListDevices;

import io.github.tfloop.train.LoopOptions;
import io.github.tfloop.train.Precision;
import java.lang.System.Logger.Level;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import org.tensorflow.DeviceSpec;
import org.tensorflow.internal.c_api.TF_DeviceList;
import org.tensorflow.internal.c_api.TF_Graph;
import org.tensorflow.internal.c_api.TF_Session;
import org.tensorflow.internal.c_api.TF_SessionOptions;
import org.tensorflow.internal.c_api.TF_Status;
import org.tensorflow.types.TBfloat16;
import org.tensorflow.types.TFloat16;
import org.tensorflow.types.family.TFloating;

/**
 * What a {@link Precision} means for the graph and the session: the type {@code Layers} computes
 * matrix products and convolutions in, whether the step scales its loss, and whether the precision
 * can run where the loop runs. {@link #check} refuses {@link Precision#MIXED_FLOAT16} on a CPU
 * without float16 arithmetic (and warns when a loop placed on a GPU that TensorFlow does not see
 * will run it there anyway), warns when {@link Precision#MIXED_BFLOAT16} runs on a CPU without
 * bfloat16 units or with oneDNN switched off, and logs once per precision and device which
 * precision and CPU features a loop uses.
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
    check(
        loopName,
        options,
        CpuFeatures.local(),
        System.getenv(ONEDNN_OPTS),
        MixedPrecision::gpuVisible);
  }

  /** The environment variable with which TensorFlow's CPU library turns oneDNN off ("0"). */
  static final String ONEDNN_OPTS = "TF_ENABLE_ONEDNN_OPTS";

  static void check(
      String loopName,
      LoopOptions options,
      CpuFeatures cpu,
      String onednnOpts,
      BooleanSupplier gpuVisible) {
    Precision precision = options.precision();
    // Placement is soft: a graph asked onto a GPU that TensorFlow does not see runs on the CPU.
    boolean gpuAskedFor = precision != Precision.FLOAT32 && onGpu(options.device());
    boolean gpu = gpuAskedFor && gpuVisible.getAsBoolean();
    String where =
        gpu
            ? "device " + options.device()
            : "the CPU, "
                + cpu
                + (gpuAskedFor
                    ? " (placed on " + options.device() + ", but TensorFlow sees no GPU)"
                    : "");
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
        if (gpuAskedFor && !gpu && cpu.float16Units().isEmpty()) {
          log(
              Level.WARNING,
              precision,
              options,
              "{0}: MIXED_FLOAT16 on {1}, which has no float16 arithmetic: TensorFlow runs the"
                  + " float16 graph in its generic kernels, many times slower than float32; train"
                  + " in Precision.FLOAT32 here, or on a machine with a GPU and TensorFlow''s GPU"
                  + " library (mvn -Pgpu)",
              loopName,
              where);
          return;
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

  /** Whether TensorFlow sees a GPU in this process; asked once, with a throwaway session. */
  static boolean gpuVisible() {
    return Gpus.VISIBLE;
  }

  private static final class Gpus {
    static final boolean VISIBLE = listGpus();

    private static boolean listGpus() {
      TF_Status status = TF_NewStatus();
      TF_Graph graph = TF_NewGraph();
      TF_SessionOptions options = TF_NewSessionOptions();
      try {
        TF_Session session = TF_NewSession(graph, options, status);
        if (TF_GetCode(status) != TF_OK) {
          return false;
        }
        try {
          TF_DeviceList devices = TF_SessionListDevices(session, status);
          if (TF_GetCode(status) != TF_OK) {
            return false;
          }
          try {
            for (int i = 0; i < TF_DeviceListCount(devices); i++) {
              if ("GPU".equals(TF_DeviceListType(devices, i, status).getString())) {
                return true;
              }
            }
            return false;
          } finally {
            TF_DeleteDeviceList(devices);
          }
        } finally {
          TF_CloseSession(session, status);
          TF_DeleteSession(session, status);
        }
      } finally {
        TF_DeleteSessionOptions(options);
        TF_DeleteGraph(graph);
        TF_DeleteStatus(status);
      }
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
