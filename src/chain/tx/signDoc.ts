// SIGN_MODE_DIRECT sign bytes of a decoded tx (SDK SignDoc), remembered per decoded tx: CheckTx's ante builds
// them, then FinalizeBlock's compute sig_info (and the verify lane's check or a prepared call) need the same bytes.
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
  const bytes = SignDoc.encode({
    bodyBytes: tx.bodyBytes,
    authInfoBytes: tx.authInfoBytes,
    chainId,
    accountNumber,
  }).finish();
  if (Object.isFrozen(tx)) built.set(tx, { chainId, accountNumber, bytes });
  return bytes;
}
