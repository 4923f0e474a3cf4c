// PrepareProposal / ProcessProposal: the block random injected as the first tx (spec secret-protocol §9,
// issue 4 §4); the proposer's txs checked on a discardable candidate overlay (ante only) within max_tx_bytes and
// the block gas limit (consensus params' max_gas: the sum of the txs' gas wanted, SDK v0.50 defaultTxSelector);
// other validators' proposals accepted as SN's SDK does (no app mempool: NoOpProcessProposal) but for the random.
import { createHash } from "node:crypto";
import type { BlockRef } from "../../enclave/api.js";
import { u32be, u64be } from "../../util/bytes.js";
import { MemoryOverlay } from "../store/memory.js";
import type { KVReader } from "../store/types.js";
import { decodeTxCached } from "../tx/txCache.js";
import { runTx, type TxEnv } from "../tx/runTx.js";
import { decodeRandomTx, encodeRandomTx, isRandomTx, type BlockRandomEnclave } from "../random.js";

/**
 * PrepareProposal's check of the mempool's txs. "full": each runs ante (signature, sequence, fee) on a candidate
 * overlay, so a tx that would fail is left out (runTx "recheck": CheckTx's ante without events). "decode": only decoding is checked (benchmarks of a single
 * trusted validator).
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
  /** consensus_params.block.max_gas when limited (> 0); undefined = unlimited. */
  readonly maxGas: bigint | undefined;
}

/** The tx's gas wanted when it passes the checks, else undefined. */
function txPasses(
  p: ProposalEnv,
  env: TxEnv,
  candidate: MemoryOverlay,
  tx: Uint8Array,
  i: number,
): bigint | undefined {
  if (p.checks === "decode") {
    try {
      return decodeTxCached(tx, env.registry).fee.gasLimit;
    } catch {
      return undefined;
    }
  }
  // "recheck": check's ante (code, log, gas and writes are check's: tx/recheck.test.ts) without building the
  // events, which a proposal never reads.
  const r = runTx(env, candidate, tx, "recheck", {
    chainId: p.chainId,
    height: p.height,
    timeNs: p.timeNs,
    txIndex: i,
  });
  return r.code === 0 ? r.gasWanted : undefined;
}

/** Most txs one CheckedTxLog remembers; past it the log gives up (PrepareProposal then checks in full). */
export const CHECKED_LOG_MAX = 20_000;

/**
 * The txs that passed CheckTx, in order, since the CheckTx state was last reset (Commit, InitChain) at
 * `height`. While it is intact, the CheckTx state is exactly "ante of these txs, in this order, from the block's
 * base state" — what PrepareProposal's full check would rebuild on its candidate overlay — so a proposal that
 * takes a prefix of it in order needs no second ante run (same verdicts, same gas wanted). This holds because
 * ante reads neither block time nor tx index (the only block facts that differ between CheckTx and
 * PrepareProposal); the property test in proposal.test.ts compares both paths.
 */
export class CheckedTxLog {
  private readonly txs: Uint8Array[] = [];
  private readonly gas: bigint[] = [];
  private intact = true;

  constructor(readonly height: bigint) {}

  /** Records a tx that passed CheckTx (its writes are in the CheckTx state). `raw` must not change later. */
  add(raw: Uint8Array, gasWanted: bigint): void {
    if (!this.intact) return;
    if (this.txs.length >= CHECKED_LOG_MAX) {
      this.invalidate();
      return;
    }
    this.txs.push(raw);
    this.gas.push(gasWanted);
  }

  /** The CheckTx state no longer matches the log (e.g. writes kept by a CheckTx that then failed). */
  invalidate(): void {
    this.intact = false;
    this.txs.length = 0;
    this.gas.length = 0;
  }

  /** Gas wanted of the i-th logged tx if the log is intact and that entry's bytes equal `raw`. */
  gasAt(i: number, raw: Uint8Array): bigint | undefined {
    const mine = this.txs[i];
    if (!this.intact || mine === undefined) return undefined;
    return mine === raw || Buffer.compare(mine, raw) === 0 ? this.gas[i] : undefined;
  }
}

/**
 * The fast path of prepareTxs: when the candidate txs are, in order, the CheckTx log's first txs, they pass
 * exactly as they did in CheckTx; returns the selected txs (a prefix, by the same byte and gas limits), or
 * undefined to check in full (any tx not in the log, or one the limits would skip rather than stop at).
 */
export function fromCheckedLog(
  p: ProposalEnv,
  log: CheckedTxLog,
  txs: readonly Uint8Array[],
  size0: bigint,
  maxTxBytes: bigint,
): Uint8Array[] | undefined {
  if (p.checks !== "full" || log.height !== p.height) return undefined;
  const out: Uint8Array[] = [];
  let size = size0;
  let gas = 0n;
  for (const [i, tx] of txs.entries()) {
    const wanted = log.gasAt(i, tx);
    if (wanted === undefined) return undefined;
    if (size + BigInt(tx.length) > maxTxBytes) return undefined;
    if (p.maxGas !== undefined && gas + wanted > p.maxGas) return undefined;
    out.push(tx);
    size += BigInt(tx.length);
    gas += wanted;
    if (p.maxGas !== undefined && gas >= p.maxGas) break;
  }
  return out;
}

/** Gas wanted of a tx without running it (undefined when it does not decode). */
function gasWanted(env: TxEnv, tx: Uint8Array): bigint | undefined {
  try {
    return decodeTxCached(tx, env.registry).fee.gasLimit;
  } catch {
    return undefined;
  }
}

/**
 * The proposer's block: [random tx] + the mempool txs that still pass, within `maxTxBytes` and, when limited,
 * with the sum of their gas wanted ≤ max_gas (a tx that does not fit is skipped; selection stops once full).
 */
export function prepareTxs(
  p: ProposalEnv,
  txs: readonly Uint8Array[],
  maxTxBytes: bigint,
  log?: CheckedTxLog,
): Uint8Array[] {
  const out: Uint8Array[] = [];
  let size = 0n;
  if (p.enclave !== undefined) {
    const { encrypted, proof } = p.enclave.generateBlockRandom(p.ref);
    const rtx = encodeRandomTx(encrypted, proof);
    out.push(rtx);
    size += BigInt(rtx.length);
  }
  const logged = log === undefined ? undefined : fromCheckedLog(p, log, txs, size, maxTxBytes);
  if (logged !== undefined) return [...out, ...logged];
  const candidate = new MemoryOverlay(p.base);
  let gas = 0n;
  for (const tx of txs) {
    if (isRandomTx(tx)) continue; // only the proposer's own enclave makes one
    if (size + BigInt(tx.length) > maxTxBytes) continue;
    if (p.maxGas !== undefined) {
      const wanted = gasWanted(p.env, tx);
      if (wanted === undefined || gas + wanted > p.maxGas) continue;
    }
    // Locally: the proposer's own minimum gas price applies (CheckTx semantics). Its writes stay in the
    // candidate only when it passes (runTx check mode keeps nothing on failure).
    const wanted = txPasses(p, p.env, candidate, tx, out.length);
    if (wanted === undefined) continue;
    out.push(tx);
    size += BigInt(tx.length);
    gas += wanted;
    if (p.maxGas !== undefined && gas >= p.maxGas) break;
  }
  return out;
}

/**
 * Why a proposal is refused, or undefined to accept it. Like SN's ProcessProposal — the SDK v0.50 default with
 * no app-side mempool (baseapp NoOpProcessProposal: ACCEPT) — a proposal's txs are not re-run here: a tx that
 * fails ante fails in FinalizeBlock with its coded result and no effect, as on SN. Refused: a block random that
 * is missing, does not verify or appears twice (ours: SN checks its random in its CometBFT fork's header), and,
 * with a block gas limit, txs whose gas wanted sums past it (CometBFT never reaps such a block; a tx that does
 * not decode counts 0, as the SDK's tx selector counts a tx without a gas limit).
 */
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
  let gas = 0n;
  for (const tx of rest) {
    if (isRandomTx(tx)) return "a block random outside the first position";
    if (p.maxGas === undefined) continue;
    gas += gasWanted(p.env, tx) ?? 0n;
    if (gas > p.maxGas) return `the txs want ${gas} gas, over max_gas ${p.maxGas}`;
  }
  return undefined;
}

/** sha256 over height, base app hash, validator-set hash and each tx (length-prefixed). */
export function proposalDigest(
  height: bigint,
  lastAppHash: Uint8Array,
  nextValidatorsHash: Uint8Array,
  txs: readonly Uint8Array[],
): Uint8Array {
  // node:crypto rather than JS sha256: a 500-tx block hashes ~350 KB here, twice per block (Prepare, Process).
  const h = createHash("sha256").update(u64be(height)).update(u32be(lastAppHash.length)).update(lastAppHash);
  h.update(u32be(nextValidatorsHash.length)).update(nextValidatorsHash);
  for (const tx of txs) h.update(u32be(tx.length)).update(tx);
  return new Uint8Array(h.digest());
}
