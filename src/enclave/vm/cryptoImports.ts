// The crypto host functions (secp256k1 / ed25519 verify, recover, batch, and Secret's own *_sign), with
// Secret's gas costs and return codes (SN contract-engine/src/wasm3/mod.rs; crypto/src/errors.rs
// `WasmApiCryptoError`). Format checks run here, before the wrappers, so each failure gets Secret's code.
import { sha256 } from "../crypto/hash.js";
import { ed25519Sign, ed25519Verify } from "../crypto/ed25519.js";
import { secp256k1RecoverPubkey, secp256k1Sign, secp256k1Verify } from "../crypto/secp256k1.js";
import { HOST_GAS } from "./gas.js";
import {
  MAX_LENGTH_DCAP_INPUT,
  MAX_LENGTH_ED25519_MESSAGE,
  MAX_LENGTH_MESSAGE_HASH,
  MAX_LENGTH_PRIVATE_KEY,
  MAX_LENGTH_PUBKEY,
  MAX_LENGTH_SIGNATURE,
} from "./memory.js";
import { readBatch, writeToContract, type HostEnv } from "./imports.js";

/** SN crypto/src/errors.rs WasmApiCryptoError (CosmWasm's codes plus Secret's 1000). */
export const CRYPTO_ERROR = Object.freeze({
  InvalidHashFormat: 3,
  InvalidSignatureFormat: 4,
  InvalidPubkeyFormat: 5,
  InvalidRecoveryParam: 6,
  BatchErr: 7,
  GenericErr: 10,
  InvalidPrivateKeyFormat: 1000,
});

/** Verify results: 0 = valid, 1 = invalid signature (CosmWasm imports.rs convention). */
const VALID = 0;
const INVALID = 1;

type Reader = (ptr: number, max: number, field: string) => Uint8Array;

/** Error code in the high 32 bits (SN `to_high_half`). */
const highHalf = (code: number): bigint => BigInt(code) << 32n;

function pubkeyFormatOk(pk: Uint8Array): boolean {
  // SN host_secp256k1_verify accepts compressed (02/03, 33 B) and uncompressed/hybrid (04/06/07, 65 B).
  const p = pk[0];
  if (p === 2 || p === 3) return pk.length === 33;
  if (p === 4 || p === 6 || p === 7) return pk.length === 65;
  return false;
}

/** Secret returns the recovered key compressed (rust-secp256k1 `PublicKey::serialize`). */
function compress(uncompressed: Uint8Array): Uint8Array {
  const out = new Uint8Array(33);
  out[0] = (uncompressed[64]! & 1) === 1 ? 3 : 2;
  out.set(uncompressed.subarray(1, 33), 1);
  return out;
}

function secpImports(env: HostEnv, read: Reader) {
  return {
    secp256k1_verify(hashPtr: number, sigPtr: number, pkPtr: number): number {
      env.gas.charge(HOST_GAS.secp256k1Verify);
      const hash = read(hashPtr, MAX_LENGTH_MESSAGE_HASH, "message hash");
      const sig = read(sigPtr, MAX_LENGTH_SIGNATURE, "signature");
      const pk = read(pkPtr, MAX_LENGTH_PUBKEY, "public key");
      if (hash.length !== 32) return CRYPTO_ERROR.InvalidHashFormat;
      if (sig.length !== 64) return CRYPTO_ERROR.InvalidSignatureFormat;
      if (!pubkeyFormatOk(pk)) return CRYPTO_ERROR.InvalidPubkeyFormat;
      try {
        // libsecp256k1 (used by Secret) rejects non-normalized (high-S) signatures.
        return secp256k1Verify(hash, sig, pk, { rejectHighS: true }) ? VALID : INVALID;
      } catch {
        return CRYPTO_ERROR.GenericErr;
      }
    },
    secp256k1_recover_pubkey(hashPtr: number, sigPtr: number, recoveryParam: number): bigint {
      env.gas.charge(HOST_GAS.secp256k1RecoverPubkey);
      const hash = read(hashPtr, MAX_LENGTH_MESSAGE_HASH, "message hash");
      const sig = read(sigPtr, MAX_LENGTH_SIGNATURE, "signature");
      if (hash.length !== 32) return highHalf(CRYPTO_ERROR.InvalidHashFormat);
      if (sig.length !== 64) return highHalf(CRYPTO_ERROR.InvalidSignatureFormat);
      let pk: Uint8Array;
      try {
        pk = compress(secp256k1RecoverPubkey(hash, sig, recoveryParam));
      } catch {
        return highHalf(CRYPTO_ERROR.GenericErr);
      }
      return BigInt(writeToContract(env, pk, "recovered pubkey"));
    },
    secp256k1_sign(msgPtr: number, keyPtr: number): bigint {
      env.gas.charge(HOST_GAS.secp256k1Sign);
      const msg = read(msgPtr, MAX_LENGTH_ED25519_MESSAGE, "message");
      const key = read(keyPtr, MAX_LENGTH_PRIVATE_KEY, "private key");
      if (key.length !== 32) return highHalf(CRYPTO_ERROR.InvalidPrivateKeyFormat);
      let sig: Uint8Array;
      try {
        sig = secp256k1Sign(sha256(msg), key).signature;
      } catch {
        return highHalf(CRYPTO_ERROR.InvalidPrivateKeyFormat);
      }
      return BigInt(writeToContract(env, sig, "signature"));
    },
  };
}

function edImports(env: HostEnv, read: Reader) {
  return {
    ed25519_verify(msgPtr: number, sigPtr: number, pkPtr: number): number {
      env.gas.charge(HOST_GAS.ed25519Verify);
      const msg = read(msgPtr, MAX_LENGTH_ED25519_MESSAGE, "message");
      const sig = read(sigPtr, MAX_LENGTH_SIGNATURE, "signature");
      const pk = read(pkPtr, MAX_LENGTH_PUBKEY, "public key");
      if (sig.length !== 64) return CRYPTO_ERROR.InvalidSignatureFormat;
      if (pk.length !== 32) return CRYPTO_ERROR.InvalidPubkeyFormat;
      return ed25519Verify(msg, sig, pk) ? VALID : INVALID;
    },
    ed25519_batch_verify(msgsPtr: number, sigsPtr: number, pksPtr: number): number {
      const [msgs = [], sigs = [], pks = []] = readBatch(env, [msgsPtr, sigsPtr, pksPtr]);
      const n = sigs.length;
      const shapeOk = (msgs.length === n || msgs.length === 1) && (pks.length === n || pks.length === 1);
      // SN checks the shape before charging (host_ed25519_batch_verify).
      if (!shapeOk || (msgs.length === 1 && pks.length === 1 && n !== 1)) return CRYPTO_ERROR.BatchErr;
      env.gas.charge(HOST_GAS.ed25519BatchVerifyBase + BigInt(n) * HOST_GAS.ed25519BatchVerifyEach);
      for (const s of sigs) if (s.length !== 64) return CRYPTO_ERROR.InvalidSignatureFormat;
      for (const p of pks) if (p.length !== 32) return CRYPTO_ERROR.InvalidPubkeyFormat;
      for (let i = 0; i < n; i++) {
        const m = msgs.length === 1 ? msgs[0]! : msgs[i]!;
        const p = pks.length === 1 ? pks[0]! : pks[i]!;
        if (!ed25519Verify(m, sigs[i]!, p)) return INVALID;
      }
      return VALID;
    },
    ed25519_sign(msgPtr: number, keyPtr: number): bigint {
      env.gas.charge(HOST_GAS.ed25519Sign);
      const msg = read(msgPtr, MAX_LENGTH_ED25519_MESSAGE, "message");
      const key = read(keyPtr, MAX_LENGTH_PRIVATE_KEY, "private key");
      if (key.length !== 32) return highHalf(CRYPTO_ERROR.InvalidPrivateKeyFormat);
      return BigInt(writeToContract(env, ed25519Sign(msg, key), "signature"));
    },
  };
}

/**
 * Secret ≥ 1.25's `dcap_quote_verify(quote, collateral) → u64`: charged and read like Secret, but quote
 * verification inside contracts is not offered here; every call answers GenericErr in the high half (what
 * Secret answers for an empty collateral), so contracts importing it still instantiate.
 */
function dcapImports(env: HostEnv, read: Reader) {
  return {
    dcap_quote_verify(quotePtr: number, collateralPtr: number): bigint {
      env.gas.charge(HOST_GAS.dcapQuoteVerify);
      read(quotePtr, MAX_LENGTH_DCAP_INPUT, "dcap quote");
      read(collateralPtr, MAX_LENGTH_DCAP_INPUT, "dcap collateral");
      return highHalf(CRYPTO_ERROR.GenericErr);
    },
  };
}

export function cryptoImports(env: HostEnv, read: Reader) {
  return { ...secpImports(env, read), ...edImports(env, read), ...dcapImports(env, read) };
}
