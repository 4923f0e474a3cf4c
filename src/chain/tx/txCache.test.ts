// DecodedTxCache: a hit is exactly decodeTx's result (deep-equal), failures are not cached and throw the same
// errors, the cached value is frozen, and the bounds (entries, bytes) hold.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { MsgExecuteContract, MsgSend } from "secretjs";
import { ChainError } from "../errors.js";
import { decodeTx, MAX_TX_BYTES } from "./decode.js";
import { DecodedTxCache, decodeTxCached, deepFreeze, takeTxCached, txCacheFor } from "./txCache.js";
import { makeSigner } from "./testdata/secretjsSigner.js";
import { MNEMONIC_A, TEST_CHAIN_ID, makeTestChain } from "./testdata/testHarness.js";
import { mulberry32 } from "../../util/seeded.js";

const a = makeSigner(MNEMONIC_A);
const B = "secret1fc3fzy78ttp0lwuujw7e52rhspxn8uj52zfyne";

async function sends(n: number): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const msg = new MsgSend({
      from_address: a.address,
      to_address: B,
      amount: [{ denom: "uscrt", amount: "1" }],
    });
    out.push(await a.signDeterministic([msg], { accountNumber: 0, sequence: i, chainId: TEST_CHAIN_ID }));
  }
  return out;
}

function codeOf(f: () => unknown): number | undefined {
  try {
    f();
    return undefined;
  } catch (e) {
    assert.ok(e instanceof ChainError);
    return e.code;
  }
}

describe("decodeTx's bytes fields", () => {
  test("are views into its own copy of the tx: one backing buffer, the input's later changes do not show", async () => {
    const { registry } = makeTestChain({});
    const [raw] = await sends(1);
    const input = Buffer.from(raw!);
    const tx = decodeTx(input, registry);
    const before = structuredClone({
      b: tx.bodyBytes,
      a: tx.authInfoBytes,
      s: tx.signatures,
      m: tx.messages[0]!.raw,
    });
    const pk = tx.signerInfos[0]!.publicKey!.value;
    for (const v of [tx.bodyBytes, tx.authInfoBytes, ...tx.signatures, tx.messages[0]!.raw, pk]) {
      assert.equal(v.buffer, tx.raw.buffer);
    }
    assert.notEqual(tx.raw.buffer, input.buffer);
    input.fill(0);
    assert.deepEqual(
      { b: tx.bodyBytes, a: tx.authInfoBytes, s: tx.signatures, m: tx.messages[0]!.raw },
      before,
    );
  });

  test("the cache's one hash gives the same tx hash as decodeTx's own", async () => {
    const { registry } = makeTestChain({});
    const cache = new DecodedTxCache(registry);
    for (const raw of await sends(3)) assert.deepEqual(cache.decode(raw).hash, decodeTx(raw, registry).hash);
  });
});

describe("DecodedTxCache", () => {
  test("a hit returns the same value decodeTx gives; a copy of the bytes hits too", async () => {
    const { registry } = makeTestChain({});
    const cache = new DecodedTxCache(registry);
    const [tx] = await sends(1);
    const first = cache.decode(tx!);
    assert.deepEqual(first, decodeTx(tx!, registry));
    const again = cache.decode(new Uint8Array(tx!));
    assert.equal(again, first);
    assert.deepEqual(cache.stats, { hits: 1, misses: 1 });
    // A different tx of the same length is a different entry.
    const changed = new Uint8Array(tx!);
    changed[changed.length - 1]! ^= 1;
    assert.notEqual(cache.decode(changed), first);
    assert.deepEqual(cache.decode(changed).signatures, decodeTx(changed, registry).signatures);
  });

  test("deepFreeze freezes exactly what the Object.keys walk it replaced froze", async () => {
    const { registry } = makeTestChain({});
    const exec = new MsgExecuteContract({
      sender: a.address,
      contract_address: B,
      code_hash: "a".repeat(64),
      msg: { transfer: {} },
      sent_funds: [{ denom: "uscrt", amount: "3" }],
    });
    const raws = [
      ...(await sends(1)),
      await a.signDeterministic(
        [exec, ...[0, 1].map(() => new MsgSend({ from_address: a.address, to_address: B, amount: [] }))],
        {
          accountNumber: 0,
          sequence: 0,
          chainId: TEST_CHAIN_ID,
        },
        { memo: "m" },
      ),
    ];
    const refFreeze = (v: unknown): void => {
      if (typeof v !== "object" || v === null || ArrayBuffer.isView(v) || Object.isFrozen(v)) return;
      for (const k of Object.keys(v)) refFreeze((v as Record<string, unknown>)[k]);
      Object.freeze(v);
    };
    /** Every object reachable by own enumerable keys, in walk order, with its frozen bit. */
    const frozenBits = (v: unknown, out: boolean[] = []): boolean[] => {
      if (typeof v !== "object" || v === null || ArrayBuffer.isView(v)) return out;
      out.push(Object.isFrozen(v));
      for (const k of Object.keys(v)) frozenBits((v as Record<string, unknown>)[k], out);
      return out;
    };
    for (const raw of raws) {
      const mine = deepFreeze(decodeTx(raw, registry));
      const ref = decodeTx(raw, registry);
      refFreeze(ref);
      const bits = frozenBits(mine);
      assert.ok(bits.length > 15 && bits.every((b) => b));
      assert.deepEqual(bits, frozenBits(ref));
      assert.deepEqual(mine, ref);
    }
  });

  test("the cached value is frozen: writes throw instead of changing it for other callers", async () => {
    const { registry } = makeTestChain({});
    const [tx] = await sends(1);
    const d = new DecodedTxCache(registry).decode(tx!);
    assert.ok(Object.isFrozen(d) && Object.isFrozen(d.messages) && Object.isFrozen(d.messages[0]!.value));
    assert.throws(() => d.signatures.push(new Uint8Array(64)), TypeError);
    assert.throws(() => {
      (d.fee as { gasLimit: bigint }).gasLimit = 1n;
    }, TypeError);
  });

  test("failures throw decodeTx's codes and are never cached", () => {
    const { registry } = makeTestChain({});
    const cache = new DecodedTxCache(registry);
    for (const bad of [new Uint8Array(), new Uint8Array([1, 2, 3]), new Uint8Array(MAX_TX_BYTES + 1)]) {
      const want = codeOf(() => decodeTx(bad, registry));
      assert.ok(want !== undefined);
      assert.equal(
        codeOf(() => cache.decode(bad)),
        want,
      );
      assert.equal(
        codeOf(() => cache.decode(bad)),
        want,
      );
    }
    assert.equal(cache.size, 0);
  });

  test("bounded by entries and by bytes, oldest out first; capacity 0 caches nothing", async () => {
    const { registry } = makeTestChain({});
    const txs = await sends(4);
    const byCount = new DecodedTxCache(registry, 2);
    for (const tx of txs) byCount.decode(tx);
    assert.equal(byCount.size, 2);
    byCount.decode(txs[3]!);
    byCount.decode(txs[0]!);
    assert.deepEqual(byCount.stats, { hits: 1, misses: 5 });
    const byBytes = new DecodedTxCache(registry, 100, txs[2]!.length + txs[3]!.length);
    for (const tx of txs) byBytes.decode(tx);
    assert.equal(byBytes.size, 2);
    const none = new DecodedTxCache(registry, 0);
    none.decode(txs[0]!);
    none.decode(txs[0]!);
    assert.deepEqual([none.size, none.stats.hits], [0, 0]);
    assert.throws(() => new DecodedTxCache(registry, -1), RangeError);
  });

  test("take: the cached value (or a fresh decode) and no entry left behind; the byte bound stays exact", async () => {
    const { registry } = makeTestChain({});
    const txs = await sends(3);
    const cache = new DecodedTxCache(registry, 100, txs[0]!.length + txs[1]!.length);
    const first = cache.decode(txs[0]!);
    cache.decode(txs[1]!);
    assert.equal(cache.take(new Uint8Array(txs[0]!)), first);
    assert.equal(cache.size, 1);
    // A miss decodes, does not cache, and throws decodeTx's errors.
    assert.deepEqual(cache.take(txs[2]!), decodeTx(txs[2]!, registry));
    assert.equal(cache.size, 1);
    assert.equal(
      codeOf(() => cache.take(new Uint8Array([1, 2, 3]))),
      codeOf(() => decodeTx(new Uint8Array([1, 2, 3]), registry)),
    );
    // The taken entry's bytes were released: two txs fit the byte bound again without evicting txs[1].
    cache.decode(txs[0]!);
    assert.equal(cache.size, 2);
    assert.deepEqual(cache.stats, { hits: 1, misses: 5 });
    const { registry: r2 } = makeTestChain({});
    const cached = decodeTxCached(txs[1]!, r2);
    assert.equal(takeTxCached(txs[1]!, r2), cached);
    assert.equal(txCacheFor(r2).size, 0);
  });

  test("the same bytes object again: a hit without hashing, exact even after the caller changed the bytes", async () => {
    const { registry } = makeTestChain({});
    const cache = new DecodedTxCache(registry);
    const [tx] = await sends(1);
    const raw = new Uint8Array(tx!);
    const first = cache.decode(raw);
    assert.equal(cache.decode(raw), first);
    assert.deepEqual(cache.stats, { hits: 1, misses: 1 });
    // Changed in place: the identity hit is refused, the result is the decode of the new bytes.
    raw[raw.length - 1]! ^= 1;
    const changed = cache.decode(raw);
    assert.notEqual(changed, first);
    assert.deepEqual(changed.signatures, decodeTx(raw.slice(), registry).signatures);
    // take after an identity hit still leaves no entry; then the same object is a miss again.
    const raw2 = new Uint8Array(tx!);
    const c2 = new DecodedTxCache(registry);
    const d = c2.decode(raw2);
    assert.equal(c2.decode(raw2), d);
    assert.equal(c2.take(raw2), d);
    assert.equal(c2.size, 0);
    assert.notEqual(c2.decode(raw2), d);
    assert.deepEqual(c2.stats, { hits: 2, misses: 2 });
  });

  test("one cache per registry", async () => {
    const c1 = makeTestChain({});
    const c2 = makeTestChain({});
    const [tx] = await sends(1);
    assert.equal(txCacheFor(c1.registry), txCacheFor(c1.registry));
    assert.notEqual(txCacheFor(c1.registry), txCacheFor(c2.registry));
    const d1 = decodeTxCached(tx!, c1.registry);
    assert.equal(decodeTxCached(tx!, c1.registry), d1);
    assert.notEqual(decodeTxCached(tx!, c2.registry), d1);
  });

  test("the same txs survive as with the Map-queue FIFO it replaced: 14,000 seeded decodes and takes", async () => {
    const { registry } = makeTestChain({});
    const rnd = mulberry32(7);
    // 90 txs of different sizes (memos of 0-200 characters), so the byte bound evicts one, two or none.
    const txs: Uint8Array[] = [];
    for (let i = 0; i < 90; i++) {
      const msg = new MsgSend({
        from_address: a.address,
        to_address: B,
        amount: [{ denom: "uscrt", amount: "1" }],
      });
      const memo = "m".repeat(Math.floor(rnd() * 200));
      txs.push(
        await a.signDeterministic([msg], { accountNumber: 0, sequence: i, chainId: TEST_CHAIN_ID }, { memo }),
      );
    }
    // [maxEntries, maxBytes]: both bounds, count only, bytes only, and txs bigger than the byte bound.
    for (const [maxEntries, maxBytes] of [
      [40, 9_000],
      [25, 1e9],
      [100, 4_000],
      [20, 300],
    ] as const) {
      const cache = new DecodedTxCache(registry, maxEntries, maxBytes);
      // The reference: the eviction DecodedTxCache had until session 14 (a Map, `entries().next()` the oldest).
      const ref = new Map<number, number>();
      let refBytes = 0;
      const recent: number[] = [];
      for (let step = 0; step < 3_500; step++) {
        const i =
          rnd() < 0.5 && recent.length > 0
            ? recent[Math.floor(rnd() * recent.length)]!
            : Math.floor(rnd() * txs.length);
        recent.push(i);
        if (recent.length > 30) recent.shift();
        const raw = rnd() < 0.5 ? txs[i]! : Uint8Array.from(txs[i]!); // the same bytes object, or a copy
        const keep = rnd() < 0.8;
        const len = txs[i]!.length;
        const hit = ref.has(i);
        const before = cache.stats.hits;
        const tx = keep ? cache.decode(raw) : cache.take(raw);
        assert.equal(Buffer.compare(tx.raw, txs[i]!), 0);
        assert.equal(cache.stats.hits - before, hit ? 1 : 0, `bounds ${maxEntries}/${maxBytes} step ${step}`);
        if (hit && !keep) {
          ref.delete(i);
          refBytes -= len;
        } else if (!hit && keep && len <= maxBytes) {
          while (ref.size >= maxEntries || refBytes + len > maxBytes) {
            const [k, l] = ref.entries().next().value!;
            ref.delete(k);
            refBytes -= l;
          }
          ref.set(i, len);
          refBytes += len;
        }
        assert.equal(cache.size, ref.size, `bounds ${maxEntries}/${maxBytes} step ${step}`);
      }
    }
  });
});
