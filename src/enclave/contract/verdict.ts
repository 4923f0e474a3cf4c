// Signature verdict tokens: a verify lane checks a tx signature ahead of its execute ECALL and answers an
// HMAC over what it checked; the execute ECALL that gets the same token back skips the secp256k1 verify (only
// that: every other check of ./txSignature.ts still runs). Design and trust argument: SECURITY.md "Verdict".
import { InvalidInputError, utf8 } from "../../util/bytes.js";
import { constantTimeEqual, sha256 } from "../crypto/hash.js";
import { HKDF_SALT, hkdfSha256 } from "../crypto/kdf.js";
import { HmacSha256Key } from "../crypto/sha256Js.js";

/** A token is one HMAC-SHA256 output. */
export const VERDICT_TOKEN_LENGTH = 32;
/**
 * HKDF info of the verdict key, derived from the platform secret each isolate of this node unseals (a fresh
 * label: no other key is derived with it, so the key is independent of the sealing keys).
 */
export const VERDICT_KEY_LABEL = utf8.encode("shroud:verdict-mac:v1");
/** Domain tag in front of every MACed binding (a token can never be mistaken for another MAC of ours). */
const VERDICT_DOMAIN = utf8.encode("shroud:verdict:secp256k1-sha256-lowS:v1");

/**
 * Everything one verdict is about: the verify checked `signature` by `publicKey` over sha256(`signBytes`)
 * (low-S enforced) for the sender `signer` (canonical address) in `signMode`.
 */
export interface VerdictBinding {
  readonly signMode: number;
  readonly signBytes: Uint8Array;
  readonly publicKey: Uint8Array;
  readonly signature: Uint8Array;
  readonly signer: Uint8Array;
}

/** The verdict key of one isolate. Never leaves the enclave; tokens are the only thing made with it. */
export class VerdictMac {
  /**
   * The key as its HMAC pad states (../crypto/sha256Js.ts): each token is then only the binding's and the
   * outer digest's compressions, with no OpenSSL context per token (node:crypto's HMAC + SHA-256 setup was
   * ~30% of the execute path's signature step with a token; profile in docs/BENCHMARKS.md, session 7 H1).
   */
  private readonly key: HmacSha256Key;

  private constructor(key: Uint8Array) {
    this.key = new HmacSha256Key(key);
    key.fill(0);
  }

  /** HKDF(platform secret, VERDICT_KEY_LABEL): the same in every isolate of this node, nowhere else. */
  static derive(platformSecret: Uint8Array): VerdictMac {
    return new VerdictMac(hkdfSha256(platformSecret, HKDF_SALT, VERDICT_KEY_LABEL));
  }

  /** The token for a signature that verified: HMAC-SHA256(key, binding bytes), the binding never joined. */
  token(b: VerdictBinding): Uint8Array {
    return this.key.mac(...bindingParts(b));
  }

  /** True iff `token` is this node's token for exactly `b` (constant-time compare). */
  accepts(token: Uint8Array, b: VerdictBinding): boolean {
    return token.length === VERDICT_TOKEN_LENGTH && constantTimeEqual(token, this.token(b));
  }
}

/**
 * The binding's bytes as parts, MACed in order (their concatenation is the MACed message): domain ‖ u32 sign
 * mode ‖ sha256(sign bytes) ‖ (u32 len ‖ bytes) of public key, signature and signer. The sign bytes (a whole
 * SignDoc, ~7 blocks for a SNIP-20 transfer) are hashed natively in one call (SHA-NI; the JS hash was ~2% of
 * the worker's CPU per transfer with a token); the HMAC stays on the key's precomputed pad states.
 */
function bindingParts(b: VerdictBinding): Uint8Array[] {
  return [
    VERDICT_DOMAIN,
    u32(b.signMode),
    sha256(b.signBytes),
    u32(b.publicKey.length),
    b.publicKey,
    u32(b.signature.length),
    b.signature,
    u32(b.signer.length),
    b.signer,
  ];
}

/** `u32be` by shifts: a DataView over a small array's `.buffer` makes V8 move it off-heap (a malloc per part). */
function u32(n: number): Uint8Array {
  return Uint8Array.of(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
}

/** A token offered with one call, and the key to check it with (attached to SigInfo inside the enclave). */
export interface SignatureVerdict {
  readonly token: Uint8Array;
  readonly mac: VerdictMac;
}

/**
 * The optional token in front of a contract ECALL payload: `u32 0xFFFFFFFF ‖ token(32) ‖ request`. A request
 * starts with its format byte (REQUEST_FORMAT, 1: ./wire.ts), so the marker is never a request's start.
 */
const VERDICT_MARK = 0xffff_ffff;
const PREFIX_LENGTH = 4 + VERDICT_TOKEN_LENGTH;

/** Host side: `request` with `token` in front (the same request, verified either way). */
export function withVerdictToken(request: Uint8Array, token: Uint8Array): Uint8Array {
  if (token.length !== VERDICT_TOKEN_LENGTH)
    throw new InvalidInputError("verdict token", `"verdict token" expected 32 bytes, got ${token.length}`);
  const out = new Uint8Array(PREFIX_LENGTH + request.length);
  new DataView(out.buffer).setUint32(0, VERDICT_MARK, false);
  out.set(token, 4);
  out.set(request, PREFIX_LENGTH);
  return out;
}

/** Enclave side: the token (if the payload carries one) and the request after it (a view, no copy). */
export function splitVerdictToken(payload: Uint8Array): { token?: Uint8Array; request: Uint8Array } {
  if (payload.length < 4) return { request: payload };
  const mark = new DataView(payload.buffer, payload.byteOffset, 4).getUint32(0, false);
  if (mark !== VERDICT_MARK) return { request: payload };
  if (payload.length < PREFIX_LENGTH)
    throw new InvalidInputError("verdict token", `"verdict token" truncated`);
  return { token: payload.slice(4, PREFIX_LENGTH), request: payload.subarray(PREFIX_LENGTH) };
}
