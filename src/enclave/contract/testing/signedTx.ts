// Test helper: builds a SIGN_MODE_DIRECT Cosmos tx carrying one Secret compute message, signed with a
// secp256k1 key, in the byte layout the SDK and secretjs produce (cosmjs-types encoders for the SDK types,
// BinaryWriter for the secret.compute.v1beta1 messages, field numbers from SN proto/secret/compute/v1beta1/msg.proto).
import { BinaryWriter } from "cosmjs-types/binary";
import { PubKey } from "cosmjs-types/cosmos/crypto/secp256k1/keys";
import { SignMode } from "cosmjs-types/cosmos/tx/signing/v1beta1/signing";
import { AuthInfo, SignDoc, TxBody, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { ripemd160 } from "@noble/hashes/legacy.js";
import { sha256 } from "../../crypto/hash.js";
import type { Coin } from "../../vm/environment.js";
import { Any } from "cosmjs-types/google/protobuf/any";
import { SIGN_MODE_DIRECT, SIGN_MODE_LEGACY_AMINO_JSON, type SigInfo } from "../txSignature.js";

export function accountOf(sk: Uint8Array): { pubkey: Uint8Array; canonical: Uint8Array } {
  const pubkey = secp256k1.getPublicKey(sk, true);
  return { pubkey, canonical: ripemd160(sha256(pubkey)) };
}

function coins(w: BinaryWriter, field: number, list: readonly Coin[]): void {
  for (const c of list)
    w.uint32((field << 3) | 2)
      .fork()
      .uint32(10)
      .string(c.denom)
      .uint32(18)
      .string(c.amount)
      .ldelim();
}

export function msgExecute(
  sender: Uint8Array,
  contract: Uint8Array,
  msg: Uint8Array,
  funds: readonly Coin[],
) {
  const w = new BinaryWriter();
  w.uint32(10).bytes(sender).uint32(18).bytes(contract).uint32(26).bytes(msg);
  coins(w, 5, funds);
  return { typeUrl: "/secret.compute.v1beta1.MsgExecuteContract", value: w.finish() };
}

export function msgInstantiate(
  sender: Uint8Array,
  codeId: bigint,
  label: string,
  msg: Uint8Array,
  funds: readonly Coin[],
  admin = "",
) {
  const w = new BinaryWriter();
  w.uint32(10).bytes(sender).uint32(24).uint64(codeId).uint32(34).string(label).uint32(42).bytes(msg);
  coins(w, 6, funds);
  if (admin !== "") w.uint32(66).string(admin);
  return { typeUrl: "/secret.compute.v1beta1.MsgInstantiateContract", value: w.finish() };
}

export function msgUpdateAdmin(sender: string, newAdmin: string, contract: string) {
  const w = new BinaryWriter()
    .uint32(10)
    .string(sender)
    .uint32(18)
    .string(newAdmin)
    .uint32(26)
    .string(contract);
  return { typeUrl: "/secret.compute.v1beta1.MsgUpdateAdmin", value: w.finish() };
}

export function msgClearAdmin(sender: string, contract: string) {
  const w = new BinaryWriter().uint32(10).string(sender).uint32(26).string(contract);
  return { typeUrl: "/secret.compute.v1beta1.MsgClearAdmin", value: w.finish() };
}

/** Signs a one-signer tx with `messages`; returns what the host passes as SigInfo. */
export function signTx(
  sk: Uint8Array,
  messages: { typeUrl: string; value: Uint8Array }[],
  chainId = "secret-4",
): SigInfo {
  const { pubkey } = accountOf(sk);
  const bodyBytes = TxBody.encode(TxBody.fromPartial({ messages, memo: "" })).finish();
  const authInfoBytes = AuthInfo.encode(
    AuthInfo.fromPartial({
      signerInfos: [
        {
          publicKey: {
            typeUrl: "/cosmos.crypto.secp256k1.PubKey",
            value: PubKey.encode({ key: pubkey }).finish(),
          },
          modeInfo: { single: { mode: SignMode.SIGN_MODE_DIRECT } },
          sequence: 0n,
        },
      ],
      fee: { amount: [{ denom: "uscrt", amount: "1000" }], gasLimit: 200_000n },
    }),
  ).finish();
  const signBytes = SignDoc.encode({ bodyBytes, authInfoBytes, chainId, accountNumber: 7n }).finish();
  const signature = secp256k1.sign(sha256(signBytes), sk, { prehash: false });
  const txBytes = TxRaw.encode({ bodyBytes, authInfoBytes, signatures: [signature] }).finish();
  return { signMode: SIGN_MODE_DIRECT, signBytes, signature, txBytes };
}

/** JSON with sorted keys at every level (cosmjs `sortedJsonStringify`), as amino signers serialize StdSignDoc. */
function sorted(v: unknown): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(sorted).join(",")}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${sorted(o[k])}`)
    .join(",")}}`;
}

/** SIGN_MODE_LEGACY_AMINO_JSON: signs the StdSignDoc of `aminoMsgs`; the tx body carries `protoMsgs`. */
export function signAminoTx(
  sk: Uint8Array,
  protoMsgs: { typeUrl: string; value: Uint8Array }[],
  aminoMsgs: { type: string; value: Record<string, unknown> }[],
): SigInfo {
  const { pubkey } = accountOf(sk);
  const doc = {
    account_number: "7",
    chain_id: "secret-4",
    fee: { amount: [{ amount: "1000", denom: "uscrt" }], gas: "200000" },
    memo: "",
    msgs: aminoMsgs,
    sequence: "0",
  };
  const signBytes = new TextEncoder().encode(sorted(doc));
  const signature = secp256k1.sign(sha256(signBytes), sk, { prehash: false });
  const bodyBytes = TxBody.encode(TxBody.fromPartial({ messages: protoMsgs })).finish();
  const txBytes = TxRaw.encode({
    bodyBytes,
    authInfoBytes: new Uint8Array(),
    signatures: [signature],
  }).finish();
  const publicKey = Any.encode({
    typeUrl: "/cosmos.crypto.secp256k1.PubKey",
    value: PubKey.encode({ key: pubkey }).finish(),
  }).finish();
  return { signMode: SIGN_MODE_LEGACY_AMINO_JSON, signBytes, signature, txBytes, publicKey };
}
