// Recording and replaying a chain's `execute` ECALLs (payload, gas limit, result, gas, and the host's OCALL
// answers in order), for the benches that replay the enclave's side alone (enclaveReplay.ts, prepareReplay.ts).
import type { OcallHandler } from "../../src/enclave/api.js";
import type { startNode } from "./setup.js";

/** One host answer as the handler returned it (values copied). */
export type Answer =
  | { readonly kind: "read"; readonly value: Uint8Array | undefined; readonly gasUsed: bigint }
  | { readonly kind: "gas"; readonly gasUsed: bigint }
  | { readonly kind: "query"; readonly result: Uint8Array; readonly gasUsed: bigint }
  | { readonly kind: "charge"; readonly index: number }
  | { readonly kind: "remaining"; readonly remaining: bigint | undefined }
  | { readonly kind: "peek"; readonly answer: ReturnType<NonNullable<OcallHandler["peekRead"]>> };

export interface Recorded {
  readonly payload: Uint8Array;
  readonly gasLimit: bigint | undefined;
  readonly answers: Answer[];
  readonly result: string;
  readonly gasUsed: bigint;
}

export const resultKey = (r: { ok: Uint8Array } | { error: { code: number; message: string } }): string =>
  "ok" in r ? Buffer.from(r.ok).toString("hex") : `error ${r.error.code} ${r.error.message}`;

/**
 * A handler that passes every OCALL to `h` and records its answer — the prefetch hooks too (the charge of each
 * read the enclave took from the ECALL's offer, and the remaining gas sent back with every `charged` OCALL).
 */
export function recording(h: OcallHandler, answers: Answer[], peek: boolean): OcallHandler {
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
    ...(h.peekRead === undefined || !peek
      ? {}
      : {
          peekRead: (key: Uint8Array) => {
            const a = h.peekRead?.(key);
            answers.push({ kind: "peek", answer: a && { ...a, value: a.value?.slice() } });
            return a;
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
export function replaying(
  answers: readonly Answer[],
  onAnswer: () => void = () => undefined,
): { handler: OcallHandler; used: () => number } {
  let i = 0;
  const next = <T extends Answer["kind"]>(kind: T): Extract<Answer, { kind: T }> => {
    const a = answers[i++];
    if (a?.kind !== kind) throw new Error(`replay: OCALL ${i} is not a ${kind}`);
    if (kind === "read" || kind === "query") onAnswer();
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
    // The worker keeps its companion-read rules from the recording, so a replayed call may peek where the
    // recorded one (earlier, before the rule existed) did not: nothing is offered then, as a host may do.
    peekRead: () => {
      if (answers[i]?.kind !== "peek") return undefined;
      const a = next("peek").answer;
      return a && { ...a, value: a.value?.slice() };
    },
  };
  return { handler, used: () => i };
}

/**
 * Runs `run` with `node`'s execute ECALLs recorded (the recording host offering peeks or not) and returns them;
 * the node's door is restored afterwards.
 */
export async function recordExecutes(
  node: Awaited<ReturnType<typeof startNode>>,
  run: () => Promise<unknown>,
  peek: boolean,
): Promise<Recorded[]> {
  const calls: Recorded[] = [];
  const ecall = node.enclave.ecall.bind(node.enclave);
  node.enclave.ecall = (name, payload, opts) => {
    if (name !== "execute" || opts?.ocalls === undefined) return ecall(name, payload, opts);
    const answers: Answer[] = [];
    const r = ecall(name, payload, { ...opts, ocalls: recording(opts.ocalls, answers, peek) });
    calls.push({
      payload: payload.slice(),
      gasLimit: opts.gasLimit,
      answers,
      result: resultKey(r),
      gasUsed: r.gasUsed,
    });
    return r;
  };
  try {
    await run();
  } finally {
    node.enclave.ecall = ecall;
  }
  return calls;
}
