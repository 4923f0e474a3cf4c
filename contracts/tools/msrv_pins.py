#!/usr/bin/env python3
# Suggests `cargo update -p <crate>@<locked> --precise <version>` downgrades so every crate in Cargo.lock builds
# with rustc 1.63 (cargo 1.65 has no MSRV-aware resolver). Reads only cargo's local sparse-index cache.
# Rule per crate: newest semver-compatible, non-yanked release whose `rust_version` is <= 1.63, or, when it
# declares none, that was published before CUTOFF. Usage: contracts/tools/msrv_pins.py contracts/Cargo.lock
import glob
import json
import os
import re
import sys

MSRV = (1, 63, 0)
CUTOFF = "2023-03-01"  # releases without `rust_version` after this often need a newer rustc


def index_dir():
    home = os.environ.get("CARGO_HOME", os.path.expanduser("~/.cargo"))
    # cargo 1.65's directory name for https://index.crates.io/ (newer cargos hash it differently).
    dirs = glob.glob(f"{home}/registry/index/index.crates.io-e139d0d48fed7772/.cache")
    if not dirs:
        sys.exit("no sparse-index cache: run scripts/build-contracts.sh (or cargo -Z sparse-registry fetch) first")
    return dirs[0]


def entry_path(root, name):
    n = name.lower()
    if len(n) <= 2:
        return f"{root}/{len(n)}/{n}"
    if len(n) == 3:
        return f"{root}/3/{n[0]}/{n}"
    return f"{root}/{n[:2]}/{n[2:4]}/{n}"


def releases(root, name):
    with open(entry_path(root, name), "rb") as f:
        raw = f.read()
    return [json.loads(part) for part in raw.split(b"\x00") if part.startswith(b"{")]


def parse(version):
    core, _, pre = version.split("+")[0].partition("-")
    return tuple(int(x) for x in core.split(".")), bool(pre)


def compatible(a, b):
    if a[0] != 0:
        return a[0] == b[0]
    if a[1] != 0:
        return a[1] == b[1]
    return a[2] == b[2]


def main():
    root = index_dir()
    lock = open(sys.argv[1]).read()
    for name, locked in re.findall(r'name = "([^"]+)"\nversion = "([^"]+)"\nsource', lock):
        current, _ = parse(locked)
        best = None
        for rel in releases(root, name):
            version, pre = parse(rel["vers"])
            if pre or rel["yanked"] or not compatible(current, version):
                continue
            rv = rel.get("rust_version")
            if rv:
                if tuple(int(x) for x in (rv.split(".") + ["0", "0"])[:3]) > MSRV:
                    continue
            elif rel.get("pubtime", "2000") > CUTOFF:
                continue
            if best is None or version > best[0]:
                best = (version, rel["vers"])
        if best and best[0] < current:
            print(f"{name}@{locked} {best[1]}")


if __name__ == "__main__":
    main()
