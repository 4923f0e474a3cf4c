// SIGN_MODE_LEGACY_AMINO_JSON sign bytes: the StdSignDoc rebuilt from the decoded tx, serialized as sorted,
// compact JSON with &, <, > escaped (cosmjs @cosmjs/amino serializeSignDoc, which secretjs' AminoWallet signs;
// SDK x/auth/migrations/legacytx StdSignBytes). Message shapes follow secretjs' toAmino() (spec secretjs-compat §2).
import { ChainError, SdkErrors } from "../errors.js";
import { utf8 } from "../../util/bytes.js";
import type { DecodedTx } from "./decode.js";

/** An amino message: `{type, value}` with amino field names. */
export interface AminoMsg {
  readonly type: string;
  readonly value: Record<string, unknown>;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json | undefined };

/** JSON.stringify with object keys sorted at every level; undefined members are dropped (as JSON.stringify). */
export function sortedJson(v: Json | undefined): string {
  if (v === undefined) return "null"; // only reachable for array items, which JSON.stringify also renders as null
  if (v === null || typeof v !== "object") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map((x) => sortedJson(x)).join(",")}]`;
  const keys = Object.keys(v)
    .filter((k) => v[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${sortedJson(v[k])}`).join(",")}}`;
}

/** cosmjs escapeCharacters: the only escapes Go's encoding/json adds that JSON.stringify does not. */
function escapeHtml(s: string): string {
  return s.replace(/&/g, "\\u0026").replace(/</g, "\\u003c").replace(/>/g, "\\u003e");
}

/** The bytes an amino signer signed (before sha256) for signer `sequence` of `tx`. */
export function aminoSignBytes(
  tx: DecodedTx,
  chainId: string,
  accountNumber: bigint,
  sequence: bigint,
): Uint8Array {
  const msgs = tx.messages.map((m) => {
    if (m.type.toAmino === undefined) {
      throw new ChainError(SdkErrors.NotSupported, `${m.typeUrl} has no amino JSON form`);
    }
    return m.type.toAmino(m.value);
  });
  const fee = {
    amount: tx.fee.amount.map((c) => ({ amount: c.amount, denom: c.denom })),
    gas: tx.fee.gasLimit.toString(),
    granter: tx.fee.granter === "" ? undefined : tx.fee.granter,
    payer: tx.fee.payer === "" ? undefined : tx.fee.payer,
  };
  const doc = {
    account_number: accountNumber.toString(),
    chain_id: chainId,
    fee,
    memo: tx.memo,
    msgs: msgs as unknown as Json[],
    sequence: sequence.toString(),
    timeout_height: tx.timeoutHeight === 0n ? undefined : tx.timeoutHeight.toString(),
  };
  return utf8.encode(escapeHtml(sortedJson(doc)));
}
