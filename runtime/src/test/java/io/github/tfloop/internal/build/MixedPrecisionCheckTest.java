package io.github.tfloop.internal.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tfloop.LogCapture;
import io.github.tfloop.distributed.Cluster;
import io.github.tfloop.train.LoopOptions;
import io.github.tfloop.train.Precision;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.MessageFormat;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where each precision may run, read from {@code /proc/cpuinfo} listings of real CPUs: refusals,
 * warnings and the one line each loop logs.
 */
class MixedPrecisionCheckTest {

  /** This project's AMD EPYC (Zen 4): AVX512_BF16, no AMX, no AVX512_FP16. */
  private static final CpuFeatures EPYC =
      CpuFeatures.parse(
          List.of(
              "processor\t: 0",
              "vendor_id\t: AuthenticAMD",
              "model name\t: AMD EPYC",
              "flags\t\t: fpu sse avx f16c avx2 avx512f avx512bw avx512_bf16 avx512_vnni",
              "",
              "processor\t: 1",
              "model name\t: AMD EPYC",
              "flags\t\t: fpu"));

  /** An Intel Xeon with AMX (Sapphire Rapids): bfloat16 and float16 units. */
  private static final CpuFeatures XEON =
      CpuFeatures.parse(
          List.of(
              "model name\t: Intel(R) Xeon(R) Processor",
              "flags\t\t: avx2 avx512f avx512_bf16 avx512_fp16 amx_bf16 amx_tile amx_int8"));

  /** An AVX2 laptop: neither. */
  private static final CpuFeatures AVX2 =
      CpuFeatures.parse(List.of("model name\t: Some Core i5", "flags\t\t: sse avx f16c avx2"));

  private static final CpuFeatures UNKNOWN = CpuFeatures.read(Path.of("/no/such/cpuinfo"));

  @BeforeEach
  void forgetWhatWasLogged() {
    MixedPrecision.forgetLogged();
  }

  private static LoopOptions options(Precision precision, String device) {
    LoopOptions.Builder options = LoopOptions.builder().precision(precision);
    return device == null ? options.build() : options.device(device).build();
  }

  @Test
  void readsTheFirstProcessorsModelAndFlags() {
    assertEquals("AMD EPYC", EPYC.model());
    assertTrue(EPYC.known());
    assertEquals(List.of("avx512_bf16"), EPYC.bfloat16Units());
    assertEquals(List.of(), EPYC.float16Units());
    assertEquals(List.of("avx512_bf16", "amx_bf16"), XEON.bfloat16Units());
    assertEquals(List.of("avx512_fp16"), XEON.float16Units());
    assertFalse(UNKNOWN.known());
  }

  @Test
  void readsArmFeatures(@TempDir Path directory) throws Exception {
    Path cpuinfo = directory.resolve("cpuinfo");
    Files.writeString(
        cpuinfo,
        "processor\t: 0\nBogoMIPS\t: 50.00\n"
            + "Features\t: fp asimd evtstrm aes fphp asimdhp bf16 sve\nCPU part\t: 0xd40\n");
    CpuFeatures graviton = CpuFeatures.read(cpuinfo);
    assertEquals(List.of("bf16"), graviton.bfloat16Units());
    assertEquals(List.of("asimdhp"), graviton.float16Units());
  }

  @Test
  void float16IsRefusedOnACpuWithoutFloat16Arithmetic() {
    IllegalArgumentException refused =
        assertThrows(
            IllegalArgumentException.class,
            () -> check("Mlp", options(Precision.MIXED_FLOAT16, null), EPYC));
    assertEquals(
        "Mlp: Precision.MIXED_FLOAT16 needs float16 arithmetic, and the loop runs on the CPU, AMD"
            + " EPYC [avx2, f16c, avx512f, avx512_vnni, avx512_bf16], which has none (no"
            + " avx512_fp16 or amx_fp16 in /proc/cpuinfo): place it on a GPU with"
            + " LoopOptions.builder().device(\"/GPU:0\"), or use Precision.MIXED_BFLOAT16, which"
            + " this CPU runs on avx512_bf16",
        refused.getMessage());
    refused =
        assertThrows(
            IllegalArgumentException.class,
            () -> check("Mlp", options(Precision.MIXED_FLOAT16, "/CPU:0"), AVX2));
    assertTrue(
        refused.getMessage().endsWith(", or train in Precision.FLOAT32"), refused.getMessage());
    refused =
        assertThrows(
            IllegalArgumentException.class,
            () -> check("Mlp", options(Precision.MIXED_FLOAT16, null), UNKNOWN));
    assertTrue(
        refused.getMessage().contains("whose float16 arithmetic is unknown (no /proc/cpuinfo)"),
        refused.getMessage());
  }

  @Test
  void float16RunsOnAGpuOrACpuWithFloat16Arithmetic() {
    List<LogRecord> logged =
        LogCapture.records(
            MixedPrecision.LOGGER,
            Level.INFO,
            () -> {
              check("Mlp", options(Precision.MIXED_FLOAT16, "/GPU:0"), EPYC);
              check("Cnn", options(Precision.MIXED_FLOAT16, null), XEON);
            });
    assertEquals(
        List.of(
            "Mlp: MIXED_FLOAT16 on device /GPU:0: matrix products and convolutions in float16"
                + " (GPU) with dynamic loss scaling from 32,768, weights, optimizer, losses and"
                + " statistics in float32",
            "Cnn: MIXED_FLOAT16 on the CPU, Intel(R) Xeon(R) Processor [avx2, avx512f,"
                + " avx512_bf16, avx512_fp16, amx_tile, amx_bf16, amx_int8]: matrix products and"
                + " convolutions in float16 (avx512_fp16) with dynamic loss scaling from 32,768,"
                + " weights, optimizer, losses and statistics in float32"),
        messages(logged));
  }

  @Test
  void float16IsRefusedOnACluster() {
    LoopOptions options =
        LoopOptions.builder()
            .precision(Precision.MIXED_FLOAT16)
            .device("/GPU:0")
            .cluster(Cluster.of(List.of("localhost:1"), List.of("localhost:2"), "worker", 0))
            .build();
    IllegalArgumentException refused =
        assertThrows(IllegalArgumentException.class, () -> check("Mlp", options, XEON));
    assertTrue(refused.getMessage().contains("not supported on a cluster"), refused.getMessage());
  }

  @Test
  void bfloat16WarnsOnACpuWithoutBfloat16UnitsAndSaysWhichItUsesOtherwise() {
    List<LogRecord> logged =
        LogCapture.records(
            MixedPrecision.LOGGER,
            Level.INFO,
            () -> {
              check("Mlp", options(Precision.MIXED_BFLOAT16, null), AVX2);
              MixedPrecision.forgetLogged();
              check("Mlp", options(Precision.MIXED_BFLOAT16, null), EPYC);
            });
    assertEquals(Level.WARNING, logged.get(0).getLevel());
    assertEquals(
        List.of(
            "Mlp: MIXED_BFLOAT16 on the CPU, Some Core i5 [avx2, f16c], which has no bfloat16"
                + " units (no avx512_bf16 or amx_bf16 in /proc/cpuinfo): bfloat16 matrix products"
                + " and convolutions will run slower than float32 here; use Precision.FLOAT32 on"
                + " this machine",
            "Mlp: MIXED_BFLOAT16 on the CPU, AMD EPYC [avx2, f16c, avx512f, avx512_vnni,"
                + " avx512_bf16]: matrix products and convolutions in bfloat16 (avx512_bf16),"
                + " weights, optimizer, losses and statistics in float32"),
        messages(logged));
  }

  @Test
  void logsOncePerPrecisionAndDevice() {
    List<LogRecord> logged =
        LogCapture.records(
            MixedPrecision.LOGGER,
            Level.INFO,
            () -> {
              for (int i = 0; i < 3; i++) {
                check("Mlp", options(Precision.MIXED_BFLOAT16, null), EPYC);
                check("Mlp", options(Precision.FLOAT32, null), EPYC);
              }
              check("Cnn", options(Precision.MIXED_BFLOAT16, "/GPU:0"), EPYC);
            });
    assertEquals(
        List.of(
            "Mlp: MIXED_BFLOAT16 on the CPU, AMD EPYC [avx2, f16c, avx512f, avx512_vnni,"
                + " avx512_bf16]: matrix products and convolutions in bfloat16 (avx512_bf16),"
                + " weights, optimizer, losses and statistics in float32",
            "Cnn: MIXED_BFLOAT16 on device /GPU:0: matrix products and convolutions in bfloat16"
                + " (GPU), weights, optimizer, losses and statistics in float32"),
        messages(logged),
        "FLOAT32 logs at DEBUG");
  }

  @Test
  void optionsDefaultToFloat32AndKerasLossScaleAndCheckTheScale() {
    LoopOptions defaults = LoopOptions.defaults();
    assertEquals(Precision.FLOAT32, defaults.precision());
    assertEquals(32768.0, defaults.initialLossScale());
    assertEquals(2000, defaults.lossScaleGrowthSteps());
    assertFalse(defaults.resumeInOtherPrecision());
    LoopOptions set =
        LoopOptions.builder()
            .precision(Precision.MIXED_FLOAT16)
            .lossScale(1024, 50)
            .resumeInOtherPrecision(true)
            .build()
            .toBuilder()
            .build();
    assertEquals(Precision.MIXED_FLOAT16, set.precision());
    assertEquals(1024.0, set.initialLossScale());
    assertEquals(50, set.lossScaleGrowthSteps());
    assertTrue(set.resumeInOtherPrecision());
    for (double scale : new double[] {0.5, Double.NaN, Double.POSITIVE_INFINITY, 1e39}) {
      IllegalArgumentException error =
          assertThrows(
              IllegalArgumentException.class, () -> LoopOptions.builder().lossScale(scale, 10));
      assertEquals(
          "the initial loss scale must be a finite float32 of at least 1, got " + scale,
          error.getMessage());
    }
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> LoopOptions.builder().lossScale(8, 0));
    assertEquals("the loss scale's growth steps must be at least 1, got 0", error.getMessage());
    assertThrows(NullPointerException.class, () -> LoopOptions.builder().precision(null));
  }

  /**
   * {@link MixedPrecision#check} with oneDNN on, as TensorFlow has it by default, and a GPU visible
   * to TensorFlow.
   */
  private static void check(String loop, LoopOptions options, CpuFeatures cpu) {
    MixedPrecision.check(loop, options, cpu, null, () -> true);
  }

  @Test
  void aGraphPlacedOnAGpuThatTensorFlowDoesNotSeeIsJudgedOnTheCpu() {
    List<LogRecord> logged =
        LogCapture.records(
            MixedPrecision.LOGGER,
            Level.INFO,
            () -> {
              MixedPrecision.check(
                  "Mlp", options(Precision.MIXED_FLOAT16, "/GPU:0"), EPYC, null, () -> false);
              MixedPrecision.check(
                  "Mlp", options(Precision.MIXED_BFLOAT16, "/GPU:0"), EPYC, null, () -> false);
            });
    assertEquals(Level.WARNING, logged.get(0).getLevel());
    assertEquals(
        List.of(
            "Mlp: MIXED_FLOAT16 on the CPU, AMD EPYC [avx2, f16c, avx512f, avx512_vnni,"
                + " avx512_bf16] (placed on /GPU:0, but TensorFlow sees no GPU), which has no"
                + " float16 arithmetic: TensorFlow runs the float16 graph in its generic kernels,"
                + " many times slower than float32; train in Precision.FLOAT32 here, or on a"
                + " machine with a GPU and TensorFlow's GPU library (mvn -Pgpu)",
            "Mlp: MIXED_BFLOAT16 on the CPU, AMD EPYC [avx2, f16c, avx512f, avx512_vnni,"
                + " avx512_bf16] (placed on /GPU:0, but TensorFlow sees no GPU): matrix products"
                + " and convolutions in bfloat16 (avx512_bf16), weights, optimizer, losses and"
                + " statistics in float32"),
        messages(logged));
  }

  @Test
  void thisMachinesTensorFlowSeesNoGpu() {
    // The CPU native library (the build's default) has no GPU device.
    assertFalse(MixedPrecision.gpuVisible());
  }

  @Test
  void bfloat16WarnsWhenOneDnnIsSwitchedOff() {
    List<LogRecord> logged =
        LogCapture.records(
            MixedPrecision.LOGGER,
            Level.WARNING,
            () ->
                MixedPrecision.check(
                    "Cnn", options(Precision.MIXED_BFLOAT16, null), EPYC, "0", () -> true));
    assertEquals(
        List.of(
            "Cnn: MIXED_BFLOAT16 on the CPU, AMD EPYC [avx2, f16c, avx512f, avx512_vnni,"
                + " avx512_bf16] with TF_ENABLE_ONEDNN_OPTS=0: without oneDNN, TensorFlow"
                + " multiplies and convolves bfloat16 in its generic kernels, many times slower"
                + " than float32 (the CNN of BENCHMARKS.md: 20 times slower); unset"
                + " TF_ENABLE_ONEDNN_OPTS"),
        messages(logged));
    MixedPrecision.forgetLogged();
    assertEquals(
        List.of(),
        LogCapture.records(
            MixedPrecision.LOGGER,
            Level.WARNING,
            () ->
                MixedPrecision.check(
                    "Cnn", options(Precision.MIXED_BFLOAT16, null), EPYC, "1", () -> true)));
  }

  private static List<String> messages(List<LogRecord> records) {
    return records.stream()
        .map(record -> MessageFormat.format(record.getMessage(), record.getParameters()))
        .toList();
  }
}
