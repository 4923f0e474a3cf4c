// The store's write path (src/chain/store/README.md "Ownership", "Deletes of absent keys"): PrefixStore builds
// its prefixed keys in the shared slab and hands them over through GasKVStore.setOwned to the overlay, which
// keeps them without a copy; an overlay over the committed state records no tombstone for a key no level holds.
// Seeded equivalence against the path before both (a view that hides setOwned/deleteOwned, and a committed view
// the overlays cannot ask): the same reads, gas, effective write sets, rows and app hashes, while the caller
// scribbles over the buffers it passed after every call (a reused scratch, as an OCALL frame is) and slab chunks
// fill and roll over.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { GasKVStore, GasMeter } from "./gas.js";
import { PrefixStore } from "./tx/context.js";
import { MemoryOverlay } from "./store/memory.js";
import { openStoreAt, type Store } from "./store/store.js";
import { prng } from "./store/testkit.js";
import { OWN_KEY, OWN_VALUE, type KVReader, type KVStore } from "./store/types.js";
import { toHex } from "../util/bytes.js";

/**
 * The committed view behind a plain KVReader: not a KeyIdReader, so overlays over it cannot tell a key is absent
 * and keep every tombstone (the path before overlays skipped deletes of absent keys).
 */
class OpaqueReader implements KVReader {
  constructor(private readonly inner: KVReader) {}
  get(key: Uint8Array): Uint8Array | undefined {
    return this.inner.get(key);
  }
  has(key: Uint8Array): boolean {
    return this.inner.has(key);
  }
  iterate(
    start: Uint8Array | undefined,
    end: Uint8Array | undefined,
    reverse?: boolean,
  ): Iterable<[Uint8Array, Uint8Array]> {
    return this.inner.iterate(start, end, reverse);
  }
}

/** A KVStore without setOwned/deleteOwned: everything below it takes the copying `set`/`delete`. */
class CopyingView extends OpaqueReader implements KVStore {
  constructor(private readonly store: KVStore) {
    super(store);
  }
  set(key: Uint8Array, value: Uint8Array): void {
    this.store.set(key, value);
  }
  delete(key: Uint8Array): void {
    this.store.delete(key);
  }
}

interface Chain {
  readonly store: Store;
  /** The path before: copying sets, tombstones for every delete. */
  readonly reference: boolean;
  block: MemoryOverlay;
}

const newBlock = (store: Store, reference: boolean): MemoryOverlay =>
  reference ? new MemoryOverlay(new OpaqueReader(store.committed)) : store.newOverlay();

/** One tx as the runner nests it (ante cache, message cache) with a metered contract-style prefixed view. */
function runTx(
  chain: Chain,
  ops: readonly Op[],
  scratch: { key: Uint8Array; value: Uint8Array },
  scribble: () => void,
): { gas: bigint; answers: string[] } {
  const ante = new MemoryOverlay(chain.block);
  const msg = new MemoryOverlay(ante);
  const meter = new GasMeter(undefined);
  const gas = new GasKVStore(msg, meter);
  const prefix = Uint8Array.of(0x03, ...new Uint8Array(28).fill(0x5c));
  const st = new PrefixStore(chain.reference ? new CopyingView(gas) : gas, prefix);
  const answers: string[] = [];
  for (const op of ops) {
    // The caller's arrays are one reused scratch: the op's bytes are written in, passed, then overwritten.
    const key = scratch.key.subarray(0, op.key.length);
    key.set(op.key);
    if (op.kind === "set") {
      const value = scratch.value.subarray(0, op.value!.length);
      value.set(op.value!);
      st.set(key, value);
    } else if (op.kind === "delete") st.delete(key);
    else if (op.kind === "iterate") {
      const range = [...st.iterate(key.subarray(0, 2), undefined, key[2]! % 2 === 0)];
      answers.push(range.map(([k, v]) => `${toHex(k)}=${toHex(v)}`).join(","));
    } else {
      const v = st.get(key);
      answers.push(v === undefined ? "-" : toHex(v));
    }
    scribble();
  }
  msg.write();
  ante.write();
  return { gas: meter.consumed, answers };
}

interface Op {
  readonly kind: "set" | "delete" | "get" | "iterate";
  readonly key: Uint8Array;
  readonly value?: Uint8Array;
}

function genOps(rnd: () => number, n: number): Op[] {
  const ops: Op[] = [];
  for (let i = 0; i < n; i++) {
    // Keys from a small space (overwrites, deletes of written keys, reads of both), 20–100 bytes: prefixed
    // keys fall on both sides of V8's 64-byte on-heap limit, values up to 1,200 bytes on both sides of the
    // slab's own-buffer limit.
    const id = rnd() % 400;
    const key = new Uint8Array(20 + ((id * 7) % 81)).fill(id & 0xff);
    key[0] = id & 0xff;
    key[1] = id >> 8;
    const r = rnd() % 10;
    if (r < 5) {
      const value = new Uint8Array(rnd() % 3 === 0 ? rnd() % 1200 : rnd() % 90);
      for (let j = 0; j < value.length; j++) value[j] = rnd() & 0xff;
      ops.push({ kind: "set", key, value });
    } else if (r < 7) ops.push({ kind: "delete", key });
    else ops.push({ kind: rnd() % 8 === 0 ? "iterate" : "get", key });
  }
  return ops;
}

/** The write set as prepare keeps it: deletes of keys the committed state lacks dropped (effectiveWrites). */
const dumpWrites = (o: MemoryOverlay, committed: KVReader): string[] =>
  o
    .pendingWrites()
    .filter(([k, v]) => v !== undefined || committed.has(k))
    .map(([k, v]) => `${toHex(k)}=${v === undefined ? "-" : toHex(v)}`);

describe("the store's write path: ownership passing, deletes of absent keys (seeded)", () => {
  test("equal to the path before: reads, gas, write sets, rows and app hashes, under caller scribbling", () => {
    for (const seed of [1, 7, 42]) {
      const rnd = prng(seed);
      const scratch = { key: new Uint8Array(128), value: new Uint8Array(1300) };
      const scribble = (): void => {
        for (let j = 0; j < scratch.key.length; j++) scratch.key[j] = rnd() & 0xff;
        for (let j = 0; j < scratch.value.length; j += 7) scratch.value[j] = rnd() & 0xff;
      };
      const chains: Chain[] = [false, true].map((reference) => {
        const store = openStoreAt(":memory:");
        return { store, reference, block: newBlock(store, reference) };
      });
      let skipped = 0;
      try {
        for (let height = 1; height <= 4; height++) {
          for (let tx = 0; tx < 25; tx++) {
            const ops = genOps(rnd, 1 + (rnd() % 30));
            const [now, before] = chains.map((chain) => runTx(chain, ops, scratch, scribble));
            assert.deepEqual(now, before, `seed ${seed} height ${height} tx ${tx}`);
          }
          const [a, b] = chains;
          assert.deepEqual(
            dumpWrites(a!.block, a!.store.committed),
            dumpWrites(b!.block, b!.store.committed),
          );
          skipped += b!.block.size - a!.block.size;
          const hashes = chains.map((chain) => {
            const h = chain.store.commit(height, chain.block.pendingWrites());
            chain.block = newBlock(chain.store, chain.reference);
            return toHex(h);
          });
          assert.equal(hashes[0], hashes[1], `seed ${seed} app hash at ${height}`);
          const rows = chains.map((chain) =>
            [...chain.store.committed.iterate(undefined, undefined)].map(([k, v]) => toHex(k) + toHex(v)),
          );
          assert.deepEqual(rows[0], rows[1]);
          assert.ok(rows[0]!.length > 0);
        }
      } finally {
        for (const chain of chains) chain.store.close();
      }
      assert.ok(skipped > 0, `seed ${seed}: no delete of an absent key was skipped`);
    }
  });

  test("the overlay keeps what is handed over and copies the rest; flushes hand the same objects on", () => {
    const store = openStoreAt(":memory:");
    store.commit(1, [[Uint8Array.of(4), Uint8Array.of(1)]]); // a delete of an absent key would record nothing
    const parent = new MemoryOverlay(store.committed);
    const o = new MemoryOverlay(parent);
    const k1 = Uint8Array.of(1, 1);
    const v1 = Uint8Array.of(9);
    o.setOwned(k1, v1, OWN_KEY);
    const k2 = Uint8Array.of(2);
    const v2 = Uint8Array.of(8, 8);
    o.setOwned(k2, v2, OWN_VALUE);
    const k3 = Uint8Array.of(3);
    const v3 = Uint8Array.of(7);
    o.setOwned(k3, v3, OWN_KEY | OWN_VALUE);
    const k4 = Uint8Array.of(4);
    o.deleteOwned(k4);
    // What was not handed over is the caller's: mutating it changes nothing.
    v1[0] = 0;
    k2[0] = 0x7f;
    o.write();
    const w = parent.pendingWrites();
    assert.deepEqual(
      w.map(([k, v]) => [toHex(k), v === undefined ? undefined : toHex(v)]),
      [
        ["0101", "09"],
        ["02", "0808"],
        ["03", "07"],
        ["04", undefined],
      ],
    );
    assert.equal(w[0]![0], k1);
    assert.notEqual(w[0]![1], v1);
    assert.notEqual(w[1]![0], k2);
    assert.equal(w[1]![1], v2);
    assert.equal(w[2]![0], k3);
    assert.equal(w[2]![1], v3);
    assert.equal(w[3]![0], k4);
  });

  test("PrefixStore hands over its own key only: the caller's value is copied unless handed over too", () => {
    const block = new MemoryOverlay(openStoreAt(":memory:").committed);
    const meter = new GasMeter(undefined);
    const st = new PrefixStore(new GasKVStore(block, meter), Uint8Array.of(0xaa));
    const key = Uint8Array.of(1, 2);
    const value = Uint8Array.of(5, 6, 7);
    st.set(key, value);
    key.fill(0);
    value.fill(0);
    const owned = Uint8Array.of(4);
    st.setOwned(Uint8Array.of(3), owned, OWN_VALUE);
    const w = block.pendingWrites();
    assert.deepEqual(
      w.map(([k, v]) => [toHex(k), toHex(v!)]),
      [
        ["aa0102", "050607"],
        ["aa03", "04"],
      ],
    );
    assert.equal(w[1]![1], owned);
  });

  test("GasKVStore's ownership-passing calls charge exactly as set/delete, out-of-gas point included", () => {
    const rnd = prng(5);
    const ops = genOps(rnd, 400);
    const charges = (owned: boolean, limit: bigint | undefined): [bigint, number] => {
      const meter = new GasMeter(limit);
      const gas = new GasKVStore(new MemoryOverlay(openStoreAt(":memory:").committed), meter);
      let done = 0;
      try {
        for (const op of ops) {
          if (op.kind === "set") {
            if (owned) gas.setOwned(op.key.slice(), op.value!.slice(), OWN_KEY | OWN_VALUE);
            else gas.set(op.key, op.value!);
          } else if (op.kind === "delete") {
            if (owned) gas.deleteOwned(op.key.slice());
            else gas.delete(op.key);
          } else gas.get(op.key);
          done++;
        }
      } catch {
        // out of gas: `done` ops completed
      }
      return [meter.consumed, done];
    };
    assert.deepEqual(charges(true, undefined), charges(false, undefined));
    const limit = charges(false, undefined)[0] / 2n;
    const cut = charges(false, limit);
    assert.ok(cut[1] < ops.length);
    assert.deepEqual(charges(true, limit), cut);
  });

  test("a delete records no tombstone only when the overlays down to the committed state can tell the key is absent", () => {
    const store = openStoreAt(":memory:");
    store.commit(1, [[Uint8Array.of(1), Uint8Array.of(1)]]);
    const block = store.newOverlay();
    block.set(Uint8Array.of(2), Uint8Array.of(2));
    block.delete(Uint8Array.of(3));
    const ante = new MemoryOverlay(block);
    const tx = new MemoryOverlay(ante);
    for (const k of [1, 2, 3, 4]) tx.delete(Uint8Array.of(k));
    // Committed (1) and pending (2) keys get tombstones; absent (4) and already deleted (3) ones do not.
    assert.deepEqual(
      tx.pendingWrites().map(([k, v]) => [toHex(k), v]),
      [
        ["01", undefined],
        ["02", undefined],
      ],
    );
    for (const k of [1, 2, 3, 4]) assert.equal(tx.get(Uint8Array.of(k)), undefined);
    tx.write();
    ante.write();
    assert.equal(block.get(Uint8Array.of(1)), undefined);
    assert.equal(block.get(Uint8Array.of(2)), undefined);
    // Over a metered view (a sub-message's cache over the tx's gas store) the overlay cannot ask without being
    // charged: it keeps the tombstone and charges nothing.
    const meter = new GasMeter(undefined);
    const metered = new MemoryOverlay(new GasKVStore(store.newOverlay(), meter));
    metered.delete(Uint8Array.of(9));
    assert.equal(meter.consumed, 0n);
    assert.equal(metered.size, 1);
    // Over a reader that is not the committed state or an overlay (a recording or plain reader): the same.
    const opaque = new MemoryOverlay(new OpaqueReader(store.committed));
    opaque.delete(Uint8Array.of(9));
    assert.equal(opaque.size, 1);
    store.close();
  });
});
