// REST (grpc-gateway) JSON rendering of a decoded tx, as `GET /cosmos/tx/v1beta1/txs/{hash}` shows it:
// proto field names, uint64 as strings, bytes as base64, Any as {"@type", ...fields}.
import { toBase64, toHex } from "../../util/bytes.js";
import type { DecodedTx, AnyValue } from "./decode.js";
import { SignMode } from "./decode.js";
import type { TxResult } from "./runTx.js";

export const TX_TYPE_URL = "/cosmos.tx.v1beta1.Tx";

const SIGN_MODE_NAMES: Record<number, string> = {
  [SignMode.Unspecified]: "SIGN_MODE_UNSPECIFIED",
  [SignMode.Direct]: "SIGN_MODE_DIRECT",
  [SignMode.Textual]: "SIGN_MODE_TEXTUAL",
  [SignMode.DirectAux]: "SIGN_MODE_DIRECT_AUX",
  [SignMode.LegacyAminoJson]: "SIGN_MODE_LEGACY_AMINO_JSON",
};

/** Unknown Any payloads (extension options) are shown with their raw value, as the gateway cannot expand them. */
function anyJson(a: AnyValue): Record<string, unknown> {
  return { "@type": a.typeUrl, value: toBase64(a.value) };
}

function signerInfoJson(si: DecodedTx["signerInfos"][number]): Record<string, unknown> {
  const publicKey =
    si.publicKey === undefined
      ? null
      : si.secp256k1PubKey !== undefined
        ? { "@type": si.publicKey.typeUrl, key: toBase64(si.secp256k1PubKey) }
        : anyJson(si.publicKey);
  const modeInfo =
    typeof si.mode === "number" ? { single: { mode: SIGN_MODE_NAMES[si.mode] ?? String(si.mode) } } : null;
  return { public_key: publicKey, mode_info: modeInfo, sequence: si.sequence.toString() };
}

/** The `tx` object (Tx without "@type"): body, auth_info, signatures. */
export function txToJson(tx: DecodedTx): Record<string, unknown> {
  return {
    body: {
      messages: tx.messages.map((m) => ({ "@type": m.typeUrl, ...m.type.toJson(m.value) })),
      memo: tx.memo,
      timeout_height: tx.timeoutHeight.toString(),
      extension_options: tx.extensionOptions.map(anyJson),
      non_critical_extension_options: tx.nonCriticalExtensionOptions.map(anyJson),
    },
    auth_info: {
      signer_infos: tx.signerInfos.map(signerInfoJson),
      fee: {
        amount: tx.fee.amount.map((c) => ({ denom: c.denom, amount: c.amount })),
        gas_limit: tx.fee.gasLimit.toString(),
        payer: tx.fee.payer,
        granter: tx.fee.granter,
      },
      tip: null,
    },
    signatures: tx.signatures.map(toBase64),
  };
}

/** `tx_response.tx`: the same object as an Any ({"@type": "/cosmos.tx.v1beta1.Tx", ...}). */
export function txToAnyJson(tx: DecodedTx): Record<string, unknown> {
  return { "@type": TX_TYPE_URL, ...txToJson(tx) };
}

/** Where a delivered tx landed; the REST layer supplies these from the block. */
export interface TxInclusion {
  readonly height: bigint;
  /** Block time, RFC 3339 (e.g. "2026-01-01T00:00:00Z"). */
  readonly timestamp: string;
}

/**
 * `tx_response` as SDK v0.50 renders it (spec secretjs-compat §3): `code` a number, heights/gas strings, `data`
 * uppercase hex of TxMsgData (always present, "" when empty), `raw_log` "" on success, events with `index`.
 */
export function txResponseJson(result: TxResult, inclusion: TxInclusion): Record<string, unknown> {
  return {
    height: inclusion.height.toString(),
    txhash: result.tx === undefined ? "" : toHex(result.tx.hash).toUpperCase(),
    codespace: result.codespace,
    code: result.code,
    data: toHex(result.data).toUpperCase(),
    raw_log: result.log,
    logs: [],
    info: "",
    gas_wanted: result.gasWanted.toString(),
    gas_used: result.gasUsed.toString(),
    tx: result.tx === undefined ? null : txToAnyJson(result.tx),
    timestamp: inclusion.timestamp,
    events: result.events.map((e) => ({
      type: e.type,
      attributes: e.attributes.map((a) => ({ key: a.key, value: a.value, index: a.index })),
    })),
  };
}
