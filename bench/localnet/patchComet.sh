#!/usr/bin/env bash
# Builds CometBFT v0.38.25 with its ABCI socket client's flush timer at 1 ms instead of 20 ns (the spin measured
# by bench/localnet/cometFloor.ts, docs/BENCHMARKS.md "CometBFT's own floor (session 8, H4)"), for A/Bs:
# COMETBFT_BIN=<out> node --import tsx bench/localnet/cometFloor.ts --app socket, or bench:localnet --alt-cometbft.
# Usage: bench/localnet/patchComet.sh [out (default /tmp/cometbft-flush1ms)] [duration (default time.Millisecond)]
set -euo pipefail
OUT="${1:-/tmp/cometbft-flush1ms}"
DUR="${2:-time.Millisecond}"
VERSION=v0.38.25
SRC="$(go env GOMODCACHE)/github.com/cometbft/cometbft@$VERSION"
[ -d "$SRC" ] || go mod download "github.com/cometbft/cometbft@$VERSION"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cp -r "$SRC" "$WORK/cometbft" && chmod -R u+w "$WORK/cometbft"
FILE="$WORK/cometbft/abci/client/socket_client.go"
# v0.38 passes the untyped constant flushThrottleMS = 20 as a time.Duration: 20 ns, not the 20 ms its name says.
sed -i "s|timer.NewThrottleTimer(\"socketClient\", flushThrottleMS)|timer.NewThrottleTimer(\"socketClient\", $DUR)|" "$FILE"
grep -q "NewThrottleTimer(\"socketClient\", $DUR)" "$FILE" || { echo "patch did not apply" >&2; exit 1; }
(cd "$WORK/cometbft" && go build -o "$OUT" ./cmd/cometbft)
echo "built $OUT ($("$OUT" version), socket client flush timer $DUR)"
