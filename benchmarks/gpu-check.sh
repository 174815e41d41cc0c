#!/usr/bin/env bash
# On a machine with an NVIDIA GPU (driver and CUDA as TensorFlow 2.18 needs them) and Maven access:
#   1. builds with TensorFlow's GPU native library (-Pgpu: classifier linux-x86_64-gpu, ~530 MB);
#   2. trains the MLP and the CNN with the graph on /GPU:0, TensorFlow logging each op's device,
#      and fails unless the MatMul, Conv2D and Adam ops landed on the GPU;
#   3. prints steps/s on the GPU against the CPU (the same loops on /CPU:0), MLP at batch 32 and
#      512, CNN at batch 64, fit at 1 and 16 batches per call.
# Output: benchmarks/target/gpu-check.md (the table) and gpu-check.log (everything TensorFlow said).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! nvidia-smi -L; then
  echo "gpu-check: no NVIDIA GPU visible (nvidia-smi failed); nothing to check" >&2
  exit 1
fi

mvn -B -q -Pgpu -DskipTests package dependency:build-classpath \
  -Dmdep.outputFile=target/classpath.txt -pl processor,benchmarks -am
classpath="benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)"
log=benchmarks/target/gpu-check.log
table=benchmarks/target/gpu-check.md

TF_CPP_MIN_LOG_LEVEL=0 java --enable-native-access=ALL-UNNAMED -cp "$classpath" \
  io.github.tfloop.benchmarks.GpuCheck --log-placement "${GPU_CHECK_SECONDS:-10}" > "$log" 2>&1
grep '^|' "$log" > "$table"

status=0
for op in MatMul Conv2D ResourceApplyAdam; do
  # The placer's own lines, "placer.cc:...] name: (Type): /job:.../device:GPU:0", not the
  # "user-requested devices" lines that soft placement also prints.
  on_gpu=$(grep -cE "placer\.cc.*\] [^ ]+: \($op\): /job:[^ ]*device:GPU:0" "$log" || true)
  echo "$op ops placed on GPU:0: $on_gpu"
  if [[ "$on_gpu" -eq 0 ]]; then
    status=1
  fi
done
if [[ $status -ne 0 ]]; then
  echo "gpu-check: some ops never reached the GPU; see $log" >&2
fi
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
cat "$table"
exit $status
