// SIGN_MODE_DIRECT sign bytes of a decoded tx (SDK SignDoc). Compute's sig_info remembers them per decoded tx in
// FinalizeBlock (the verify lane's check or the prepared call builds them, the execute reuses them).
import { SignDoc } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import type { DecodedTx } from "./decode.js";

/** The last sign bytes built per decoded tx object, with the two inputs that are not the tx's own. */
const built = new WeakMap<DecodedTx, { chainId: string; accountNumber: bigint; bytes: Uint8Array }>();

/**
 * SignDoc{body bytes, auth info bytes, chain id, account number} encoded (SDK x/auth/tx direct mode). Remembered
 * only for a frozen (cached) tx, whose body and auth info are fixed; the bytes are shared: callers only read them.
 */
export function directSignBytes(tx: DecodedTx, chainId: string, accountNumber: bigint): Uint8Array {
  const seen = built.get(tx);
  if (seen !== undefined && seen.chainId === chainId && seen.accountNumber === accountNumber)
    return seen.bytes;
  const bytes = encodeDirectSignBytes(tx, chainId, accountNumber);
  if (Object.isFrozen(tx)) built.set(tx, { chainId, accountNumber, bytes });
  return bytes;
}

/**
 * The same bytes, not remembered: CheckTx's ante, whose tx then waits in the mempool. Keeping ~0.7 KB of sign
 * bytes per pending tx cost more in scavenges than it saved (bench:chain bank sends: host CPU +6–12%, measured);
 * FinalizeBlock's sig_info builds and remembers them instead (deliver's ante needs none: SigVerdictCache.byTx).
 */
export function encodeDirectSignBytes(tx: DecodedTx, chainId: string, accountNumber: bigint): Uint8Array {
  return SignDoc.encode({
    bodyBytes: tx.bodyBytes,
    authInfoBytes: tx.authInfoBytes,
    chainId,
    accountNumber,
  }).finish();
}
