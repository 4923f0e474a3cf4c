// A user-signed SIGN_MODE_DIRECT tx carrying one Secret compute message, as the enclave's tx-signature check
// (spec secret-protocol §4.2 verify_params) expects it in the contract envelope's `sig_info`. Written here from
// the SDK/Secret proto layouts (SN proto/secret/compute/v1beta1/msg.proto), independent of the enclave's code.
import { createHash } from "node:crypto";
import { BinaryWriter } from "cosmjs-types/binary";
import { PubKey } from "cosmjs-types/cosmos/crypto/secp256k1/keys";
import { SignMode } from "cosmjs-types/cosmos/tx/signing/v1beta1/signing";
import { AuthInfo, SignDoc, TxBody, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { ripemd160 } from "@noble/hashes/legacy.js";

const sha256 = (b: Uint8Array): Uint8Array => new Uint8Array(createHash("sha256").update(b).digest());

export interface SigInfoJson {
  sign_mode: number;
  sign_bytes: string;
  signature: string;
  tx_bytes: string;
}

/** The account address (canonical, 20 bytes) of a secp256k1 secret key: ripemd160(sha256(compressed pk)). */
export function accountOf(sk: Uint8Array): Uint8Array {
  return ripemd160(sha256(secp256k1.getPublicKey(sk, true)));
}

/** MsgInstantiateContract{sender=1, code_id=3, label=4, init_msg=5} (no funds, no admin). */
export function msgInstantiate(sender: Uint8Array, msg: Uint8Array): { typeUrl: string; value: Uint8Array } {
  const w = new BinaryWriter().uint32(10).bytes(sender).uint32(24).uint64(1n).uint32(34).string("wall");
  return {
    typeUrl: "/secret.compute.v1beta1.MsgInstantiateContract",
    value: w.uint32(42).bytes(msg).finish(),
  };
}

/** MsgExecuteContract{sender=1, contract=2, msg=3} (no funds). */
export function msgExecute(sender: Uint8Array, contract: Uint8Array, msg: Uint8Array) {
  const w = new BinaryWriter().uint32(10).bytes(sender).uint32(18).bytes(contract).uint32(26).bytes(msg);
  return { typeUrl: "/secret.compute.v1beta1.MsgExecuteContract", value: w.finish() };
}

/** Signs a one-message, one-signer tx; returns the envelope's `sig_info` (binary fields base64). */
export function signTx(sk: Uint8Array, message: { typeUrl: string; value: Uint8Array }): SigInfoJson {
  const bodyBytes = TxBody.encode(TxBody.fromPartial({ messages: [message] })).finish();
  const authInfoBytes = AuthInfo.encode(
    AuthInfo.fromPartial({
      signerInfos: [
        {
          publicKey: {
            typeUrl: "/cosmos.crypto.secp256k1.PubKey",
            value: PubKey.encode({ key: secp256k1.getPublicKey(sk, true) }).finish(),
          },
          modeInfo: { single: { mode: SignMode.SIGN_MODE_DIRECT } },
          sequence: 0n,
        },
      ],
      fee: { amount: [{ denom: "uscrt", amount: "1000" }], gasLimit: 200_000n },
    }),
  ).finish();
  const signBytes = SignDoc.encode({
    bodyBytes,
    authInfoBytes,
    chainId: "shroud-1",
    accountNumber: 1n,
  }).finish();
  const signature = secp256k1.sign(sha256(signBytes), sk, { prehash: false });
  const txBytes = TxRaw.encode({ bodyBytes, authInfoBytes, signatures: [signature] }).finish();
  const b64 = (b: Uint8Array): string => Buffer.from(b).toString("base64");
  return { sign_mode: 1, sign_bytes: b64(signBytes), signature: b64(signature), tx_bytes: b64(txBytes) };
}
