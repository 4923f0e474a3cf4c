// Bounded caches on a long-running node (session 14, P4): what one cache operation costs while the cache fills,
// once it is full (every insert evicts), and after ten times its capacity of churn. Two parts:
//   model: each cache's access pattern at its own bound, on the eviction it had until session 14 (a Map used as
//          a queue: `map.keys().next()` / `entries().next()` finds the oldest) and on src/util/linkedMap.ts (what
//          the caches use now). The operations are the caches' own, copied in shape; keys are prebuilt, so the
//          figures are the bookkeeping alone.
//   real:  DecodedTxCache (src/chain/tx/txCache.ts) of a tree (`--src <tree>`, default this one), distinct
//          ~250-byte MsgSend txs decoded once each (the CheckTx of a long-running node whose txs never reach a
//          block, e.g. a flood that fails ante), at the default bounds (16,384 txs, 64 MiB).
//   enclave: the enclave's secp256k1 and x25519 key caches of a tree through their own functions
//          (src/enclave/crypto/keyCacheBench.ts, run as a child process of that tree: one door).
// Run: node --import tsx bench/boundedCaches.ts [--src <tree>] [--only model|real|enclave] [--reps N]
// Prints main-thread CPU ns (schedstat, bench/threadCpu.ts; the enclave part µs) per operation per window; "fill" = the cache filling from empty, "full" = the first
// window after it is full, "10x" = the window after ten capacities of churn, "max" = the worst window.
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { LinkedMap } from "../src/util/linkedMap.js";
import { threadCpuNs } from "./threadCpu.js";

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i < 0 ? undefined : args[i + 1];
};
const srcTree = resolve(opt("--src") ?? ".");
const only = opt("--only");
const REPS = Number(opt("--reps") ?? 3);

/** A cache under test: one operation (`i` counts from 0) as the node would do it. */
type Op = (i: number) => void;
interface Scenario {
  readonly name: string;
  readonly bound: number;
  /** A fresh cache, its operation on the old eviction and on LinkedMap. */
  readonly old: () => Op;
  readonly linked: () => Op;
}

function keysOf(n: number, len: number, tag: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const b = Buffer.alloc(len, tag);
    b.writeUInt32BE(i, 1);
    out.push(b.toString("latin1"));
  }
  return out;
}

// --- The caches' access patterns, old (Map as a queue) and new (LinkedMap) -------------------------------------

/** FIFO by count and bytes, insert on a miss (DecodedTxCache.decode of a tx never taken by a block). */
function txCacheScenario(): Scenario {
  const MAX = 16_384;
  const MAX_BYTES = 64 * 1024 * 1024;
  const keys = keysOf(MAX * 12, 32, 1);
  const tx = { raw: { length: 250 } };
  return {
    name: "tx cache (FIFO 16,384, spam)",
    bound: MAX,
    old: () => {
      const m = new Map<string, typeof tx>();
      let bytes = 0;
      return (i) => {
        const id = keys[i]!;
        if (m.get(id) !== undefined) return;
        while (m.size >= MAX || bytes + 250 > MAX_BYTES) {
          const o = m.entries().next().value;
          if (o === undefined) break;
          m.delete(o[0]);
          bytes -= o[1].raw.length;
        }
        m.set(id, tx);
        bytes += 250;
      };
    },
    linked: () => {
      const m = new LinkedMap<string, typeof tx>();
      let bytes = 0;
      return (i) => {
        const id = keys[i]!;
        if (m.get(id) !== undefined) return;
        while (m.size >= MAX || bytes + 250 > MAX_BYTES) {
          const o = m.shift();
          if (o === undefined) break;
          bytes -= o.value.raw.length;
        }
        m.set(id, tx);
        bytes += 250;
      };
    },
  };
}

/**
 * The tx cache on a node whose blocks take 9 of 10 checked txs 500 operations later (deliver's `take`), the
 * tenth never: the cache fills with those slowly, then every CheckTx evicts.
 */
function txCacheMixedScenario(): Scenario {
  const MAX = 16_384;
  const keys = keysOf(MAX * 12 * 10, 32, 2);
  const tx = { raw: { length: 250 } };
  // Each op: CheckTx of tx i, and deliver of tx i-500 unless it is a tenth.
  const make = (impl: "old" | "linked"): Op => {
    const m = impl === "old" ? new Map<string, typeof tx>() : undefined;
    const l = impl === "linked" ? new LinkedMap<string, typeof tx>() : undefined;
    return (i) => {
      const id = keys[i]!;
      if (m !== undefined) {
        while (m.size >= MAX) {
          const o = m.keys().next();
          if (o.done === true) break;
          m.delete(o.value);
        }
        m.set(id, tx);
      } else {
        while (l!.size >= MAX) {
          if (l!.shift() === undefined) break;
        }
        l!.set(id, tx);
      }
      const d = i - 500;
      if (d >= 0 && d % 10 !== 0) {
        const did = keys[d]!;
        if (m !== undefined) m.delete(did);
        else l!.delete(did);
      }
    };
  };
  return {
    name: "tx cache (FIFO 16,384, 9/10 taken)",
    bound: MAX * 10,
    old: () => make("old"),
    linked: () => make("linked"),
  };
}

/** FIFO 4,096 filled on a miss, no reorder on a hit: both secp256k1 key caches; 20,000 signers in turn. */
function keyCacheScenario(): Scenario {
  const MAX = 4096;
  const keys = keysOf(20_000, 33, 3);
  const v = new Uint8Array(65);
  return {
    name: "secp256k1 keys (FIFO 4,096, 20k signers)",
    bound: MAX,
    old: () => {
      const m = new Map<string, Uint8Array | undefined>();
      return (i) => {
        const id = keys[i % keys.length]!;
        if (m.get(id) !== undefined || m.has(id)) return;
        if (m.size >= MAX) m.delete(m.keys().next().value!);
        m.set(id, v);
      };
    },
    linked: () => {
      const m = new LinkedMap<string, Uint8Array | undefined>();
      return (i) => {
        const id = keys[i % keys.length]!;
        if (m.get(id) !== undefined || m.has(id)) return;
        if (m.size >= MAX) m.shift();
        m.set(id, v);
      };
    },
  };
}

/** LRU with the session-12 "newest" shortcut (x25519 shared secrets, 1,024 per IO key): the old lruGet/lruSet. */
function x25519Scenario(name: string, pick: (i: number) => number, nKeys: number): Scenario {
  const MAX = 1024;
  const keys = keysOf(nKeys, 32, 4);
  const v = new Uint8Array(32);
  return {
    name,
    bound: MAX,
    old: () => {
      const map = new Map<string, Uint8Array>();
      let newest: string | undefined;
      return (i) => {
        const id = keys[pick(i)]!;
        const hit = map.get(id);
        if (hit !== undefined) {
          if (newest !== id) {
            map.delete(id);
            map.set(id, hit);
            newest = id;
          }
          return;
        }
        map.set(id, v);
        newest = id;
        if (map.size <= MAX) return;
        const oldest = map.entries().next().value;
        if (oldest === undefined) return;
        map.delete(oldest[0]);
        if (newest === oldest[0]) newest = undefined;
        oldest[1].fill(0);
      };
    },
    linked: () => {
      const map = new LinkedMap<string, Uint8Array>();
      return (i) => {
        const id = keys[pick(i)]!;
        if (map.getAndTouch(id) !== undefined) return;
        map.set(id, v);
        if (map.size <= MAX) return;
        map.shift()?.value.fill(0);
      };
    },
  };
}

/** A small LRU by count (the VM's instance pools: 16 modules; the compiled-code cache: 64), n keys in turn. */
function smallLruScenario(name: string, MAX: number, n: number): Scenario {
  const keys = keysOf(n, 32, 5);
  const v = { size: 1000 };
  return {
    name,
    bound: MAX,
    old: () => {
      const m = new Map<string, typeof v>();
      let newest: string | undefined;
      return (i) => {
        const id = keys[i % n]!;
        if (id === newest) return;
        const hit = m.get(id);
        if (hit !== undefined) m.delete(id);
        m.set(id, v);
        newest = id;
        if (m.size > MAX) {
          const oldest = m.keys().next().value!;
          m.delete(oldest);
          if (oldest === newest) newest = undefined;
        }
      };
    },
    linked: () => {
      const m = new LinkedMap<string, typeof v>();
      return (i) => {
        const id = keys[i % n]!;
        if (m.getAndTouch(id) !== undefined) return;
        m.set(id, v);
        if (m.size > MAX) m.shift();
      };
    },
  };
}

/** BlockLedger.record of each new height (4,096 block times kept). */
function ledgerScenario(): Scenario {
  const MAX = 4096;
  return {
    name: "REST block times (4,096, a block each)",
    bound: MAX,
    old: () => {
      const m = new Map<bigint, bigint>();
      return (i) => {
        const h = BigInt(i);
        m.delete(h);
        m.set(h, h);
        if (m.size > MAX) {
          const o = m.keys().next();
          if (o.done !== true) m.delete(o.value);
        }
      };
    },
    linked: () => {
      const m = new LinkedMap<bigint, bigint>();
      return (i) => {
        const h = BigInt(i);
        m.delete(h);
        m.set(h, h);
        if (m.size > MAX) m.shift();
      };
    },
  };
}

// --- Measuring ------------------------------------------------------------------------------------------------

interface Windows {
  fill: number;
  full: number;
  tenX: number;
  max: number;
}

/**
 * ns per op: the fill (the first `bound` ops), then windows of `w` ops (w = bound, at least 16,384) from the
 * bound to bound + 11·max(bound, w): "full" is the first, "10x" the one starting after ten capacities of churn.
 */
function measure(make: () => Op, bound: number): Windows {
  const w = Math.max(bound, 16_384);
  // Small bounds fill in a few µs: repeat the fill on fresh caches for a readable figure.
  const fillReps = Math.max(1, Math.ceil(65_536 / bound));
  let t0 = threadCpuNs();
  for (let r = 0; r < fillReps; r++) {
    const op = make();
    for (let i = 0; i < bound; i++) op(i);
  }
  const fill = (threadCpuNs() - t0) / (fillReps * bound);
  const op = make();
  for (let i = 0; i < bound; i++) op(i);
  const windows: number[] = [];
  const churnEnd = bound + 10 * Math.max(bound, w);
  let i = bound;
  while (i < churnEnd + w) {
    t0 = threadCpuNs();
    const end = i + w;
    for (; i < end; i++) op(i);
    windows.push((threadCpuNs() - t0) / w);
  }
  const tenIdx = Math.floor((churnEnd - bound) / w);
  return {
    fill,
    full: windows[0]!,
    tenX: windows[Math.min(tenIdx, windows.length - 1)]!,
    max: Math.max(...windows),
  };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function fmt(w: Windows): string {
  const f = (x: number): string => x.toFixed(0).padStart(6);
  return `${f(w.fill)} ${f(w.full)} ${f(w.tenX)} ${f(w.max)}`;
}

function runModel(): void {
  const hot = (i: number): number => (i % 5 === 4 ? 512 + ((i * 7919) % 19_488) : i % 512);
  const scenarios: Scenario[] = [
    txCacheScenario(),
    txCacheMixedScenario(),
    keyCacheScenario(),
    x25519Scenario("x25519 shared (LRU 1,024, 20k senders)", (i) => i % 20_000, 20_000),
    x25519Scenario("x25519 shared (LRU 1,024, 80% of 512 hot)", hot, 20_000),
    smallLruScenario("vm pool (LRU 16, 40 modules)", 16, 40),
    smallLruScenario("wasm cache (LRU 64, 200 codes)", 64, 200),
    ledgerScenario(),
  ];
  console.log(`model: CPU ns per operation, median of ${REPS} runs (fill / full / 10x churn / worst window)`);
  console.log(`${"cache".padEnd(44)} ${"old Map queue".padEnd(27)} LinkedMap`);
  for (const s of scenarios) {
    const res: Record<"old" | "linked", Windows[]> = { old: [], linked: [] };
    // Alternate the two implementations, REPS pairs.
    for (let r = 0; r < REPS; r++) {
      res.old.push(measure(s.old, s.bound));
      res.linked.push(measure(s.linked, s.bound));
    }
    const med = (ws: Windows[]): Windows => ({
      fill: median(ws.map((x) => x.fill)),
      full: median(ws.map((x) => x.full)),
      tenX: median(ws.map((x) => x.tenX)),
      max: median(ws.map((x) => x.max)),
    });
    console.log(`${s.name.padEnd(44)} ${fmt(med(res.old))}   ${fmt(med(res.linked))}`);
  }
}

async function runReal(): Promise<void> {
  const { DecodedTxCache } = await import(`${srcTree}/src/chain/tx/txCache.ts`);
  const { makeSigner } = await import(`${srcTree}/src/chain/tx/testdata/secretjsSigner.ts`);
  const { MNEMONIC_A, TEST_CHAIN_ID, makeTestChain } = await import(
    `${srcTree}/src/chain/tx/testdata/testHarness.ts`
  );
  const { MsgSend } = await import("secretjs");
  const a = makeSigner(MNEMONIC_A);
  const msg = new MsgSend({
    from_address: a.address,
    to_address: "secret1fc3fzy78ttp0lwuujw7e52rhspxn8uj52zfyne",
    amount: [{ denom: "uscrt", amount: "1" }],
  });
  const base: Uint8Array = await a.signDeterministic([msg], {
    accountNumber: 0,
    sequence: 0,
    chainId: TEST_CHAIN_ID,
  });
  const { registry } = makeTestChain({});
  const MAX = 16_384;
  const W = MAX;
  const total = MAX * 12;
  // Distinct txs: the signature's last 4 bytes (the signature is the TxRaw's last field) carry a counter.
  const txs: Uint8Array[] = [];
  for (let i = 0; i < total; i++) {
    const b = Buffer.from(base);
    b.writeUInt32BE(i, b.length - 4);
    txs.push(b);
  }
  console.log(`real DecodedTxCache of ${srcTree}: CPU µs per decode of a new tx, windows of ${W} txs`);
  for (let r = 0; r < REPS; r++) {
    const cache = new DecodedTxCache(registry);
    const out: string[] = [];
    for (let w = 0; w < total / W; w++) {
      const t0 = threadCpuNs();
      for (let i = w * W; i < (w + 1) * W; i++) cache.decode(txs[i]!);
      out.push(((threadCpuNs() - t0) / W / 1000).toFixed(2));
    }
    console.log(`  run ${r + 1}: ${out.join(" ")}`);
  }
}

function runEnclave(): void {
  const body = `${srcTree}/src/enclave/crypto/keyCacheBench.ts`;
  console.log(`enclave key caches of ${srcTree}`);
  const r = spawnSync(process.execPath, ["--import", "tsx", body, "12", String(REPS)], { stdio: "inherit" });
  if (r.status !== 0) process.exitCode = r.status ?? 1;
}

if (only === undefined || only === "model") runModel();
if (only === undefined || only === "real") await runReal();
if (only === undefined || only === "enclave") runEnclave();
