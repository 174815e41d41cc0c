#!/usr/bin/env bash
# Where tfloop's training step spends its time inside oneDNN, by oneDNN's own verbose log:
#   benchmarks/onednn-verbose.sh CNN 64 bf16 [steps]     (network MLP|CNN, batch, f32|bf16)
# Runs the step `steps` times (default 30) with ONEDNN_VERBOSE=1, pinned with taskset like
# run.sh, and prints each kernel's milliseconds per step (oneDNN's exec times summed over the run,
# divided by the steps; the first step's are included), the largest first. Build first with
# benchmarks/run.sh or: mvn -B -q -DskipTests package dependency:build-classpath \
#   -Dmdep.outputFile=target/classpath.txt -pl processor,benchmarks -am
set -euo pipefail
cd "$(dirname "$0")/.."
network=${1:?network: MLP or CNN}
batch=${2:?batch size}
precision=${3:?precision: f32 or bf16}
steps=${4:-30}
cpus="${BENCH_CPUS:-0-$(($(nproc) - 1))}"
classpath="benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)"
ONEDNN_VERBOSE=1 TF_CPP_MIN_LOG_LEVEL=2 taskset -c "$cpus" java --enable-native-access=ALL-UNNAMED \
  -cp "$classpath" io.github.tfloop.benchmarks.OnednnSteps "$network" "$batch" "$precision" \
  "$steps" 2>&1 |
  awk -F, -v steps="$steps" '
    /^onednn_verbose,primitive,exec,/ {
      # primitive kind, implementation, propagation, source type, problem; the exec time (ms) is
      # the last field
      split($8, memory, ":")
      kernel = $5 " " $6 " " $7 " " memory[1] " " $(NF - 1)
      ms[kernel] += $NF
      total += $NF
    }
    END {
      for (kernel in ms) printf "%9.3f ms  %s\n", ms[kernel] / steps, kernel
      printf "%9.3f ms  all oneDNN kernels, per step\n", total / steps
    }' | sort -rn
