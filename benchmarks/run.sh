#!/usr/bin/env bash
# Builds the benchmarks and runs one of them. Never part of `mvn verify`.
#   benchmarks/run.sh jmh [JMH args]        JMH microbenchmarks (e.g. SignatureBench)
#   benchmarks/run.sh ingest [args]         single-node ingest load run
#   benchmarks/run.sh gossip [args]         tandem-p2p gossip vs js-libp2p (nodes burstCount payloadBytes)
#   benchmarks/run.sh ordering [args]       Ratis vs Tandem ordering at offered loads (see OrderingBench)
#   benchmarks/run.sh bundles [args]        2-leg bundles vs plain transactions on 4 validators (seconds rates payloadBytes validators)
#   benchmarks/run.sh adapters [args]       generic adapter to local DA and anvil blobs vs raw posts (layers payloadSizes localMiB anvilMiB)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# BENCH_SKIP_BUILD=1 reuses the last build (e.g. while other modules are mid-edit); BENCH_JAVA_OPTS adds
# JVM options (e.g. -Dtandem.bench.warmupSeconds=30 for the ordering benchmark).
[ "${BENCH_SKIP_BUILD:-0}" = 1 ] || (cd "$root" && mvn -q -B -DskipTests -pl benchmarks -am package)
cp="$root/benchmarks/target/classes:$(cat "$root/benchmarks/target/bench-classpath.txt")"
opens="--add-opens java.base/java.nio=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED"
logs="-Dlogback.configurationFile=$root/benchmarks/logback-bench.xml -Dtandem.root=$root ${BENCH_JAVA_OPTS:-}"
what="${1:-jmh}"; shift || true
case "$what" in
  jmh) exec java $opens -cp "$cp" org.openjdk.jmh.Main "$@" ;;
  ingest) exec java $opens -cp "$cp" dev.tandem.bench.ingest.IngestLoad "$@" ;;
  gossip) exec java $opens $logs -cp "$cp" dev.tandem.bench.p2p.GossipBench "$@" ;;
  ordering) exec java $opens $logs -cp "$cp" dev.tandem.bench.ordering.OrderingBench "$@" ;;
  bundles) exec java $opens $logs -cp "$cp" dev.tandem.bench.bundles.BundleBench "$@" ;;
  adapters) exec java $opens $logs -cp "$cp" dev.tandem.bench.adapters.AdapterBench "$@" ;;
  *) echo "unknown benchmark '$what' (jmh | ingest | gossip | ordering | bundles | adapters)" >&2; exit 2 ;;
esac
