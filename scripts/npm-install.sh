#!/usr/bin/env bash
# Installs the npm packages that the tests start (anvil, solc-js, js-libp2p) from the committed lockfile.
# Skips the install when node_modules already matches package-lock.json, so that concurrent builds
# never delete binaries that a running test is using.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
want="$(sha256sum package-lock.json | cut -d' ' -f1)"
stamp="node_modules/.tandem-lock-sha256"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil ]; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "npm is required to install the test tools (anvil, js-libp2p); install Node.js 20 or newer" >&2
  exit 1
fi
npm ci --no-audit --no-fund --loglevel=error
echo "$want" > "$stamp"
