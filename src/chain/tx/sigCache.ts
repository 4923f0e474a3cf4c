// Valid secp256k1 verdicts by decoded tx, so one tx's signature is verified once, not again in every RECHECK,
// PrepareProposal/ProcessProposal and FinalizeBlock after CheckTx. Consensus-safe: verify is a pure function.

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

/**
 * Valid verdicts by decoded tx object and signer index. Every path of a node reads a tx through the decoded-tx
 * cache (`txCache.ts`), so CheckTx, every RECHECK, the proposal checks and FinalizeBlock see the same frozen
 * object, and a signer that verified under the same binding is answered without building its sign bytes or
 * verifying again. Held as long as the tx object lives (a WeakMap); a binding that differs in anything, or a
 * tx never seen, verifies. Only "valid" is remembered, so an invalid signature is verified every time.
 *
 * Until session 13 a second, keyed cache sat under this one: sha256(pubkey ‖ sig ‖ sign bytes) → valid, LRU
 * over 65,536 entries. It cost a ~850-byte hash and a map update per verification (about as much as the
 * libsecp256k1 verify itself) and hit nothing on any node path (`bench/sigPaths.ts`: 0 hits as proposer,
 * follower and late node): a second look-up of the same tx always comes through this memo first.
 */
export class SigVerdictCache {
  private byTx = new WeakMap<object, (SignerBinding | undefined)[]>();
  private hitCount = 0;
  private missCount = 0;

  /** `enabled` false: remembers nothing (every check verifies). */
  constructor(readonly enabled: boolean = true) {}

  /** hits: signers answered by a remembered verdict; misses: signers looked up and not found (then verified). */
  get stats(): { hits: number; misses: number } {
    return { hits: this.hitCount, misses: this.missCount };
  }

  /** True when signer `i` of the decoded tx `tx` verified under exactly `b`. */
  validFor(tx: object, i: number, b: SignerBinding): boolean {
    const seen = this.byTx.get(tx)?.[i];
    if (seen !== undefined && sameBinding(seen, b)) {
      this.hitCount++;
      return true;
    }
    this.missCount++;
    return false;
  }

  /** Records that signer `i` of the decoded tx `tx` verified under `b` (nothing when disabled). */
  rememberValid(tx: object, i: number, b: SignerBinding): void {
    if (!this.enabled) return;
    let list = this.byTx.get(tx);
    if (list === undefined) this.byTx.set(tx, (list = []));
    list[i] = { ...b, pubKey: b.pubKey.slice() };
  }

  clear(): void {
    this.byTx = new WeakMap();
  }
}
