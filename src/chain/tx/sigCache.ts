// A bounded cache of "valid" secp256k1 verdicts so one tx's signature is verified once, not again in
// PrepareProposal/ProcessProposal and FinalizeBlock after CheckTx. Consensus-safe: verify is a pure function.
import { hash } from "node:crypto";

/** Default capacity: above CometBFT's default mempool size (5,000 txs) with room for several blocks. */
export const SIG_CACHE_DEFAULT_MAX = 65_536;

/**
 * Remembers (pubkey, sign bytes, signature) triples that verified. Keyed by sha256 over the three
 * length-prefixed parts, so no two different triples share a key. Only valid verdicts are stored: a miss
 * simply verifies again, and an invalid signature can never be cached as valid. Eviction is least recently
 * used. Gas is charged by the caller regardless of a hit (the SDK charges sig-verify gas per signature).
 */
/**
 * What a signer's sign bytes depend on besides the decoded tx itself (body, auth info, sign mode, signature):
 * the signer's key, the chain id, and the account number and sequence (amino sign bytes hold the sequence).
 */
export interface SignerBinding {
  readonly pubKey: Uint8Array;
  readonly chainId: string;
  readonly accountNumber: bigint;
  readonly sequence: bigint;
}

function sameBinding(a: SignerBinding, b: SignerBinding): boolean {
  return (
    a.chainId === b.chainId &&
    a.accountNumber === b.accountNumber &&
    a.sequence === b.sequence &&
    Buffer.compare(a.pubKey, b.pubKey) === 0
  );
}

export class SigVerdictCache {
  private readonly valid = new Map<string, true>();
  /**
   * Valid verdicts by decoded tx object and signer index: FinalizeBlock (and every RECHECK) checks the same
   * cached tx CheckTx checked, and building its sign bytes and the key above again cost ~10 µs per tx. Held as
   * long as the tx object lives; a binding that differs in anything falls back to `verify`.
   */
  private byTx = new WeakMap<object, (SignerBinding | undefined)[]>();
  private hitCount = 0;
  private missCount = 0;

  constructor(readonly maxEntries: number = SIG_CACHE_DEFAULT_MAX) {
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 0) {
      throw new RangeError('"maxEntries" must be a non-negative safe integer');
    }
  }

  get size(): number {
    return this.valid.size;
  }

  get stats(): { hits: number; misses: number } {
    return { hits: this.hitCount, misses: this.missCount };
  }

  /** Returns the cached verdict or runs `verify` (pure) and caches a true result. */
  verify(
    pubkey: Uint8Array,
    signBytes: Uint8Array,
    sig: Uint8Array,
    verify: (pubkey: Uint8Array, signBytes: Uint8Array, sig: Uint8Array) => boolean,
  ): boolean {
    const id = cacheKey(pubkey, signBytes, sig);
    if (this.valid.has(id)) {
      // Refresh recency: Map keeps insertion order, so re-inserting moves the key to the newest end.
      this.valid.delete(id);
      this.valid.set(id, true);
      this.hitCount++;
      return true;
    }
    this.missCount++;
    const ok = verify(pubkey, signBytes, sig);
    if (ok && this.maxEntries > 0) {
      if (this.valid.size >= this.maxEntries) this.valid.delete(this.valid.keys().next().value!);
      this.valid.set(id, true);
    }
    return ok;
  }

  /** True when signer `i` of the decoded tx `tx` verified under exactly `b` (see byTx). */
  validFor(tx: object, i: number, b: SignerBinding): boolean {
    const seen = this.byTx.get(tx)?.[i];
    return seen !== undefined && sameBinding(seen, b);
  }

  /** Records that signer `i` of the decoded tx `tx` verified under `b` (nothing when the cache holds nothing). */
  rememberValid(tx: object, i: number, b: SignerBinding): void {
    if (this.maxEntries === 0) return;
    let list = this.byTx.get(tx);
    if (list === undefined) this.byTx.set(tx, (list = []));
    list[i] = { ...b, pubKey: b.pubKey.slice() };
  }

  clear(): void {
    this.valid.clear();
    this.byTx = new WeakMap();
  }
}

/**
 * sha256(len(pk) ‖ pk ‖ len(sig) ‖ sig ‖ signBytes), base64: unambiguous over the three parts. One buffer and
 * one native one-shot hash (five incremental updates and two length buffers cost ~2× as much per tx).
 */
function cacheKey(pubkey: Uint8Array, signBytes: Uint8Array, sig: Uint8Array): string {
  const buf = Buffer.allocUnsafe(8 + pubkey.length + sig.length + signBytes.length);
  let o = buf.writeUInt32BE(pubkey.length, 0);
  buf.set(pubkey, o);
  o = buf.writeUInt32BE(sig.length, o + pubkey.length);
  buf.set(sig, o);
  buf.set(signBytes, o + sig.length);
  return hash("sha256", buf, "base64");
}
