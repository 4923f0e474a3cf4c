// The enclave's side of a chain SNIP-20 transfer, alone: runs K transfers through the real chain once while
// recording every `execute` ECALL (payload, gas limit, result, gas) and the host's OCALL answers in order, then
// replays those ECALLs against the same worker with the recorded answers — checking every result and gas figure
// byte for byte — and reports the worker thread's CPU per transfer (`/proc/self/task/*/schedstat`, ns).
// Run: node --import tsx bench/chain/enclaveReplay.ts [--txs K] [--rounds R] [--gap-us G] [--ocall-us O]
// (--gap-us / --ocall-us: busy main-thread µs before each ECALL / in each read or query answer, as in a chain)
import type { OcallHandler } from "../../src/enclave/api.js";
import { startNode } from "./setup.js";
import { runTxs } from "./run.js";
import { deploySnip20, signTransfers } from "./snip20.js";
import { arg, threadNs } from "./cli.js";

const K = arg("--txs", 1000);
const ROUNDS = arg("--rounds", 3);
/** Host work to mimic in the replay (µs of busy main thread): between ECALLs, and inside each OCALL answer. */
const GAP_US = arg("--gap-us", 0);
const OCALL_US = arg("--ocall-us", 0);

/** Keeps the main thread busy for `us` µs (the chain's own work between and inside ECALLs). */
const THRASH = new Uint32Array(Number(process.env.REPLAY_THRASH_KB ?? 0) * 256);
function busy(us: number): void {
  if (us <= 0) return;
  const end = performance.now() + us / 1000;
  let i = 0;
  while (performance.now() < end) {
    // spin (walking a buffer when REPLAY_THRASH_KB is set: the host's cache footprint)
    for (let k = 0; k < 256 && THRASH.length > 0; k++) THRASH[(i = (i + 16) % THRASH.length)]! += 1;
  }
}

/** One host answer as the handler returned it (values copied). */
type Answer =
  | { readonly kind: "read"; readonly value: Uint8Array | undefined; readonly gasUsed: bigint }
  | { readonly kind: "gas"; readonly gasUsed: bigint }
  | { readonly kind: "query"; readonly result: Uint8Array; readonly gasUsed: bigint }
  | { readonly kind: "charge"; readonly index: number }
  | { readonly kind: "remaining"; readonly remaining: bigint | undefined };

interface Recorded {
  readonly payload: Uint8Array;
  readonly gasLimit: bigint | undefined;
  readonly answers: Answer[];
  readonly result: string;
  readonly gasUsed: bigint;
}

const resultKey = (r: { ok: Uint8Array } | { error: { code: number; message: string } }): string =>
  "ok" in r ? Buffer.from(r.ok).toString("hex") : `error ${r.error.code} ${r.error.message}`;

/**
 * A handler that passes every OCALL to `h` and records its answer — the prefetch hooks too (the charge of each
 * read the enclave took from the ECALL's offer, and the remaining gas sent back with every `charged` OCALL).
 */
function recording(h: OcallHandler, answers: Answer[]): OcallHandler {
  return {
    ...(h.chargePrefetched === undefined
      ? {}
      : {
          chargePrefetched: (index: number) => {
            h.chargePrefetched?.(index);
            answers.push({ kind: "charge", index });
          },
        }),
    ...(h.remainingGas === undefined
      ? {}
      : {
          remainingGas: () => {
            const remaining = h.remainingGas?.();
            answers.push({ kind: "remaining", remaining });
            return remaining;
          },
        }),
    readDb: (k) => {
      const r = h.readDb(k);
      answers.push({ kind: "read", value: r.value?.slice(), gasUsed: r.gasUsed });
      return r;
    },
    writeDb: (k, v) => {
      const r = h.writeDb(k, v);
      answers.push({ kind: "gas", gasUsed: r.gasUsed });
      return r;
    },
    removeDb: (k) => {
      const r = h.removeDb(k);
      answers.push({ kind: "gas", gasUsed: r.gasUsed });
      return r;
    },
    queryChain: (q, g, d) => {
      const r = h.queryChain(q, g, d);
      answers.push({ kind: "query", result: r.result.slice(), gasUsed: r.gasUsed });
      return r;
    },
  };
}

/** A handler that answers from the recording, in order (throws if the enclave asks for something else). */
function replaying(answers: readonly Answer[]): { handler: OcallHandler; used: () => number } {
  let i = 0;
  const next = <T extends Answer["kind"]>(kind: T): Extract<Answer, { kind: T }> => {
    const a = answers[i++];
    if (a?.kind !== kind) throw new Error(`replay: OCALL ${i} is not a ${kind}`);
    if (kind === "read" || kind === "query") busy(OCALL_US);
    return a as Extract<Answer, { kind: T }>;
  };
  const handler: OcallHandler = {
    readDb: () => {
      const a = next("read");
      return { value: a.value?.slice(), gasUsed: a.gasUsed };
    },
    writeDb: () => ({ gasUsed: next("gas").gasUsed }),
    removeDb: () => ({ gasUsed: next("gas").gasUsed }),
    queryChain: () => {
      const a = next("query");
      return { result: a.result.slice(), gasUsed: a.gasUsed };
    },
    chargePrefetched: (index) => {
      if (next("charge").index !== index)
        throw new Error(`replay: OCALL ${i} charges another prefetched read`);
    },
    remainingGas: () => next("remaining").remaining,
  };
  return { handler, used: () => i };
}

async function main(): Promise<void> {
  const node = await startNode(1000);
  try {
    const s = await deploySnip20(node);
    const txs = await signTransfers(node, s, K);
    const calls: Recorded[] = [];
    const ecall = node.enclave.ecall.bind(node.enclave);
    node.enclave.ecall = (name, payload, opts) => {
      if (name !== "execute" || opts?.ocalls === undefined) return ecall(name, payload, opts);
      const answers: Answer[] = [];
      const r = ecall(name, payload, { ...opts, ocalls: recording(opts.ocalls, answers) });
      calls.push({
        payload: payload.slice(),
        gasLimit: opts.gasLimit,
        answers,
        result: resultKey(r),
        gasUsed: r.gasUsed,
      });
      return r;
    };
    await runTxs(node, txs, 500);
    node.enclave.ecall = ecall;
    const perCall = calls.reduce((n, c) => n + c.answers.length, 0) / calls.length;
    console.log(`recorded ${calls.length} execute ECALLs, ${perCall.toFixed(2)} host store/query calls each`);
    const round = (): void => {
      calls.forEach((c, n) => {
        busy(GAP_US);
        const { handler, used } = replaying(c.answers);
        const r = ecall("execute", c.payload, {
          ...(c.gasLimit === undefined ? {} : { gasLimit: c.gasLimit }),
          ocalls: handler,
        });
        if (resultKey(r) !== c.result || r.gasUsed !== c.gasUsed || used() !== c.answers.length) {
          throw new Error(`replay of call ${n} differs (result, gas or host calls)`);
        }
      });
    };
    round(); // warm-up; the worker's caches now hold the last transfer's state, as between blocks
    const pid = String(process.pid);
    for (let k = 0; k < ROUNDS; k++) {
      const t0 = threadNs();
      const w0 = performance.now();
      round();
      const wall = performance.now() - w0;
      const deltas = [...threadNs()]
        .map(([tid, ns]) => [tid, (ns - (t0.get(tid) ?? ns)) / 1e6 / calls.length] as const)
        .sort((a, b) => b[1] - a[1]);
      const main = deltas.find(([tid]) => tid === pid)?.[1] ?? 0;
      const others = deltas.filter(([tid]) => tid !== pid);
      const rest = others.slice(1).reduce((a, [, v]) => a + v, 0);
      console.log(
        `round ${k + 1}: enclave worker ${others[0]?.[1].toFixed(3) ?? "?"} | main ${main.toFixed(3)} | other threads ${rest.toFixed(3)} | wall ${(wall / calls.length).toFixed(3)} ms per transfer`,
      );
    }
  } finally {
    await node.close();
  }
}

await main();
