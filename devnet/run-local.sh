#!/usr/bin/env bash
# The devnet of docker-compose.yml as local processes, for machines without a Docker engine:
# the local DA service, four sequencer validators and the rollup adapters, each config derived from
# devnet/config/ by swapping the compose network for loopback ports.
#   devnet/run-local.sh                   start everything; Ctrl-C stops it
#   devnet/run-local.sh --configs-only D  only write the derived configs under D (used by tests)
# State and logs: $TANDEM_DEVNET_DIR (default .tandem/devnet).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
nodes=4

derive_configs() {
  local dir="$1"
  mkdir -p "$dir"
  for i in $(seq 0 $((nodes - 1))); do
    mkdir -p "$dir/sequencer-$i"
    [ -f "$dir/sequencer-$i/node-key.hex" ] || install -m 600 "$here/keys/sequencer-$i.hex" "$dir/sequencer-$i/node-key.hex"
    # compose: every node on port 9000 (p2p) and 8545 (RPC) of its own host; here: distinct loopback ports.
    sed -e "s#^dataDir: .*#dataDir: $dir/sequencer-$i#" \
        -e "s#^rpcHost: .*#rpcHost: 127.0.0.1#" \
        -e "s#^rpcPort: .*#rpcPort: $((8545 + i))#" \
        -e "s#^p2pListen: .*#p2pListen: /ip4/127.0.0.1/tcp/$((9100 + i))#" \
        -e 's#/dns4/sequencer-\([0-9]*\)/tcp/9000/#/ip4/127.0.0.1/tcp/910\1/#' \
        "$here/config/sequencer-$i.yaml" > "$dir/sequencer-$i.yaml"
  done
  sed -e "s#^checkpointDir: .*#checkpointDir: $dir/adapters#" \
      -e 's#http://da:7070#http://127.0.0.1:7070#' \
      "$here/config/adapters.yaml" > "$dir/adapters.yaml"
}

if [ "${1:-}" = "--configs-only" ]; then
  derive_configs "${2:?directory}"
  exit 0
fi

state="${TANDEM_DEVNET_DIR:-$root/.tandem/devnet}"
derive_configs "$state"
"$root/tandem" --version >/dev/null   # builds once, before the processes start

pids=()
stop() {
  trap - INT TERM EXIT
  echo "stopping the devnet..."
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT

"$root/tandem" da serve --data-dir "$state/da" --port 7070 > "$state/da.log" 2>&1 &
pids+=($!)
for i in $(seq 0 $((nodes - 1))); do
  "$root/tandem" node run --config "$state/sequencer-$i.yaml" > "$state/sequencer-$i.log" 2>&1 &
  pids+=($!)
done
"$root/tandem" adapter run --config "$state/adapters.yaml" --rpc http://127.0.0.1:8545 \
  --validators "$here/config/validators.json" > "$state/adapters.log" 2>&1 &
pids+=($!)
echo "Tandem devnet (local processes): DA http://127.0.0.1:7070, adapters log $state/adapters.log"
for i in $(seq 0 $((nodes - 1))); do echo "  sequencer-$i JSON-RPC http://127.0.0.1:$((8545 + i))/  log $state/sequencer-$i.log"; done
echo "Ctrl-C stops it."
wait
