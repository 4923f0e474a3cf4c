// `npm run bench:vm` body (bench/vm.ts runs it as a child process: enclave internals stay behind the one
// door). SNIP-20 transfer executions/s, side by side in one run: encrypted vs plaintext, metered vs
// unmetered, ours vs @terran-one/cosmwasm-vm-js; then compile vs cached instantiate, and a short CPU profile
// of the encrypted path. Prints ratios measured in this run; asserts nothing about speed.
// Flags: --quick (few short slices, for the smoke test), --no-profile.
import { sha256 } from "../crypto/hash.js";
import { toHex } from "../../util/bytes.js";
import { ContractInstance } from "./instance.js";
import { MockQuerier } from "./testing/mockQuerier.js";
import { MockStorage } from "./testing/mockStorage.js";
import { Bech32Api } from "./addressApi.js";
import { Wasm, type WasmModule } from "./webassembly.js";
import { profileRun, type Stage } from "./bench/profile.js";
import { OpCounts } from "./bench/mapStore.js";
import { printFloor } from "./bench/floorReport.js";
import {
  encryptedTransfer,
  loadSnip20,
  plainTransfer,
  theirTransfer,
  type Snip20Code,
} from "./bench/snip20Setup.js";
import { SECRET_ONLY_IMPORTS, theirWarnings } from "./bench/theirVm.js";
import {
  median,
  medianMs,
  runAlternating,
  runSlices,
  withCacheBust,
  type PairRatios,
  type SliceOptions,
  type Variant,
} from "./bench/timing.js";

const FULL: SliceOptions = { slices: 15, sliceMs: 400, warmupSlices: 2 };
const QUICK: SliceOptions = { slices: 1, sliceMs: 20, warmupSlices: 0 };
/** F vs C alternated (runAlternating): 20 s, each slice 1 s of both. */
const PAIR: SliceOptions = { slices: 20, sliceMs: 500, warmupSlices: 1 };

const LABELS: Record<string, string> = {
  A: "ours: metered module, encrypted (runContract: decrypt, encrypted state, encrypted output)",
  B: "ours: metered module, plaintext (bare VM, plain storage, plaintext msg), reset instance reused",
  F: "ours: as B but a fresh instance per call (no reuse)",
  C: "ours: unmetered (original) module, plaintext (bare VM)",
  D: "cosmwasm-vm-js: unmetered, plaintext, fresh instance per call",
  E: "cosmwasm-vm-js: unmetered, plaintext, one instance reused for every call",
  S: "ours: A plus the user-tx signature check (secp256k1 verify, tx decode) (info)",
};

/** Host store operations per transfer: A at the OCALL level (under encryption), B as the contract calls. */
const countsA = new OpCounts();
const countsB = new OpCounts();

async function variants(code: Snip20Code): Promise<Variant[]> {
  return [
    { id: "A", run: await encryptedTransfer(code, countsA) },
    { id: "B", run: plainTransfer(code, code.metered, countsB) },
    { id: "F", run: plainTransfer(code, code.metered, new OpCounts(), false) },
    { id: "C", run: plainTransfer(code, code.unmetered) },
    { id: "D", run: theirTransfer(code, true) },
    { id: "E", run: theirTransfer(code, false) },
    { id: "S", run: await encryptedTransfer(code, new OpCounts(), true) },
  ];
}

/** Median over slices of rate(num)/rate(den): each pair was measured back to back. */
function pairedRatio(rates: Map<string, number[]>, num: string, den: string): number {
  const a = rates.get(num)!;
  const b = rates.get(den)!;
  return median(a.map((x, i) => x / b[i]!));
}

const fmt = (x: number, d = 2): string => x.toFixed(d);
const pad = (s: string, n: number): string => s.padEnd(n);
const lpad = (s: string, n: number): string => s.padStart(n);

function printRates(rates: Map<string, number[]>, cpu: Map<string, number[]>): void {
  console.log(
    `${pad("variant", 84)} ${lpad("exec/s", 8)} ${lpad("ms/exec", 8)} ${lpad("min–max exec/s", 15)} ${lpad("exec/CPU-s", 10)}`,
  );
  for (const [id, xs] of rates) {
    const m = median(xs);
    const range = `${fmt(Math.min(...xs), 0)}–${fmt(Math.max(...xs), 0)}`;
    const c = median(cpu.get(id)!);
    console.log(
      `${pad(`${id}  ${LABELS[id]!}`, 84)} ${lpad(fmt(m, 1), 8)} ${lpad(fmt(1000 / m, 3), 8)} ${lpad(range, 15)} ${lpad(fmt(c, 1), 10)}`,
    );
  }
}

/** Each ratio: the time-ratio numerator/denominator ids (as exec/s pairs), target, and whether lower is better. */
interface RatioRow {
  readonly name: string;
  readonly fast: string; // exec/s of `fast` over exec/s of `slow` = time of slow / time of fast
  readonly slow: string;
  readonly target?: { readonly op: "≤" | "≥"; readonly value: number };
}

const RATIOS: readonly RatioRow[] = [
  { name: "encryption overhead: time A / time B", fast: "B", slow: "A", target: { op: "≤", value: 1.15 } },
  { name: "metering overhead: time F / time C (separate slices)", fast: "C", slow: "F" },
  { name: "instance reuse: time F / time B", fast: "B", slow: "F" },
  { name: "metered + reused vs unmetered fresh: time B / time C", fast: "C", slow: "B" },
  {
    name: "ours A vs cosmwasm-vm-js D: exec/s A / exec/s D",
    fast: "A",
    slow: "D",
    target: { op: "≥", value: 1 },
  },
  {
    name: "ours A vs cosmwasm-vm-js E: exec/s A / exec/s E",
    fast: "A",
    slow: "E",
    target: { op: "≥", value: 1 },
  },
  { name: "like for like C vs D (both unmetered, plaintext, fresh)", fast: "C", slow: "D" },
  { name: "signature check cost: time S / time A", fast: "A", slow: "S" },
];

/**
 * The metering target's verdict: F and C alternated execution by execution (./bench/timing.ts runAlternating),
 * CPU of all executions of each (ratio of totals: the collector's pauses, which dominate a fresh instance's
 * cost here and land on one execution each, average out over the whole run instead of deciding single slices).
 */
function printMeteringPair(p: PairRatios): void {
  const verdict = p.totalCpu <= 1.1 ? "met" : "NOT met";
  const row = (label: string, wall: string, cpu: string, target: string, note: string): void => {
    console.log(`${pad(label, 60)} ${lpad(wall, 7)} ${lpad(cpu, 7)} ${lpad(target, 9)}  ${note}`);
  };
  console.log(`\nmetering overhead, F and C alternated per execution (${p.executions} executions each):`);
  row(
    "  time F / time C, all executions (ratio of totals)",
    `${fmt(p.totalWall)}×`,
    `${fmt(p.totalCpu)}×`,
    "≤ 1.10×",
    verdict,
  );
  const range = `CPU ${fmt(Math.min(...p.cpu))}–${fmt(Math.max(...p.cpu))}× over slices`;
  row("  median of per-slice ratios", `${fmt(median(p.wall))}×`, `${fmt(median(p.cpu))}×`, "(info)", range);
  row("  median execution F / median execution C (no GC pauses)", `${fmt(p.medianWall)}×`, "", "(info)", "");
}

function printRatios(rates: Map<string, number[]>, cpu: Map<string, number[]>): void {
  console.log(
    `\n${pad("ratio (median of per-slice ratios)", 60)} ${lpad("wall", 7)} ${lpad("CPU", 7)} ${lpad("target", 9)}  result (CPU)`,
  );
  for (const r of RATIOS) {
    const wall = pairedRatio(rates, r.fast, r.slow);
    const c = pairedRatio(cpu, r.fast, r.slow);
    const t = r.target;
    const verdict = t === undefined ? "" : (t.op === "≤" ? c <= t.value : c >= t.value) ? "met" : "NOT met";
    const target = t === undefined ? "(info)" : `${t.op} ${fmt(t.value)}×`;
    console.log(
      `${pad(r.name, 60)} ${lpad(`${fmt(wall)}×`, 7)} ${lpad(`${fmt(c)}×`, 7)} ${lpad(target, 9)}  ${verdict}`,
    );
  }
}

/**
 * Fresh compile (cache-busted bytes) vs instantiating the cached module. V8 compiles wasm lazily (Node 20:
 * --wasm-lazy-compilation on), so `new WebAssembly.Module` mostly validates; the Liftoff compiles happen at
 * each function's first call. Hence also: instantiate + one transfer on a fresh compile vs on the cache.
 */
function printCompile(code: Snip20Code, quick: boolean): void {
  const runs = quick ? 1 : 7;
  let bust = 0;
  const fresh = () => new Wasm.Module(withCacheBust(code.prepared.metered, bust++));
  const compileMetered = medianMs(fresh, runs);
  const compileOriginal = medianMs(() => new Wasm.Module(withCacheBust(code.prepared.wasm, bust++)), runs);
  const backend = { storage: new MockStorage(), api: new Bech32Api(), querier: new MockQuerier() };
  const opts = { backend, gasLimit: 1_000_000n, readonly: false };
  const inst = medianMs(() => new ContractInstance(code.metered, opts), quick ? 3 : 200);
  const twoCalls = (m: WasmModule) => () => {
    plainTransfer(code, m)();
  };
  const coldCalls = medianMs(() => {
    twoCalls(fresh())();
  }, runs);
  const warmCalls = medianMs(twoCalls(code.metered), quick ? 3 : 50);
  const t0 = performance.now();
  loadSnip20();
  const prepare = performance.now() - t0;
  const row = (label: string, v: string, unit: string): void => {
    console.log(`${pad(label, 84)} ${lpad(v, 9)} ${unit}`);
  };
  console.log(
    `\nsnip20.wasm: ${code.prepared.wasm.length} B original, ${code.prepared.metered.length} B metered`,
  );
  row(
    "compile, metered module (new WebAssembly.Module, cache-busted; lazy: mostly validation)",
    fmt(compileMetered),
    "ms",
  );
  row("compile, original module (same)", fmt(compileOriginal), "ms");
  row("instantiate from the cached compiled module (our imports + gas globals)", fmt(inst, 3), "ms");
  row("compile / cached instantiate", fmt(compileMetered / inst, 0), "×");
  row("fresh compile + instantiate msg + transfer (incl. lazy Liftoff compiles)", fmt(coldCalls), "ms");
  row("cached module, warm code: instantiate msg + transfer", fmt(warmCalls), "ms");
  row("cold / warm", fmt(coldCalls / warmCalls, 1), "×");
  row("upload gate (prepareCode: inflate, parse, validate, meter) + compile, once", fmt(prepare), "ms");
}

/** Stages of the encrypted path (inclusive time; they nest, so shares do not add up). */
const STAGES: Stage[] = [
  { label: "runContract (whole execution)", fn: "runContract", file: "contract/operations.ts" },
  {
    label: "  decryptInput (tx key: cached X25519 + HKDF; SIV of the msg)",
    fn: "decryptInput",
    file: "enclave/io.ts",
  },
  {
    label: "  validateContractKey (remembered once valid)",
    fn: "validateContractKey",
    file: "enclave/contractKey.ts",
  },
  { label: "  callEntryPoint (VM: instance + contract)", fn: "callEntryPoint", file: "vm/calls.ts" },
  { label: "    acquireInstance (reused, or new)", fn: "acquireInstance", file: "vm/pool.ts" },
  { label: "    releaseInstance (reset from the low-water mark)", fn: "releaseInstance", file: "vm/pool.ts" },
  {
    label: "    EncryptedStorage.get (cached name; value cached or SIV)",
    fn: "get",
    file: "enclave/encryptedStorage.ts",
  },
  { label: "  EncryptedStorage.flush (encrypt writes)", fn: "flush", file: "enclave/encryptedStorage.ts" },
  { label: "    new key names (name SIV + store keys)", fn: "entry", file: "enclave/stateCache.ts" },
  { label: "    sealAllInto (every value, one keystream)", fn: "sealAllInto", file: "crypto/aesSiv.ts" },
  { label: "  processOutput (encrypt data/attributes)", fn: "processOutput", file: "contract/output.ts" },
  { label: "hkdfSha256 (anywhere)", fn: "hkdfSha256", file: "crypto/kdf.ts" },
  { label: "AES-SIV seal, AD given (anywhere)", fn: "encrypt", file: "crypto/aesSiv.ts" },
  { label: "AES-SIV open, AD MACs given (msg, state values)", fn: "decryptMacs", file: "crypto/aesSiv.ts" },
  { label: "AES-SIV key setup (cipher contexts)", fn: "AesSivKey", file: "crypto/aesSiv.ts" },
  { label: "(garbage collector)", fn: "(garbage collector)", file: "" },
];

async function printProfile(v: Variant): Promise<void> {
  const p = await profileRun(v.run, 3000, STAGES, 14);
  console.log(`\nprofile of ${v.id} (${p.runs} executions), inclusive time by stage:`);
  for (const r of p.byStage) console.log(`  ${lpad(fmt(r.share * 100, 1), 5)}%  ${r.name}`);
  console.log("self time by file:");
  for (const r of p.byFile.slice(0, 10)) console.log(`  ${lpad(fmt(r.share * 100, 1), 5)}%  ${r.name}`);
  console.log("self time by function:");
  for (const r of p.byFunction) console.log(`  ${lpad(fmt(r.share * 100, 1), 5)}%  ${r.name}`);
}

async function main(): Promise<void> {
  const quick = process.argv.includes("--quick");
  const opts = quick ? QUICK : FULL;
  const code = loadSnip20();
  const vs = await variants(code);
  console.log(
    `VM benchmark: SNIP-20 transfer (contracts/build/snip20.wasm sha256 ${toHex(sha256(code.prepared.wasm)).slice(0, 16)}…), ` +
      `node ${process.version}, ${opts.warmupSlices} warm-up + ${opts.slices} slices × ${opts.sliceMs} ms per variant, interleaved`,
  );
  const cpu = new Map<string, number[]>();
  const rates = runSlices(vs, opts, cpu);
  const find = (id: string): Variant => vs.find((v) => v.id === id)!;
  const pair = runAlternating(find("F"), find("C"), quick ? QUICK : PAIR);
  printRates(rates, cpu);
  printRatios(rates, cpu);
  printMeteringPair(pair);
  printCompile(code, quick);
  console.log(
    `\nnotes: A skips the tx-signature check (S has it). cosmwasm-vm-js gets stubs for ` +
      `${SECRET_ONLY_IMPORTS.join(", ")} that throw if called (none was); its missing-key warnings (silenced): ${theirWarnings.count}.`,
  );
  countsA.reset();
  countsB.reset();
  vs[0]!.run();
  vs[1]!.run();
  console.log(
    `one transfer: contract storage calls (B) ${countsB.toString()}; host store under encryption (A) ${countsA.toString()}`,
  );
  printFloor(vs[0]!.run, 1e6 / median(cpu.get("A")!), 1e6 / median(cpu.get("B")!), quick);
  const which = process.argv.find((a) => a.startsWith("--profile="))?.slice(10) ?? "A";
  const target = vs.find((v) => v.id === which);
  if (!quick && !process.argv.includes("--no-profile") && target !== undefined) await printProfile(target);
}

await main();
