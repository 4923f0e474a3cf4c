// Predicted companion reads (src/enclave/README.md §5 "Peeks"): a contract that reads an absent key `A ‖ S`
// and then an absent key `B ‖ S` (a SNIP-20 transfer to a new holder: its balance, then its history length)
// will likely read `B ‖ S'` after `A ‖ S'` next time, so the enclave asks the host for `B ‖ S'` in the same
// round trip as `A ‖ S'`. Results never depend on a prediction: it only decides what rides along.
import { zeroize } from "./crypto/hash.js";

/** Shortest common suffix that makes a rule (a canonical address is 20 bytes; shorter is a coincidence). */
export const COMPANION_MIN_SUFFIX = 16;
/** Longest prefix a rule keeps (a storage namespace; longer keys are not worth predicting). */
export const COMPANION_MAX_PREFIX = 64;
/** Rules kept per contract (oldest dropped first); each adds at most one companion per read. */
export const COMPANION_MAX_RULES = 4;

/** "After a read of `from ‖ S` with |S| = `suffix`, expect `to ‖ S`." Plaintext prefixes: enclave-only. */
export interface CompanionRule {
  readonly from: Uint8Array;
  readonly to: Uint8Array;
  readonly suffix: number;
}

function startsWith(key: Uint8Array, prefix: Uint8Array): boolean {
  if (key.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (key[i] !== prefix[i]) return false;
  return true;
}

/** Whether `prefix` is exactly the first `len` bytes of `key`. */
function samePrefix(prefix: Uint8Array, key: Uint8Array, len: number): boolean {
  return prefix.length === len && startsWith(key, prefix);
}

/** The length of the longest common suffix of `a` and `b`. */
function commonSuffix(a: Uint8Array, b: Uint8Array): number {
  let n = 0;
  while (n < a.length && n < b.length && a[a.length - 1 - n] === b[b.length - 1 - n]) n++;
  return n;
}

/** The rules of one contract, learned from its calls' absent reads (kept in ./stateCache.ts per contract). */
export class CompanionRules {
  private rules: CompanionRule[] = [];

  /** The keys the rules predict after a read of `key` (fresh arrays, the caller's to zero), with their rule. */
  predict(key: Uint8Array): { rule: CompanionRule; key: Uint8Array }[] {
    const out: { rule: CompanionRule; key: Uint8Array }[] = [];
    for (const rule of this.rules) {
      if (key.length !== rule.from.length + rule.suffix || !startsWith(key, rule.from)) continue;
      const k = new Uint8Array(rule.to.length + rule.suffix);
      k.set(rule.to);
      // A loop, not `set(key.subarray(…))`: a view of a small (on-heap) array makes V8 move it off-heap.
      for (let i = 0; i < rule.suffix; i++) k[rule.to.length + i] = key[rule.from.length + i]!;
      out.push({ rule, key: k });
    }
    return out;
  }

  /**
   * One call's absent reads, in read order: each consecutive pair `A ‖ S`, `B ‖ S` (|S| ≥ the minimum, both
   * prefixes non-empty, at most the maximum, and different) becomes a rule A → B. `missed`: rules whose
   * prediction the call did not read (dropped first; a right rule is learned again from the next call).
   */
  learn(absent: readonly Uint8Array[], missed: Iterable<CompanionRule>): void {
    for (const r of missed) this.drop(r);
    for (let i = 0; i + 1 < absent.length; i++) {
      const a = absent[i]!;
      const b = absent[i + 1]!;
      const suffix = commonSuffix(a, b);
      const fromLen = a.length - suffix;
      const toLen = b.length - suffix;
      if (suffix < COMPANION_MIN_SUFFIX || fromLen < 1 || toLen < 1) continue;
      if (fromLen > COMPANION_MAX_PREFIX || toLen > COMPANION_MAX_PREFIX) continue;
      // Compared in place (no subarray: a view of a small array makes V8 move it off-heap); copied when new.
      const known = this.rules.some(
        (r) => r.suffix === suffix && samePrefix(r.from, a, fromLen) && samePrefix(r.to, b, toLen),
      );
      if (known) continue;
      if (this.rules.length >= COMPANION_MAX_RULES) this.drop(this.rules[0]!);
      this.rules.push({ from: a.slice(0, fromLen), to: b.slice(0, toLen), suffix });
    }
  }

  get size(): number {
    return this.rules.length;
  }

  /** Forgets every rule (seeds changed, cache dropped): their plaintext prefixes are zeroed. */
  clear(): void {
    for (const r of this.rules) this.wipe(r);
    this.rules = [];
  }

  private drop(rule: CompanionRule): void {
    const i = this.rules.indexOf(rule);
    if (i < 0) return;
    this.rules.splice(i, 1);
    this.wipe(rule);
  }

  private wipe(rule: CompanionRule): void {
    zeroize(rule.from);
    zeroize(rule.to);
  }
}
