// Verify-ahead: at FinalizeBlock start, every user-signed contract call of the block has its signature queued
// on the enclave's verify lane (src/enclave/verifyLane.ts), which checks them on the otherwise idle core while
// the main isolate executes; each execute ECALL then carries its verdict token if one has come back, and the
// enclave skips that secp256k1 verify. Speed only: results, gas and state are the same with or without tokens.
import { toHex } from "../../util/bytes.js";
import type { SignatureCheck, VerdictLane } from "../../enclave/api.js";
import { fromBech32, toBech32 } from "../address.js";
import { sigInfoFor, type ComputeMsgDeps } from "../modules/compute/msgServer.js";
import { COMPUTE_TYPE_URLS as T } from "../modules/compute/proto.js";
import type {
  MsgExecuteContract,
  MsgInstantiateContract,
  MsgMigrateContract,
} from "../modules/compute/proto.js";
import type { Context } from "../tx/context.js";
import type { DecodedMsg } from "../tx/msgRegistry.js";
import { decodeTxCached } from "../tx/txCache.js";
import type { DecodedTx } from "../tx/decode.js";
import type { ChainModules } from "./modules.js";

/** The lane's handle of one check: the tx and the signer, as the engine knows them at the call. */
const keyOf = (txHash: Uint8Array, senderBech32: string): string => `${toHex(txHash)}:${senderBech32}`;

/** The user-signed sender of a contract call (instantiate / execute / migrate with no callback signature). */
function signedSender(m: DecodedMsg): Uint8Array | undefined {
  switch (m.typeUrl) {
    case T.MsgExecuteContract: {
      const v = m.value as MsgExecuteContract;
      return v.callbackSig.length === 0 ? v.sender : undefined;
    }
    case T.MsgInstantiateContract: {
      const v = m.value as MsgInstantiateContract;
      return v.callbackSig.length === 0 ? v.sender : undefined;
    }
    case T.MsgMigrateContract: {
      const v = m.value as MsgMigrateContract;
      if (v.callbackSig.length !== 0) return undefined;
      try {
        return fromBech32(v.sender, "sender");
      } catch {
        return undefined;
      }
    }
    default:
      return undefined;
  }
}

export class VerifyAhead {
  constructor(
    private readonly lane: VerdictLane,
    private readonly modules: ChainModules,
  ) {
    modules.compute.engine.verdicts = (txHash, sender) => lane.token(keyOf(txHash, sender));
  }

  /**
   * Queues the block's signature checks. `ctx` reads the block's state before its first tx (account numbers
   * and keys for the sign bytes, built exactly as the execute path builds them); it is not written.
   */
  beginBlock(ctx: Context, txs: readonly Uint8Array[]): void {
    try {
      this.queueBlock(ctx, txs);
    } catch {
      // Speed only: whatever went wrong here, the block executes as it would without a lane.
    }
  }

  private queueBlock(ctx: Context, txs: readonly Uint8Array[]): void {
    this.lane.clear();
    const checks: SignatureCheck[] = [];
    const seen = new Set<string>();
    for (const raw of txs) {
      let tx: DecodedTx;
      try {
        tx = decodeTxCached(raw, this.modules.registry);
      } catch {
        continue; // runTx reports it
      }
      for (const m of tx.messages) {
        const sender = signedSender(m);
        if (sender === undefined) continue;
        const key = keyOf(tx.hash, toBech32(sender));
        if (seen.has(key)) continue;
        seen.add(key);
        const check = this.checkOf(ctx, tx, sender, key);
        if (check !== undefined) checks.push(check);
      }
    }
    if (checks.length > 0) this.lane.submit(checks);
  }

  private checkOf(ctx: Context, tx: DecodedTx, sender: Uint8Array, key: string): SignatureCheck | undefined {
    const deps: Pick<ComputeMsgDeps, "block" | "accounts"> = {
      accounts: this.modules.auth.keeper,
      block: { blockRandom: () => undefined, txOf: () => tx },
    };
    let info;
    try {
      info = sigInfoFor(deps, ctx, sender);
    } catch {
      return undefined;
    }
    if (info === undefined) return undefined;
    return {
      key,
      signMode: info.signMode,
      signer: sender,
      signBytes: info.signBytes,
      signature: info.signature,
      publicKey: info.publicKey,
    };
  }
}

/** A VerifyAhead when the node's enclave runs a verify lane (EnclaveHost `verifyLane`), else undefined. */
export function verifyAheadFor(enclave: unknown, modules: ChainModules): VerifyAhead | undefined {
  if (typeof enclave !== "object" || enclave === null || !("verdictLane" in enclave)) return undefined;
  const lane = (enclave as { verdictLane: VerdictLane | undefined }).verdictLane;
  return lane === undefined ? undefined : new VerifyAhead(lane, modules);
}
