#!/usr/bin/env bash
# Rebuilds every example Secret Contract under contracts/ into contracts/build/ (.wasm + .wasm.gz), reproducibly:
# pinned toolchain (Debian rustc 1.63), locked crate versions, remapped paths, deterministic gzip.
# Usage: scripts/build-contracts.sh [--check]
#   --check  build into a temporary directory and fail unless it matches the committed build/SHA256SUMS.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CONTRACTS="$ROOT/contracts"
CHECK=0
if [ "${1:-}" = "--check" ]; then
  CHECK=1
  SHROUD_CONTRACTS_OUT="$(mktemp -d)"
  trap 'rm -rf "$SHROUD_CONTRACTS_OUT"' EXIT
fi
OUT="${SHROUD_CONTRACTS_OUT:-$CONTRACTS/build}"
TARGET_DIR="${SHROUD_CONTRACTS_TARGET:-$CONTRACTS/target}"

# Debian's rustc ships the wasm32 std; rustup's toolchain in PATH does not. Call both tools by full path.
RUSTC_BIN="${SHROUD_RUSTC:-/usr/bin/rustc}"
CARGO_BIN="${SHROUD_CARGO:-/usr/bin/cargo}"
# Rust crates compiled as wasm32 cdylib (the order is the order of the table in contracts/README.md).
ALL_RUST_CONTRACTS=(counter snip20 callbacks v010_token)
RUST_CONTRACTS=()
for c in "${ALL_RUST_CONTRACTS[@]}"; do [ -f "$ROOT/contracts/$c/Cargo.toml" ] && RUST_CONTRACTS+=("$c"); done

need() { command -v "$1" >/dev/null 2>&1 || { echo "build-contracts: missing tool '$1'" >&2; exit 1; }; }
need "$RUSTC_BIN"; need "$CARGO_BIN"; need wasm-objdump; need gzip; need sha256sum; need node

# cargo 1.65 reaches crates.io here only through the sparse index, still unstable in 1.65: `-Z sparse-registry`.
# Debian's cargo accepts -Z flags as is; an upstream stable cargo 1.65 would also need
# __CARGO_TEST_CHANNEL_OVERRIDE_DO_NOT_USE_THIS=nightly (cargo only, unlike RUSTC_BOOTSTRAP, which rustc sees).
export RUSTC="$RUSTC_BIN" CARGO_TARGET_DIR="$TARGET_DIR" SOURCE_DATE_EPOCH=0
unset RUSTC_BOOTSTRAP
# Remap absolute paths (they end up in panic location strings) so the output does not depend on $HOME or checkout.
CARGO_REG="${CARGO_HOME:-$HOME/.cargo}/registry/src"
export RUSTFLAGS="--remap-path-prefix=$CARGO_REG=/cargo/registry/src --remap-path-prefix=$CONTRACTS=/contracts -C link-arg=-s"

mkdir -p "$OUT"
cd "$CONTRACTS"
# One cargo invocation per contract: cargo unifies features across packages built together, and only
# `callbacks` may enable secret-cosmwasm-std's "random" feature (it adds the `requires_random` export).
for name in "${RUST_CONTRACTS[@]}"; do
  "$CARGO_BIN" -Z sparse-registry build --release --locked --target wasm32-unknown-unknown -p "$name"
done

# Floats are rejected by Secret at upload (non-deterministic NaN bits): fail the build if any survive.
check_no_floats() {
  local wasm="$1" hits
  hits="$(wasm-objdump -d "$wasm" | grep -cE '\b(f32|f64)\.|_f(32|64)(_[su])?\b' || true)"
  if [ "$hits" != "0" ]; then echo "build-contracts: $wasm contains $hits float instructions" >&2; exit 1; fi
  if wasm-objdump -x -j Type "$wasm" | grep -qE '\b(f32|f64)\b'; then
    echo "build-contracts: $wasm has float types in signatures" >&2; exit 1
  fi
}

for name in "${RUST_CONTRACTS[@]}"; do
  src="$TARGET_DIR/wasm32-unknown-unknown/release/$name.wasm"
  dst="$OUT/$name.wasm"
  if command -v wasm-opt >/dev/null 2>&1 && [ "${SHROUD_NO_WASM_OPT:-0}" != "1" ]; then
    # -Oz shrinks ~40%; --signext-lowering is not needed (rustc 1.63 emits MVP wasm only).
    wasm-opt -Oz --strip-debug --strip-producers "$src" -o "$dst"
  else
    cp "$src" "$dst"
  fi
  check_no_floats "$dst"
done

# Hostile modules (WAT → wasm with the wabt npm package).
if [ -f "$CONTRACTS/hostile/build.mjs" ]; then node "$CONTRACTS/hostile/build.mjs" "$OUT"; fi

for wasm in "$OUT"/*.wasm; do
  gzip -9 -n -c "$wasm" >"$wasm.gz"
done
(cd "$OUT" && sha256sum -- *.wasm *.wasm.gz | LC_ALL=C sort -k2 >SHA256SUMS)
(cd "$OUT" && for f in *.wasm; do printf '%-40s %8d bytes  %s\n' "$f" "$(stat -c %s "$f")" "$(sha256sum "$f" | cut -c1-64)"; done)

if [ "$CHECK" = "1" ]; then
  if diff -u "$CONTRACTS/build/SHA256SUMS" "$OUT/SHA256SUMS"; then
    echo "build-contracts: reproducible (matches contracts/build/SHA256SUMS)"
  else
    echo "build-contracts: output differs from contracts/build/SHA256SUMS" >&2
    exit 1
  fi
fi
