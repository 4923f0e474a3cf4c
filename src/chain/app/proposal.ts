// PrepareProposal / ProcessProposal: the block random injected as the first tx (spec secret-protocol §9,
// issue 4 §4) and the proposal's txs checked on a discardable candidate overlay, as the SDK's default proposal
// handlers do (PrepareProposalVerifyTx / ProcessProposalVerifyTx: ante only).
import type { BlockRef } from "../../enclave/api.js";
import { MemoryOverlay } from "../store/memory.js";
import type { KVReader } from "../store/types.js";
import { decodeTx } from "../tx/decode.js";
import { runTx, type TxEnv } from "../tx/runTx.js";
import { decodeRandomTx, encodeRandomTx, isRandomTx, type BlockRandomEnclave } from "../random.js";

/**
 * "full": every proposal tx runs ante (signature, sequence, fee) on a candidate overlay (SDK default).
 * "decode": only decoding is checked (faster; for benchmarks of a single trusted validator).
 */
export type ProposalChecks = "full" | "decode";

export interface ProposalEnv {
  readonly env: TxEnv;
  readonly base: KVReader;
  readonly chainId: string;
  readonly height: bigint;
  readonly timeNs: bigint;
  readonly checks: ProposalChecks;
  readonly enclave: BlockRandomEnclave | undefined;
  readonly ref: BlockRef;
}

function txPasses(p: ProposalEnv, env: TxEnv, candidate: MemoryOverlay, tx: Uint8Array, i: number): boolean {
  if (p.checks === "decode") {
    try {
      decodeTx(tx, env.registry);
      return true;
    } catch {
      return false;
    }
  }
  const r = runTx(env, candidate, tx, "check", {
    chainId: p.chainId,
    height: p.height,
    timeNs: p.timeNs,
    txIndex: i,
  });
  return r.code === 0;
}

/** The proposer's block: [random tx] + the mempool txs that still pass, within `maxTxBytes`. */
export function prepareTxs(p: ProposalEnv, txs: readonly Uint8Array[], maxTxBytes: bigint): Uint8Array[] {
  const out: Uint8Array[] = [];
  let size = 0n;
  if (p.enclave !== undefined) {
    const { encrypted, proof } = p.enclave.generateBlockRandom(p.ref);
    const rtx = encodeRandomTx(encrypted, proof);
    out.push(rtx);
    size += BigInt(rtx.length);
  }
  const candidate = new MemoryOverlay(p.base);
  for (const tx of txs) {
    if (isRandomTx(tx)) continue; // only the proposer's own enclave makes one
    if (size + BigInt(tx.length) > maxTxBytes) continue;
    // Locally: the proposer's own minimum gas price applies (CheckTx semantics).
    if (!txPasses(p, p.env, candidate, tx, out.length)) continue;
    out.push(tx);
    size += BigInt(tx.length);
  }
  return out;
}

/** Why a proposal is refused, or undefined to accept it. */
export function checkProposal(p: ProposalEnv, txs: readonly Uint8Array[]): string | undefined {
  let rest = txs;
  if (p.enclave !== undefined) {
    const parts = txs[0] === undefined ? undefined : decodeRandomTx(txs[0]);
    if (parts === undefined) return "the first tx is not a block random";
    try {
      p.enclave.verifyBlockRandom(p.ref, parts.encrypted, parts.proof);
    } catch {
      return "the block random does not verify";
    }
    rest = txs.slice(1);
  }
  // Other validators' minimum gas prices are not ours to enforce (SDK ProcessProposal: no min-gas check).
  const env: TxEnv = { ...p.env, ante: { minGasPrices: [] } };
  const candidate = new MemoryOverlay(p.base);
  for (const [i, tx] of rest.entries()) {
    if (isRandomTx(tx)) return "a block random outside the first position";
    if (!txPasses(p, env, candidate, tx, i + txs.length - rest.length)) return `tx ${i} fails its checks`;
  }
  return undefined;
}
