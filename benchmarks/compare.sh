#!/usr/bin/env bash
# Compares Tandem's ordering benchmark at two commits on this machine, alternating runs so that both
# see the same machine state:
#   benchmarks/compare.sh BASELINE_REV [rounds] [rates] [seconds]     (defaults: 3 200,1000,max 10)
# The baseline is checked out in a git worktree under benchmarks/target/compare-baseline and built
# there; the working tree is the other side. Prints one result row per run, labelled base or new.
# BENCH_JAVA_OPTS goes to both sides. Baselines before 2026-12-02 warm up 5 s per phase whatever it
# says, the working tree 30 s unless -Dtandem.bench.warmupSeconds=5 is given.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rev="${1:?usage: benchmarks/compare.sh BASELINE_REV [rounds] [rates] [seconds]}"
rounds="${2:-3}"; rates="${3:-200,1000,max}"; seconds="${4:-10}"
base="$root/benchmarks/target/compare-baseline"
if [ -d "$base" ]; then
  git -C "$base" checkout -q --detach "$rev"
else
  git -C "$root" worktree add -q --detach "$base" "$rev"
fi
(cd "$base" && mvn -q -B -DskipTests -pl benchmarks -am package)
(cd "$root" && mvn -q -B -DskipTests -pl benchmarks -am package)
run() {
  local dir="$1" label="$2" cp
  cp="$dir/benchmarks/target/classes:$(cat "$dir/benchmarks/target/bench-classpath.txt")"
  java --add-opens java.base/java.nio=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED \
    -Dlogback.configurationFile="$dir/benchmarks/logback-bench.xml" -Dtandem.root="$dir" ${BENCH_JAVA_OPTS:-} -cp "$cp" \
    dev.tandem.bench.ordering.OrderingBench tandem "$seconds" "$rates" 256 4 \
    | grep -E "^tandem  |views/s" | awk '!seen[$0]++' | sed "s/^/$label /" || echo "$label run failed (exit ${PIPESTATUS[0]})"
}
for _ in $(seq 1 "$rounds"); do
  run "$base" base
  run "$root" new
done
