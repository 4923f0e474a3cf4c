#!/usr/bin/env bash
# Installs CometBFT v0.38.25 with the machine's Go when it is not already there (COMETBFT_BIN overrides).
# Needed only for multi-validator networks and their tests; `shroud dev` needs none.
set -euo pipefail
VERSION=v0.38.25
if [ -n "${COMETBFT_BIN:-}" ] && [ -x "$COMETBFT_BIN" ]; then echo "cometbft: $COMETBFT_BIN"; exit 0; fi
GOBIN_DIR="$(go env GOPATH 2>/dev/null || echo "$HOME/go")/bin"
if [ -x "$GOBIN_DIR/cometbft" ] && "$GOBIN_DIR/cometbft" version 2>/dev/null | grep -q "${VERSION#v}"; then
  echo "cometbft: $GOBIN_DIR/cometbft ($("$GOBIN_DIR/cometbft" version))"; exit 0
fi
if ! command -v go >/dev/null; then echo "cometbft: Go is required (go install)" >&2; exit 1; fi
echo "cometbft: installing $VERSION with $(go version)"
go install "github.com/cometbft/cometbft/cmd/cometbft@$VERSION"
"$GOBIN_DIR/cometbft" version
