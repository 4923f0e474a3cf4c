// The call plan behind secret-metered-gas.json: the same calls, in the same order, on a fresh instance of a
// metered contract whose host imports all return 0. Used to generate the vectors (from modules metered with
// Secret's algorithm) and by walrus.test.ts to replay them on our metered modules.
import { SECRET_V010_IMPORTS, SECRET_V1_IMPORTS } from "../secretImports.js";
import { wasmApi, type WebAssemblyGlobal } from "../webassembly.js";

export interface CallResult {
  readonly call: string;
  readonly used: string;
  readonly exhausted: string;
  readonly outcome: string;
}

type Exports = Record<string, unknown> & { memory: { buffer: ArrayBuffer }; allocate: (n: number) => number };

const GAS = 10_000_000_000n;
const ALLOCATE_SIZES = [0, 1, 64, 1000, 70_000, 1 << 20, 3 << 20];
const OOG_LIMITS = [100n, 1000n, 50_000n];
const ENTRY_POINTS = ["instantiate", "execute", "query", "migrate", "init", "handle"];
const ENV = '{"block":{"height":1,"time":"1","chain_id":"x"},"contract":{"address":"secret1"}}';
const MSG = '{"increment":{}}';

export function runPlan(original: Uint8Array, metered: Uint8Array, gasName: string, exhaustedName: string): CallResult[] {
  const env: Record<string, () => number | bigint> = {};
  for (const i of (wasmApi as unknown as { Module: { imports(m: unknown): { name: string }[] } }).Module.imports(
    new wasmApi.Module(original),
  )) {
    const i64 = [...SECRET_V1_IMPORTS, ...SECRET_V010_IMPORTS].some((h) => h.name === i.name && h.results[0] === "i64");
    env[i.name] = () => (i64 ? 0n : 0);
  }
  const ex = new wasmApi.Instance(new wasmApi.Module(metered), { env }).exports as Exports;
  const gas = ex[gasName] as WebAssemblyGlobal;
  const exhausted = ex[exhaustedName] as WebAssemblyGlobal;
  const out: CallResult[] = [];
  const run = (call: string, limit: bigint, fn: () => unknown): void => {
    gas.value = limit;
    exhausted.value = 0n;
    let outcome: string;
    try {
      outcome = `ok ${String(fn())}`;
    } catch (e) {
      outcome = `trap ${e instanceof Error ? e.message : String(e)}`;
    }
    const used = limit - BigInt.asUintN(64, gas.value);
    out.push({ call, used: used.toString(), exhausted: String(exhausted.value), outcome });
  };
  const region = (text: string): number => {
    const data = new TextEncoder().encode(text);
    gas.value = GAS;
    const r = ex.allocate(data.length);
    const view = new DataView(ex.memory.buffer);
    new Uint8Array(ex.memory.buffer).set(data, view.getUint32(r, true));
    view.setUint32(r + 8, data.length, true);
    return r;
  };
  for (const n of ALLOCATE_SIZES) run(`allocate(${n})`, GAS, () => ex.allocate(n));
  for (const limit of OOG_LIMITS) run(`allocate(1 MiB) with ${limit} gas`, limit, () => ex.allocate(1 << 20));
  for (const name of ENTRY_POINTS) {
    const fn = ex[name];
    if (typeof fn !== "function") continue;
    const args = [region(ENV), region(MSG), region(MSG)].slice(0, fn.length);
    run(name, GAS, () => (fn as (...a: number[]) => unknown)(...args));
  }
  return out;
}
