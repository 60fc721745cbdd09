#!/usr/bin/env bash
# Builds the benchmarks and runs one of them. Never part of `mvn verify`.
#   benchmarks/run.sh jmh [JMH args]        JMH microbenchmarks (e.g. SignatureBench)
#   benchmarks/run.sh ingest [args]         single-node ingest load run
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
(cd "$root" && mvn -q -B -DskipTests -pl benchmarks -am package)
cp="$root/benchmarks/target/classes:$(cat "$root/benchmarks/target/bench-classpath.txt")"
opens="--add-opens java.base/java.nio=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED"
what="${1:-jmh}"; shift || true
case "$what" in
  jmh) exec java $opens -cp "$cp" org.openjdk.jmh.Main "$@" ;;
  ingest) exec java $opens -cp "$cp" dev.tandem.bench.ingest.IngestLoad "$@" ;;
  *) echo "unknown benchmark '$what' (jmh | ingest)" >&2; exit 2 ;;
esac
