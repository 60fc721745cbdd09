#!/usr/bin/env bash
# Builds the benchmarks and runs one of them. Never part of `mvn verify`.
#   benchmarks/run.sh jmh [JMH args]        JMH microbenchmarks (e.g. SignatureBench)
#   benchmarks/run.sh ingest [args]         single-node ingest load run
#   benchmarks/run.sh gossip [args]         tandem-p2p gossip vs js-libp2p (nodes burstCount payloadBytes)
#   benchmarks/run.sh ordering [args]       Ratis vs Tandem ordering at offered loads (see OrderingBench)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# BENCH_SKIP_BUILD=1 reuses the last build (e.g. while other modules are mid-edit).
[ "${BENCH_SKIP_BUILD:-0}" = 1 ] || (cd "$root" && mvn -q -B -DskipTests -pl benchmarks -am package)
cp="$root/benchmarks/target/classes:$(cat "$root/benchmarks/target/bench-classpath.txt")"
opens="--add-opens java.base/java.nio=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED"
logs="-Dlogback.configurationFile=$root/benchmarks/logback-bench.xml -Dtandem.root=$root"
what="${1:-jmh}"; shift || true
case "$what" in
  jmh) exec java $opens -cp "$cp" org.openjdk.jmh.Main "$@" ;;
  ingest) exec java $opens -cp "$cp" dev.tandem.bench.ingest.IngestLoad "$@" ;;
  gossip) exec java $opens $logs -cp "$cp" dev.tandem.bench.p2p.GossipBench "$@" ;;
  ordering) exec java $opens $logs -cp "$cp" dev.tandem.bench.ordering.OrderingBench "$@" ;;
  *) echo "unknown benchmark '$what' (jmh | ingest | gossip | ordering)" >&2; exit 2 ;;
esac
