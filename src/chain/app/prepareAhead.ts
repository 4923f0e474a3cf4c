// Prepared calls: while FinalizeBlock's main thread applies tx i's answer and runs tx i+1's ante, the enclave
// would idle; instead tx i's contract ECALL carries tx i+1's call, whose state-independent input checks
// (decrypt, signature binding, contract key: src/enclave/README.md §1 "Prepared calls") the enclave runs right
// after it answers. The execute ECALL then finds them done. Speed only: results, gas and state are the same.
import { encodePrepareCall } from "../../enclave/api.js";
import { MemoryOverlay } from "../store/memory.js";
import { executeAhead } from "../modules/compute/msgServer.js";
import { isRandomTx } from "../random.js";
import type { Context } from "../tx/context.js";
import { decodeTxCached } from "../tx/txCache.js";
import { appContext } from "./context.js";
import type { ChainModules } from "./modules.js";

/** The enclave's side of it (EnclaveHost): a prepareCall on its own, and whether an ECALL is in progress. */
export interface PrepareEnclave {
  prepareCallRaw(payload: Uint8Array): boolean;
  readonly activeDepth: number;
}

/** A prepare request built ahead, and what its verdict token is looked up by. */
interface Built {
  readonly request: Uint8Array;
  /** The whole prepareCall payload, when no verdict token can come (no verify lane): built with the request. */
  readonly payload: Uint8Array | undefined;
  readonly txHash: Uint8Array;
  readonly sender: string;
}

interface Block {
  readonly txs: readonly Uint8Array[];
  /** Reads the block's state as it stands (an overlay nothing writes to), with its own unlimited gas meter. */
  readonly ctx: Context;
}

export class PrepareAhead {
  private block: Block | undefined;
  /** The tx whose prepare rides on the next ECALL (-1: none). */
  private next = -1;
  /** A prepare built ahead, while this thread waited for the enclave (payload undefined: tx not preparable). */
  private ready: { index: number; built: Built | undefined } | undefined;
  /** The tx whose prepare the current ECALL's wait builds (-1: none). */
  private buildNext = -1;
  /** prepareCall payloads built (riding on an ECALL or sent alone), and those sent alone (tests, benches). */
  prepared = 0;
  sent = 0;
  /** Off: nothing is sent (in-process A/B benches). */
  enabled = true;

  constructor(
    private readonly enclave: PrepareEnclave,
    private readonly modules: ChainModules,
  ) {
    modules.compute.engine.nextPrepare = () => this.forEcall();
    this.buildWhileWaiting = true;
  }

  /**
   * FinalizeBlock start: `state` is the block's overlay (only read here). The first tx is prepared when it is
   * delivered (after BeginBlock's own ECALLs, which would otherwise wait for the prepare).
   */
  beginBlock(
    state: MemoryOverlay,
    at: { chainId: string; height: bigint; timeNs: bigint },
    txs: readonly Uint8Array[],
  ) {
    if (!this.enabled) return;
    this.block = { txs, ctx: appContext(new MemoryOverlay(state), at.chainId, at.height, at.timeNs) };
    this.next = 0;
    this.ready = undefined;
    this.buildNext = -1;
  }

  /**
   * Tx i is about to be delivered: tx i+1's prepare rides on tx i's first ECALL. If tx i itself was due but no
   * ECALL came since (the block's first tx, or the tx before made none), it is sent alone now, overlapping its
   * own ante.
   */
  delivering(i: number): void {
    if (this.next === i) this.send(i);
    this.next = i + 1;
  }

  endBlock(): void {
    this.modules.compute.engine.dropTemplates();
    this.block = undefined;
    this.next = -1;
    this.ready = undefined;
    this.buildNext = -1;
  }

  /** The prepareCall payload to ride on the ECALL starting now: the next tx's, once per tx, top level only. */
  private forEcall(): Uint8Array | undefined {
    // Inside an OCALL handler (a query's ECALL) the enclave is not about to idle.
    if (this.next < 0 || this.enclave.activeDepth !== 0) return undefined;
    const i = this.next;
    this.next = -1;
    // With buildWhileWaiting, the wait for this ECALL builds the prepare of the tx after i (to ride on the next).
    this.buildNext = i + 1;
    return this.take(i);
  }

  /**
   * Build each prepare inside the previous ECALL's wait (the door idle hook, EcallOptions.idle) instead of when
   * it is sent (default on). With a core to itself this thread's wait is free time (+10% SNIP-20 tx/s on a quiet
   * box); on an oversubscribed box it was slower: a transfer's first OCALL, which comes within ~0.1 ms of the
   * request once its checks are prepared, waits for the build (docs/BENCHMARKS.md "Prepared calls (session 8)").
   */
  set buildWhileWaiting(on: boolean) {
    this.modules.compute.engine.whileWaiting = on
      ? () => {
          this.buildNextButOne();
        }
      : undefined;
  }

  /** The door idle hook's task: builds the next-but-one prepare while the enclave works. */
  private buildNextButOne(): void {
    const i = this.buildNext;
    if (i < 0) return;
    this.buildNext = -1;
    this.ready = { index: i, built: this.build(i) };
  }

  /**
   * Tx i's prepareCall payload: the request built while waiting if it is tx i's, else built now; the verify
   * lane's token is looked up only now (it may have come back meanwhile).
   */
  private take(i: number): Uint8Array | undefined {
    const r = this.ready;
    this.ready = undefined;
    const b = r?.index === i ? r.built : this.build(i);
    if (b === undefined) return undefined;
    if (b.payload !== undefined) return b.payload;
    const engine = this.modules.compute.engine;
    return encodePrepareCall("execute", engine.withVerdict(b.request, b.txHash, b.sender));
  }

  /** Sends tx i's prepareCall on its own (no ECALL to ride on). */
  private send(i: number): void {
    const payload = this.take(i);
    if (payload !== undefined && this.enclave.prepareCallRaw(payload)) this.sent++;
  }

  /** Tx i's prepare request, when its first message is a user-signed execute of an existing contract. */
  private build(i: number): Built | undefined {
    const b = this.block;
    const raw = b?.txs[i];
    if (b === undefined || raw === undefined || isRandomTx(raw)) return undefined;
    try {
      const tx = decodeTxCached(raw, this.modules.registry);
      const deps = { keeper: this.modules.compute.keeper, accounts: this.modules.auth.keeper };
      const r = executeAhead(deps, b.ctx, tx);
      if (r === undefined) return undefined;
      const engine = this.modules.compute.engine;
      // With the tx's hash and index in its env (the enclave's binding leaves them out), the request is also
      // the template of the execute's own one (ComputeEngine.prepareRequest).
      const request = engine.prepareRequest({ ...b.ctx, txHash: tx.hash, txIndex: i }, r);
      this.prepared++;
      // Without a verify lane there is no token to look up when it is sent: the payload is final now.
      const payload = engine.verdicts === undefined ? encodePrepareCall("execute", request) : undefined;
      return { request, payload, txHash: tx.hash, sender: r.sender };
    } catch {
      // Speed only: a tx that does not decode or call as predicted runs unprepared (runTx reports its errors).
      return undefined;
    }
  }
}

/** A PrepareAhead when the node's enclave serves prepareCall (EnclaveHost), else undefined. */
export function prepareAheadFor(enclave: unknown, modules: ChainModules): PrepareAhead | undefined {
  if (typeof enclave !== "object" || enclave === null || !("prepareCallRaw" in enclave)) return undefined;
  return new PrepareAhead(enclave as PrepareEnclave, modules);
}
