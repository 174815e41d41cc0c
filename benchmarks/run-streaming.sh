#!/usr/bin/env bash
# The streaming figures (issue 15), in one go:
#   benchmarks/run-streaming.sh           generates the data if need be, then measures
#   benchmarks/run-streaming.sh --quick   one round, one epoch each, one seed: to try the set-up
# 1. generates, in benchmarks/target/stream-data (not committed: 4.3 GB), 680,000 MLP examples
#    (Fashion-MNIST's training images repeated with deterministic noise) as IDX files (2.13 GB)
#    and as 32 TFRecord files (2.2 GB), and the first 80,000 as IDX files of their own;
# 2. compare: in one JVM with -Xmx512m, taking turns epoch by epoch, the benchmarks' MLP trained
#    from the 80,000 examples in memory, streamed from their IDX files, and streamed from the whole
#    2 GB (IDX and TFRecord); median steps/s over the rounds, at batch 128 and 32;
# 3. rss: the whole 2 GB streamed for 3 epochs with -Xmx512m, resident memory every 5 s;
# 4. Fashion-MNIST written as TFRecord files and streamed, against IDX in memory: test accuracy
#    of the sample's FashionMlp, 10 epochs, in file order and shuffled, for three seeds.
# Results go to benchmarks/target/streaming.md, with the machine and its load.
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=5
epochs=3
fashion_epochs=10
seeds=(42 1 2)
if [[ "${1:-}" == "--quick" ]]; then
  rounds=1
  epochs=1
  fashion_epochs=1
  seeds=(42)
fi
cpus="${BENCH_CPUS:-0-$(($(nproc) - 1))}"
data=benchmarks/target/stream-data
out=benchmarks/target/streaming.md

mvn -B -q -DskipTests package dependency:build-classpath \
  -Dmdep.outputFile=target/classpath.txt -pl processor,benchmarks -am
classpath="benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)"
export TF_CPP_MIN_LOG_LEVEL=2
run() {
  taskset -c "$cpus" java --enable-native-access=ALL-UNNAMED "$@" 2>&1 \
    | grep -v -e '^WARNING' -e '^I0000' -e '^SLF4J'
}
main=io.github.tfloop.benchmarks.StreamingThroughput

if [[ ! -f "$data/images.idx" ]]; then
  run -Xmx512m -cp "$classpath" $main generate "$data"
fi
if [[ ! -f "$data/train-00031-of-00032.tfrecord" ]]; then
  run -Xmx512m -cp "$classpath" $main tfrecord "$data"
fi

{
  echo "## Streaming: run of $(date -u '+%Y-%m-%d %H:%M UTC')${1:+ ($1)}"
  echo
  echo "- CPU: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; pinned: taskset -c $cpus"
  echo "- memory: $(free -g | awk '/^Mem:/ {print $2}') GiB; $(uname -sr); $(java -version 2>&1 | head -1)"
  echo "- load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  for batch in 128 32; do
    echo "### Steps/s, batch $batch, -Xmx512m, epochs taking turns in one JVM"
    echo
    run -Xmx512m -cp "$classpath" $main compare "$data" $rounds $batch
    echo
  done
  for format in idx tfrecord; do
    echo "### Resident memory, $format, -Xmx512m, $epochs epochs of 2 GB"
    echo
    echo '```'
    run -Xmx512m -cp "$classpath" $main rss "$data" $format $epochs 128
    echo '```'
    echo
  done
  echo "### Fashion-MNIST: IDX in memory against TFRecord streamed ($fashion_epochs epochs)"
  echo
  run -cp "$classpath" io.github.tfloop.benchmarks.FashionRecords "$data/fashion" \
    $fashion_epochs "${seeds[@]}"
  echo
  echo "- load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$out"
