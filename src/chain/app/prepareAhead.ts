// Prepared calls: while FinalizeBlock's main thread applies tx i's answer and runs tx i+1's ante, the enclave
// would idle; instead, as soon as tx i's contract ECALL returns, it is sent tx i+1's call to run its
// state-independent input checks (decrypt, signature binding, contract key: src/enclave/README.md §1 "Prepared
// calls"). The execute ECALL then finds them done. Speed only: results, gas and state are the same either way.
import { MemoryOverlay } from "../store/memory.js";
import { executeAhead } from "../modules/compute/msgServer.js";
import { isRandomTx } from "../random.js";
import type { Context } from "../tx/context.js";
import { decodeTxCached } from "../tx/txCache.js";
import { appContext } from "./context.js";
import type { ChainModules } from "./modules.js";

/** The enclave's side of it (EnclaveHost). */
export interface PrepareEnclave {
  prepareCall(op: "instantiate" | "execute" | "migrate", payload: Uint8Array): boolean;
  readonly activeDepth: number;
}

interface Block {
  readonly txs: readonly Uint8Array[];
  /** Reads the block's state as it stands (an overlay nothing writes to), with its own unlimited gas meter. */
  readonly ctx: Context;
}

export class PrepareAhead {
  private block: Block | undefined;
  /** The tx to prepare when the next ECALL returns (-1: none). */
  private next = -1;
  /** prepareCall requests sent (tests, benches). */
  sent = 0;
  /** Off: nothing is sent (in-process A/B benches). */
  enabled = true;

  constructor(
    private readonly enclave: PrepareEnclave,
    private readonly modules: ChainModules,
  ) {
    modules.compute.engine.afterEcall = () => {
      this.onEcallReturned();
    };
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
  }

  /**
   * Tx i is about to be delivered: tx i+1 is prepared when tx i's first ECALL returns. If tx i itself was due but
   * no ECALL came since (the tx before it made none), it is prepared now, overlapping its own ante.
   */
  delivering(i: number): void {
    if (this.next === i) this.send(i);
    this.next = i + 1;
  }

  endBlock(): void {
    this.block = undefined;
    this.next = -1;
  }

  private onEcallReturned(): void {
    // Only between top-level calls: inside an OCALL handler the enclave is not idle.
    if (this.next < 0 || this.enclave.activeDepth !== 0) return;
    const i = this.next;
    this.next = -1;
    this.send(i);
  }

  private send(i: number): void {
    const b = this.block;
    const raw = b?.txs[i];
    if (b === undefined || raw === undefined || isRandomTx(raw)) return;
    try {
      const tx = decodeTxCached(raw, this.modules.registry);
      const deps = { keeper: this.modules.compute.keeper, accounts: this.modules.auth.keeper };
      const r = executeAhead(deps, b.ctx, tx);
      if (r === undefined) return;
      const engine = this.modules.compute.engine;
      if (this.enclave.prepareCall(r.op as "execute", engine.prepareRequest(b.ctx, r, tx.hash))) this.sent++;
    } catch {
      // Speed only: a tx that does not decode or call as predicted runs unprepared (runTx reports its errors).
    }
  }
}

/** A PrepareAhead when the node's enclave serves prepareCall (EnclaveHost), else undefined. */
export function prepareAheadFor(enclave: unknown, modules: ChainModules): PrepareAhead | undefined {
  if (typeof enclave !== "object" || enclave === null || !("prepareCall" in enclave)) return undefined;
  return new PrepareAhead(enclave as PrepareEnclave, modules);
}
