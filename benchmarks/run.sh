#!/usr/bin/env bash
# Reproduces every figure in BENCHMARKS.md, in one go:
#   benchmarks/run.sh            full run (about 35 minutes on 2 cores)
#   benchmarks/run.sh --quick    short iterations and a short memory check, to try the set-up
#   benchmarks/run.sh --precision bf16   also measure mixed bfloat16 precision: the JMH report,
#                                the interleaved comparison and the step profile compare float32
#                                against bfloat16 (tfloop's Precision.MIXED_BFLOAT16, and the
#                                hand-written loop with Grappler's bfloat16 rewriter)
# Builds the benchmarks (with PyTorch's native library for DJL, used offline), then runs, pinned
# with taskset to the CPUs in BENCH_CPUS (default: all of them):
#   1. the JMH report (io.github.tfloop.benchmarks.Report): steps/s, ratios taken within the run,
#      heap bytes per step (JMH's GC profiler), time to first step, thread and XLA settings;
#   2. the interleaved comparison (io.github.tfloop.benchmarks.Interleaved): the same contenders
#      taking turns in one JVM, so that load coming and going on a shared machine hits all alike;
#   3. the step profile: where the baseline's step time goes, by TensorFlow's own trace;
#   4. the native-memory check: resident memory after 200,000 steps against after 20,000.
# Results go to benchmarks/target/benchmarks.md, with the machine and its load before and after.
set -euo pipefail
cd "$(dirname "$0")/.."

quick=""
memory_steps=(20000 200000)
profile_steps=1000
interleaved=(10 1)
precision=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick)
      quick="--quick"
      memory_steps=(2000 20000)
      profile_steps=200
      interleaved=(2 0.5)
      ;;
    --precision)
      precision=(--precision "$2")
      shift
      ;;
    *)
      echo "usage: benchmarks/run.sh [--quick] [--precision bf16]" >&2
      exit 2
      ;;
  esac
  shift
done
cpus="${BENCH_CPUS:-0-$(($(nproc) - 1))}"
out=benchmarks/target/benchmarks.md

mvn -B -q -Prun-benchmarks -DskipTests package dependency:build-classpath \
  -Dmdep.outputFile=target/classpath.txt -pl processor,benchmarks -am
classpath="benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)"
export TF_CPP_MIN_LOG_LEVEL=1
# Lets the xla=true runs compile on the CPU; sessions without XLA are unaffected.
export TF_XLA_FLAGS=--tf_xla_cpu_global_jit
# OpenMP threads (PyTorch's, for DJL) sleep instead of spinning while they wait: spinning on a
# loaded machine slowed DJL 25-fold. TensorFlow's CPU kernels do not use OpenMP.
export OMP_WAIT_POLICY=PASSIVE
java_flags=(--enable-native-access=ALL-UNNAMED -Dai.djl.offline=true -cp "$classpath")

machine() {
  echo "- CPU: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; pinned: taskset -c $cpus"
  echo "- memory: $(free -g | awk '/^Mem:/ {print $2}') GiB; $(uname -sr)"
  echo "- Java: $(java -version 2>&1 | head -1)"
}

{
  echo "## Run of $(date -u '+%Y-%m-%d %H:%M UTC')${quick:+ (quick)}"
  echo
  machine
  echo "- load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
} > "$out.head"

taskset -c "$cpus" java "${java_flags[@]}" io.github.tfloop.benchmarks.Report $quick \
  "${precision[@]}" "$out.body"

{
  echo "### Interleaved: the contenders take turns in one JVM (median of ${interleaved[0]} rounds)"
  echo
  taskset -c "$cpus" java "${java_flags[@]}" io.github.tfloop.benchmarks.Interleaved \
    "${interleaved[@]}" "${precision[@]}" | grep -E '^(\||$)'
  echo
} > "$out.interleaved"

{
  echo "### Where the step goes (TensorFlow's trace)"
  echo
  taskset -c "$cpus" java "${java_flags[@]}" io.github.tfloop.benchmarks.StepProfile "$profile_steps" \
    "${precision[@]}" | grep '^|'
  echo
} > "$out.profile"

echo "### Native memory: MlpLoop.step() at batch 32" > "$out.memory"
echo '```' >> "$out.memory"
taskset -c "$cpus" java -Xms512m -Xmx512m -XX:+AlwaysPreTouch "${java_flags[@]}" \
  io.github.tfloop.benchmarks.NativeMemoryCheck "${memory_steps[@]}" | tee -a "$out.memory"
echo '```' >> "$out.memory"

{
  cat "$out.head" "$out.body" "$out.interleaved" "$out.profile" "$out.memory"
  echo
  echo "- load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
} > "$out"
rm -f "$out.head" "$out.body" "$out.interleaved" "$out.profile" "$out.memory"
echo "Results: $out"
