// Tx decoding: TxRaw -> TxBody/AuthInfo -> typed messages via the registry. Sizes are checked before any parsing;
// every failure is a ChainError (sdk 21 tx too large, sdk 2 tx parse error) so callers never see a raw exception.
import type { BinaryReader } from "cosmjs-types/binary";
import { AuthInfo, TxBody } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { PubKey as Secp256k1PubKeyProto } from "cosmjs-types/cosmos/crypto/secp256k1/keys";
import { hash } from "node:crypto";
// cosmjs-types encodes without an 8 KiB slab each (protoAlloc.ts); every chain path decodes txs.
import "./protoAlloc.js";
import { ChainError, SdkErrors } from "../errors.js";
import type { CoinWire } from "./coins.js";
import type { DecodedMsg, MsgRegistry } from "./msgRegistry.js";
import { ProtoDecodeError, Wire, decodeFields, expectWire, readerOver } from "./proto.js";

/**
 * Largest tx we accept (bytes). A store-code tx carries up to MaxWasmSize = 2 MiB of raw wasm (spec
 * secret-protocol §10; x/compute validation.go) plus the body, auth info and signature; 3 MiB leaves ~1 MiB of
 * headroom. CometBFT's mempool `max_tx_bytes` (default 1 MiB) must be raised to at least this value.
 */
export const MAX_TX_BYTES = 3 * 1024 * 1024;
/** Type URL of the only public key we verify (spec secretjs-compat §2). */
export const SECP256K1_PUBKEY_TYPE_URL = "/cosmos.crypto.secp256k1.PubKey";
/** Compressed secp256k1 public key length. */
export const SECP256K1_PUBKEY_LENGTH = 33;
/** cosmos.tx.signing.v1beta1.SignMode values we name. */
export const SignMode = {
  Unspecified: 0,
  Direct: 1,
  Textual: 2,
  DirectAux: 3,
  LegacyAminoJson: 127,
} as const;

export interface AnyValue {
  readonly typeUrl: string;
  readonly value: Uint8Array;
}

export interface DecodedSignerInfo {
  /** Raw public key Any (undefined when the signer relies on the key stored in its account). */
  readonly publicKey: AnyValue | undefined;
  /** Compressed secp256k1 key when publicKey is a secp256k1 PubKey, else undefined. */
  readonly secp256k1PubKey: Uint8Array | undefined;
  /** Single-signer sign mode, or "multi" for multisig mode info (not supported by ante). */
  readonly mode: number | "multi" | "none";
  readonly sequence: bigint;
}

export interface DecodedFee {
  readonly amount: CoinWire[];
  readonly gasLimit: bigint;
  readonly payer: string;
  readonly granter: string;
}

export interface DecodedTx {
  readonly raw: Uint8Array;
  /** sha256(raw): the CometBFT tx hash. */
  readonly hash: Uint8Array;
  readonly bodyBytes: Uint8Array;
  readonly authInfoBytes: Uint8Array;
  readonly signatures: Uint8Array[];
  readonly messages: DecodedMsg[];
  readonly memo: string;
  readonly timeoutHeight: bigint;
  readonly extensionOptions: AnyValue[];
  readonly nonCriticalExtensionOptions: AnyValue[];
  readonly signerInfos: DecodedSignerInfo[];
  readonly fee: DecodedFee;
  readonly hasTip: boolean;
}

interface TxRawParts {
  bodyBytes: Uint8Array;
  authInfoBytes: Uint8Array;
  signatures: Uint8Array[];
}

/**
 * A length-delimited field as a view into `raw`, not a copy: decodeTx's `raw` is its own private copy of the
 * input, so views of it cannot change under the caller either, and a decoded tx then holds one backing buffer
 * instead of one per bytes field (decoded txs live in the tx cache past several scavenges and die in old space,
 * where each ArrayBuffer is swept and freed on its own).
 */
function readView(r: BinaryReader, wt: number, name: string): Uint8Array {
  expectWire(wt, Wire.Len, name);
  return r.bytes();
}

/**
 * Parses TxRaw strictly: only fields 1..3, in ascending order (ADR-027 canonical order, which the SDK enforces
 * with RejectNonADR027TxRaw), no unknown fields. `raw` must be decodeTx's private copy (the parts are views).
 */
function decodeTxRaw(raw: Uint8Array): TxRawParts {
  const parts: TxRawParts = { bodyBytes: new Uint8Array(), authInfoBytes: new Uint8Array(), signatures: [] };
  let last = 0;
  decodeFields(raw, (f, wt, r) => {
    if (f < last || (f === last && f !== 3)) throw new ProtoDecodeError("TxRaw fields out of order");
    last = f;
    if (f === 1) parts.bodyBytes = readView(r, wt, "body_bytes");
    else if (f === 2) parts.authInfoBytes = readView(r, wt, "auth_info_bytes");
    else if (f === 3) parts.signatures.push(readView(r, wt, "signatures"));
    else throw new ProtoDecodeError(`unknown field ${f} in TxRaw`);
    return true;
  });
  return parts;
}

function decodeMessages(body: TxBody, registry: MsgRegistry): DecodedMsg[] {
  return body.messages.map((any, i) => {
    const type = registry.type(any.typeUrl);
    if (type === undefined) {
      throw new ChainError(SdkErrors.TxDecode, `unable to resolve type URL ${any.typeUrl}`);
    }
    let value: unknown;
    try {
      value = type.decode(any.value);
    } catch (e) {
      if (e instanceof ChainError) throw e;
      throw new ChainError(SdkErrors.TxDecode, `message ${i} (${any.typeUrl}): ${errText(e)}`);
    }
    // any.value is a view into bodyBytes, itself a view into decodeTx's private copy of the tx.
    return { typeUrl: any.typeUrl, value, raw: any.value, type };
  });
}

function decodeSignerInfo(si: AuthInfo["signerInfos"][number]): DecodedSignerInfo {
  const pk = si.publicKey;
  let secp: Uint8Array | undefined;
  if (pk?.typeUrl === SECP256K1_PUBKEY_TYPE_URL) {
    secp = Secp256k1PubKeyProto.decode(readerOver(pk.value)).key;
  }
  const mi = si.modeInfo;
  const mode = mi?.single !== undefined ? mi.single.mode : mi?.multi !== undefined ? "multi" : "none";
  return {
    publicKey: pk === undefined ? undefined : { typeUrl: pk.typeUrl, value: pk.value },
    // A copy: ante stores it in the signer's account, which outlives the tx.
    secp256k1PubKey: secp?.slice(),
    mode,
    sequence: si.sequence,
  };
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : "malformed";
}

/** Decodes a tx; throws ChainError(sdk 21) when oversized and ChainError(sdk 2) when malformed. */
export function decodeTx(input: Uint8Array, registry: MsgRegistry): DecodedTx {
  return decodeTxHashed(input, registry, undefined);
}

/**
 * decodeTx with sha256(input) already at hand (the tx cache hashes the bytes for its key): the same result
 * and errors. `digest` must be that hash; it is copied.
 */
export function decodeTxHashed(
  input: Uint8Array,
  registry: MsgRegistry,
  digest: Uint8Array | undefined,
): DecodedTx {
  if (!(input instanceof Uint8Array) || input.length === 0) {
    throw new ChainError(SdkErrors.TxDecode, "tx bytes are empty");
  }
  if (input.length > MAX_TX_BYTES) {
    throw new ChainError(SdkErrors.TxTooLarge, `tx size ${input.length} exceeds max ${MAX_TX_BYTES}`);
  }
  // Own copy as a plain Uint8Array: callers may pass a Node Buffer (whose slice() is a view, not a copy) and
  // must not be able to change a decoded tx afterwards.
  const raw = new Uint8Array(input);
  try {
    const parts = decodeTxRaw(raw);
    // Readers over the parts themselves (cosmjs-types would copy each): every bytes field of the decoded tx
    // (messages' Any values, public keys) is then a view into `raw`, one backing buffer per tx.
    const body = TxBody.decode(readerOver(parts.bodyBytes));
    const authInfo = AuthInfo.decode(readerOver(parts.authInfoBytes));
    const fee = authInfo.fee;
    return {
      raw,
      // node:crypto: ~2 µs for a 700-byte tx vs ~5 µs in JS (noble); the same digest.
      hash: new Uint8Array(digest ?? hash("sha256", raw, "buffer")),
      ...parts,
      messages: decodeMessages(body, registry),
      memo: body.memo,
      timeoutHeight: body.timeoutHeight,
      extensionOptions: body.extensionOptions.map((a) => ({ typeUrl: a.typeUrl, value: a.value })),
      nonCriticalExtensionOptions: body.nonCriticalExtensionOptions.map((a) => ({
        typeUrl: a.typeUrl,
        value: a.value,
      })),
      signerInfos: authInfo.signerInfos.map(decodeSignerInfo),
      fee: {
        amount: (fee?.amount ?? []).map((c) => ({ denom: c.denom, amount: c.amount })),
        gasLimit: fee?.gasLimit ?? 0n,
        payer: fee?.payer ?? "",
        granter: fee?.granter ?? "",
      },
      // eslint-disable-next-line @typescript-eslint/no-deprecated -- read only to reject tips (unsupported)
      hasTip: authInfo.tip !== undefined,
    };
  } catch (e) {
    if (e instanceof ChainError) throw e;
    throw new ChainError(SdkErrors.TxDecode, errText(e));
  }
}
