package io.github.tfloop.internal.build;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the CPU offers for low-precision arithmetic, read from Linux's {@code /proc/cpuinfo} (the
 * {@code flags} of x86, the {@code Features} of ARM). Elsewhere nothing is known, and {@link
 * #known()} says so.
 *
 * @param model the CPU's model name, or a placeholder when unknown
 * @param flags every flag the kernel lists, lower case; empty when unknown
 * @param known whether the flags were read
 */
record CpuFeatures(String model, Set<String> flags, boolean known) {

  private static final Path CPUINFO = Path.of("/proc/cpuinfo");

  /** The features of this machine's CPU, read once. */
  static CpuFeatures local() {
    return Local.FEATURES;
  }

  private static final class Local {
    static final CpuFeatures FEATURES = read(CPUINFO);
  }

  /** The features listed in {@code cpuinfo}, a file as Linux's {@code /proc/cpuinfo}. */
  static CpuFeatures read(Path cpuinfo) {
    try {
      return parse(Files.readAllLines(cpuinfo, StandardCharsets.UTF_8));
    } catch (IOException | RuntimeException e) {
      return new CpuFeatures("an unknown CPU", Set.of(), false);
    }
  }

  /** The features of the first processor of a {@code /proc/cpuinfo} listing. */
  static CpuFeatures parse(List<String> lines) {
    String model = null;
    Set<String> flags = null;
    for (String line : lines) {
      int colon = line.indexOf(':');
      if (colon < 0) {
        continue;
      }
      String key = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = line.substring(colon + 1).trim();
      if (model == null && (key.equals("model name") || key.equals("hardware"))) {
        model = value;
      } else if (flags == null && (key.equals("flags") || key.equals("features"))) {
        flags = new TreeSet<>(List.of(value.toLowerCase(Locale.ROOT).split("\\s+")));
      }
    }
    return new CpuFeatures(
        model == null ? "an unknown CPU" : model,
        flags == null ? Set.of() : Set.copyOf(flags),
        flags != null);
  }

  /**
   * Bfloat16 units: AVX512_BF16 or AMX-BF16 on x86, the BF16 extension on ARM; their names as
   * {@code /proc/cpuinfo} spells them, empty when there are none (or nothing is known).
   */
  List<String> bfloat16Units() {
    return present("avx512_bf16", "amx_bf16", "bf16");
  }

  /** Float16 arithmetic: AVX512_FP16 or AMX-FP16 on x86, half-precision SIMD on ARM. */
  List<String> float16Units() {
    return present("avx512_fp16", "amx_fp16", "asimdhp");
  }

  /** The flags that matter to the precision's speed, for the log. */
  List<String> relevant() {
    return present(
        "avx2",
        "f16c",
        "avx512f",
        "avx512_vnni",
        "avx512_bf16",
        "avx512_fp16",
        "amx_tile",
        "amx_bf16",
        "amx_fp16",
        "amx_int8",
        "asimdhp",
        "bf16",
        "sve");
  }

  private List<String> present(String... names) {
    List<String> found = new ArrayList<>();
    for (String name : names) {
      if (flags.contains(name)) {
        found.add(name);
      }
    }
    return found;
  }

  @Override
  public String toString() {
    return model + (known ? " " + relevant() : " (features unknown)");
  }
}
