#!/usr/bin/env bash
# On a machine with an NVIDIA GPU (driver and CUDA as TensorFlow 2.18 needs them) and Maven access:
#   1. builds with TensorFlow's GPU native library (-Pgpu: classifier linux-x86_64-gpu, ~530 MB);
#   2. trains the MLP and the CNN with the graph on /GPU:0 in each precision (float32, mixed
#      float16 with loss scaling, mixed bfloat16), TensorFlow logging each op's device, and fails
#      unless, in every precision, the MatMul, Conv2D, Cast and Adam ops landed on the GPU;
#   3. prints steps/s on the GPU in each precision against the CPU in float32 (the same loops on
#      /CPU:0), MLP at batch 32 and 512, CNN at batch 64, fit at 1 and 16 batches per call.
# Output: benchmarks/target/gpu-check.md (the table) and gpu-check-<precision>.log (everything
# TensorFlow said).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! nvidia-smi -L; then
  echo "gpu-check: no NVIDIA GPU visible (nvidia-smi failed); nothing to check" >&2
  exit 1
fi

mvn -B -q -Pgpu -DskipTests package dependency:build-classpath \
  -Dmdep.outputFile=target/classpath.txt -pl processor,benchmarks -am
classpath="benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)"
table=benchmarks/target/gpu-check.md
rm -f "$table"

status=0
header=""
for precision in f32 f16 bf16; do
  log=benchmarks/target/gpu-check-$precision.log
  TF_CPP_MIN_LOG_LEVEL=0 java --enable-native-access=ALL-UNNAMED -cp "$classpath" \
    io.github.tfloop.benchmarks.GpuCheck --log-placement --precision "$precision" $header \
    "${GPU_CHECK_SECONDS:-10}" > "$log" 2>&1
  grep '^|' "$log" >> "$table"
  header="--no-header"
  ops=(MatMul Conv2D ResourceApplyAdam)
  if [[ "$precision" != f32 ]]; then
    ops+=(Cast) # the casts to and from the low precision
  fi
  for op in "${ops[@]}"; do
    # The placer's own lines, "placer.cc:...] name: (Type): /job:.../device:GPU:0", not the
    # "user-requested devices" lines that soft placement also prints.
    on_gpu=$(grep -cE "placer\.cc.*\] [^ ]+: \($op\): /job:[^ ]*device:GPU:0" "$log" || true)
    echo "$precision: $op ops placed on GPU:0: $on_gpu"
    if [[ "$on_gpu" -eq 0 ]]; then
      status=1
    fi
  done
done
if [[ $status -ne 0 ]]; then
  echo "gpu-check: some ops never reached the GPU; see benchmarks/target/gpu-check-*.log" >&2
fi
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
cat "$table"
exit $status
