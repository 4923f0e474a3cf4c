// Prints the "floor: required crypto per transfer" section of `npm run bench:vm`: A's AES-SIV census turned
// into the list of required operations (./cryptoFloor.ts), each group's cost under node:crypto, JS and the
// hybrid, and what the fastest of each implies for A / B. Bench-only.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { censusOf, formatCensus, sivCensusOf, type SivOp } from "./cryptoCensus.js";
import type { FloorResult, TransferShape } from "./cryptoFloor.js";

/** The required work of one execution from its census: the fresh (tx) key's and the cached state key's ops. */
export function shapeOf(ops: readonly SivOp[]): TransferShape {
  const tx = ops.filter((o) => o.fresh);
  const state = ops.filter((o) => !o.fresh);
  const open = tx.find((o) => o.op === "open");
  if (open === undefined) throw new Error("census: no input decryption");
  return {
    msgLength: open.lengths[0]!,
    outputLengths: tx.filter((o) => o.op === "seal").flatMap((o) => o.lengths),
    newKeyLengths: state.filter((o) => o.op === "seal" && o.ads === 0).flatMap((o) => o.lengths),
    valueLengths: state.filter((o) => o.op === "seal" && o.ads === 2).flatMap((o) => o.lengths),
  };
}

/**
 * The floor is timed in a fresh child process: in this one, the variants' heap and garbage made the same
 * loops 2–3× slower (GC helper threads count in process CPU time).
 */
function floorInChild(shape: TransferShape, quick: boolean): FloorResult {
  // Compiled (scripts/bench.mjs --compiled), this file is floorReport.js and the child is floorChild.js.
  const compiled = import.meta.url.endsWith(".js");
  const child = fileURLToPath(new URL(`./floorChild.${compiled ? "js" : "ts"}`, import.meta.url));
  const args = [
    ...(compiled ? [] : ["--import", "tsx"]),
    child,
    JSON.stringify(shape),
    ...(quick ? ["--quick"] : []),
  ];
  const r = spawnSync(process.execPath, args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`floor child failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as FloorResult;
}

const f = (x: number): string => x.toFixed(2).padStart(8);

/**
 * `runA`: one encrypted transfer (warm); `aUs`/`bUs`: A's and B's CPU µs per transfer measured in this run.
 */
export function printFloor(runA: () => void, aUs: number, bUs: number, quick: boolean): void {
  const natives = censusOf(runA);
  const ops = sivCensusOf(runA);
  const shape = shapeOf(ops);
  console.log(
    "\nfloor: required crypto per transfer (what the protocol needs for bench A's transfer, nothing else)",
  );
  console.log("  A's census, node:crypto calls of one transfer:");
  for (const l of formatCensus(natives)) console.log(`    ${l}`);
  console.log("  A's census, AES-SIV operations (key 0 = fresh tx key; others cached state keys):");
  for (const o of ops)
    console.log(`    key ${o.key}${o.fresh ? " (fresh)" : ""} ${o.op} ${o.lengths.join(",")} B, ${o.ads} AD`);
  console.log(
    "  required: HKDF (2 HMAC) + SIV setup of the fresh tx key; open msg; seal outputs; salt CMAC; per new key a name\n" +
      "  SIV, its CMAC and its old store key's SHA-256; per written value one S2V and its CTR. Not required (and\n" +
      "  cached legitimately): X25519 per sender, state keys (HKDF per contract and seed), names / store keys /\n" +
      "  name CMACs of known keys, reads of values whose stored bytes the enclave last authenticated or wrote,\n" +
      "  validated contract keys. HKDF and the SHA-256s run in JS (../../crypto/sha256Js.ts): not in the\n" +
      "  node:crypto census; the 32-byte timingSafeEqual is the X25519 cache's last-key check.",
  );
  const fl = floorInChild(shape, quick);
  const { rows, floorUs } = fl;
  console.log(
    `  ${"group (µs CPU per transfer, best slice)".padEnd(78)} ${"OpenSSL".padStart(8)} ${"JS".padStart(8)} ${"hybrid".padStart(8)}`,
  );
  for (const r of rows) console.log(`  ${r.group.padEnd(78)} ${f(r.native)} ${f(r.js)} ${f(r.hybrid)}`);
  console.log(
    `  primitive-only lower bound: ${fl.blocks} AES blocks × ${(fl.blockUs * 1000).toFixed(0)} ns (JS core) + 2 key ` +
      `expansions × ${fl.expandUs.toFixed(2)} µs + HKDF and SHA-256 groups = ${fl.lowerBoundUs.toFixed(1)} µs`,
  );
  const best = (bUs + floorUs) / bUs;
  console.log(
    `  floor (fastest per group): ${floorUs.toFixed(1)} µs; A − B in this run: ${(aUs - bUs).toFixed(1)} µs CPU ` +
      `(A ${aUs.toFixed(1)}, B ${bUs.toFixed(1)}); best possible A / B with B as measured: ${best.toFixed(3)}× ` +
      `(target 1.15× allows ${(0.15 * bUs).toFixed(1)} µs)`,
  );
}
