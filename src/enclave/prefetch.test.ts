// OCALL prefetch pieces without a worker: the enclave's session (shadow gas, fallbacks, invalidation, charge
// order), the frames that carry charges and the gas resync, the host's answers to them, and the wire section.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { PrefetchSession, type PrefetchSet } from "./prefetch.js";
import {
  decodeEcallResponseWithWrites,
  decodeOcallRequest,
  decodeSyncedOutput,
  encodeEcallResponseWithWrites,
  encodeOcallRequest,
  encodeResult,
  MAX_PREFETCH_ENTRIES,
  OCALL,
  type BatchOp,
} from "./channel/frames.js";
import { answerOcall, applyDeferredWrites, OcallFailure, type OcallHandler } from "./channel/hostOcalls.js";
import { createOcalls } from "./ocalls.js";
import { decodeContractRequest, encodeContractRequest } from "./contract/wire.js";

const k = (n: number) => new Uint8Array([n, n]);
const v = (n: number) => new Uint8Array([n]);

function set(remaining: bigint | undefined): PrefetchSet {
  return {
    remaining,
    entries: [
      { key: k(1), value: v(1), charge: 10n },
      { key: k(2), value: undefined, charge: 5n },
      { key: k(3), value: v(3), charge: 7n },
      { key: k(4), value: undefined, charge: 4n },
    ],
  };
}

describe("PrefetchSession", () => {
  test("answers reads while their charge fits the shadow; charges come out in read order", () => {
    const s = new PrefetchSession(set(20n));
    assert.deepEqual(s.read(k(1)), { value: v(1) });
    assert.deepEqual(s.read(k(2)), { value: undefined });
    assert.equal(s.read(k(3)), undefined, "7 > 20 - 15: falls back to an OCALL");
    assert.equal(s.read(k(9)), undefined, "not offered");
    assert.deepEqual(s.takeCharges(), [0, 1]);
    assert.deepEqual(s.takeCharges(), []);
    s.sync(7n);
    assert.deepEqual(s.read(k(3)), { value: v(3) }, "charge equal to the remaining gas fits");
    assert.equal(s.hits, 3);
  });

  test("readFirst: a present key alone; an absent key needs the fallback too, both charges fitting", () => {
    const s = new PrefetchSession(set(undefined));
    assert.deepEqual(s.readFirst(k(1), k(9)), { value: v(1), fromFallback: false });
    assert.equal(s.readFirst(k(2), k(9)), undefined, "fallback not offered");
    assert.deepEqual(s.readFirst(k(2), k(3)), { value: v(3), fromFallback: true });
    assert.deepEqual(s.readFirst(k(2), k(4)), { value: undefined, fromFallback: true });
    assert.deepEqual(s.takeCharges(), [0, 1, 2, 1, 3]);
    const tight = new PrefetchSession(set(8n));
    assert.equal(tight.readFirst(k(2), k(4)), undefined, "5 + 4 > 8");
    assert.deepEqual(tight.takeCharges(), [], "nothing consumed by a refused readFirst");
  });

  test("a written key and a stopped session answer nothing; values are private copies", () => {
    const s = new PrefetchSession(set(undefined));
    s.forget(k(1));
    assert.equal(s.read(k(1)), undefined);
    const got = s.read(k(3));
    got!.value![0] = 99;
    assert.deepEqual(s.read(k(3)), { value: v(3) });
    s.stop();
    assert.equal(s.read(k(3)), undefined);
  });
});

describe("prefetch frames and host answers", () => {
  test("charged wrapper and prefetched batch ops round-trip (fast-check, seed 42)", () => {
    const idx = fc.integer({ min: 0, max: MAX_PREFETCH_ENTRIES - 1 });
    fc.assert(
      fc.property(fc.array(idx, { maxLength: 20 }), fc.uint8Array({ maxLength: 40 }), (charges, key) => {
        const req = { kind: OCALL.charged, charges, inner: { kind: OCALL.readDb, key } } as const;
        assert.deepEqual(decodeOcallRequest(encodeOcallRequest(req)), req);
        const ops: BatchOp[] = [...charges.map((prefetched) => ({ prefetched })), { key, value: key }];
        const body = encodeEcallResponseWithWrites(ops, { ok: key, gasUsed: 3n });
        assert.deepEqual(decodeEcallResponseWithWrites(body).ops, ops);
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  test("malformed: a nested wrapper, an index out of range, too many charges", () => {
    const inner = encodeOcallRequest({
      kind: OCALL.charged,
      charges: [],
      inner: { kind: OCALL.readDb, key: k(1) },
    });
    const nested = new Uint8Array([OCALL.charged, 0, 0, 0, 0, ...inner]);
    assert.throws(() => decodeOcallRequest(nested), /nested wrapper/);
    const far = new Uint8Array([OCALL.charged, 0, 0, 0, 1, 0, 0, 1, 0, OCALL.readDb, 1]);
    assert.throws(() => decodeOcallRequest(far), /prefetch index/);
    const many = new Uint8Array([OCALL.charged, 0, 0, 1, 1]);
    assert.throws(() => decodeOcallRequest(many), /charges count/);
  });

  function recorder(remaining: bigint | undefined): { h: OcallHandler; log: string[] } {
    const log: string[] = [];
    const h: OcallHandler = {
      readDb: (key) => {
        log.push(`r${key[0]}`);
        return { value: v(key[0]!), gasUsed: 2n };
      },
      writeDb: (key) => {
        log.push(`w${key[0]}`);
        return { gasUsed: 3n };
      },
      removeDb: () => ({ gasUsed: 0n }),
      queryChain: () => ({ result: new Uint8Array(), gasUsed: 0n }),
      chargePrefetched: (i) => {
        if (i === 13) throw new OcallFailure("out of gas", 0n);
        log.push(`c${i}`);
      },
      remainingGas: () => remaining,
    };
    return { h, log };
  }

  test("the host charges first, answers the inner OCALL, then sends its remaining gas", () => {
    const { h, log } = recorder(77n);
    const res = answerOcall(h, {
      kind: OCALL.charged,
      charges: [2, 0],
      inner: { kind: OCALL.readDb, key: k(5) },
    });
    assert.deepEqual(log, ["c2", "c0", "r5"]);
    assert.ok("ok" in res);
    assert.equal(res.gasUsed, 2n);
    assert.deepEqual(decodeSyncedOutput(res.ok), { remaining: 77n, inner: new Uint8Array([1, 5]) });
    const failed = answerOcall(h, {
      kind: OCALL.charged,
      charges: [13],
      inner: { kind: OCALL.readDb, key: k(6) },
    });
    assert.ok("error" in failed);
    assert.deepEqual(log, ["c2", "c0", "r5"], "a failing charge stops before the inner OCALL");
    const noPrefetch: OcallHandler = { ...h, chargePrefetched: undefined } as unknown as OcallHandler;
    assert.ok(
      "error" in
        answerOcall(noPrefetch, {
          kind: OCALL.charged,
          charges: [1],
          inner: { kind: OCALL.readDb, key: k(1) },
        }),
    );
  });

  test("a response's prefetched ops are charged before its writes, also under an error result", () => {
    const { h, log } = recorder(undefined);
    const ok = applyDeferredWrites(h, [{ prefetched: 1 }, { key: k(4), value: v(4) }], {
      ok: v(0),
      gasUsed: 10n,
    });
    assert.deepEqual(ok, { ok: v(0), gasUsed: 13n });
    const err = { error: { code: 5, message: "x" }, gasUsed: 9n };
    assert.deepEqual(applyDeferredWrites(h, [{ prefetched: 3 }], err), err);
    assert.deepEqual(log, ["c1", "w4", "c3"]);
  });

  test("the enclave's OCALLs through a ledger: charges sent first, shadow resynced, stopped on an error", () => {
    const { h, log } = recorder(5n);
    const transport = (body: Uint8Array) => encodeResult(answerOcall(h, decodeOcallRequest(body)));
    const session = new PrefetchSession(set(100n));
    const ocalls = createOcalls(transport).withLedger!(session);
    assert.deepEqual(session.read(k(1)), { value: v(1) });
    assert.deepEqual(ocalls.readDb(k(8)), { value: v(8), gasUsed: 2n });
    assert.deepEqual(log, ["c0", "r8"]);
    assert.equal(session.read(k(3)), undefined, "the host said 5 left: 7 does not fit any more");
    assert.deepEqual(session.read(k(4)), { value: undefined });
    const failing = createOcalls(() => encodeResult({ error: { code: 1, message: "no" }, gasUsed: 0n }))
      .withLedger!(session);
    assert.throws(() => failing.writeDb(k(9), v(9)));
    assert.equal(session.read(k(2)), undefined, "no answers from the set after a failed OCALL");
    const plain = createOcalls(transport);
    assert.deepEqual(plain.readDb(k(7)).value, v(7), "without a ledger: plain OCALLs");
  });

  test("the contract request carries the offer (remaining gas, absent values) and nothing without one", () => {
    const base = {
      codeHash: new Uint8Array(32),
      wasm: new Uint8Array([0, 97]),
      env: {
        block: { height: 1n, timeNanos: 2n, chainId: "c" },
        message: { sender: "s", funds: [] },
        contract: { address: "a" },
      },
      msg: new Uint8Array([1, 2]),
      msgCounter: 0n,
      queryDepth: 0,
    };
    for (const prefetch of [set(12n), set(undefined), { remaining: 0n, entries: [] }]) {
      const back = decodeContractRequest(encodeContractRequest({ ...base, prefetch }));
      assert.deepEqual(back.prefetch, prefetch);
      assert.deepEqual(back.wasm, base.wasm);
    }
    assert.equal(decodeContractRequest(encodeContractRequest(base)).prefetch, undefined);
  });
});
