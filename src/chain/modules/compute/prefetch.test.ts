// OCALL prefetch must change round trips only: every tx below runs on two forks of the same state, once with
// prefetch off and once on (after calls that made the contract's keys hot), and results — code, log, gas used,
// events, data — and every pending store write must be byte-identical. Gas sweeps put the out-of-gas point at
// prefetched reads (the enclave then falls back to a real OCALL) and at real reads. Real enclave worker,
// contracts from contracts/build (provenance contracts/testdata/README.md).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { MsgExecuteContract, MsgInstantiateContract, MsgStoreCode, Wallet, type Msg } from "secretjs";
import { fromBech32 } from "../../address.js";
import { ChainError } from "../../errors.js";
import { GasKVStore, GasMeter } from "../../gas.js";
import { MemoryOverlay } from "../../store/memory.js";
import type { Event } from "../../tx/context.js";
import type { TxResult } from "../../tx/runTx.js";
import { toBase64, utf8 } from "../../../util/bytes.js";
import { contract, fork, startHarness, type Harness } from "./testdata/computeHarness.js";
import { ReadMemory } from "./prefetch.js";

let h: Harness;
const hash = (n: string) => createHash("sha256").update(contract(n)).digest("hex");
const addrs: Record<string, string> = {};
const attr = (events: Event[], type: string, key: string): string[] =>
  events
    .filter((e) => e.type === type)
    .flatMap((e) => e.attributes.filter((a) => a.key === key).map((a) => a.value));
const ok = (res: TxResult): void => {
  assert.equal(res.code, 0, res.log);
};
const b64json = (v: unknown) => toBase64(utf8.encode(JSON.stringify(v)));
const engine = () => h.compute.engine;

function exec(name: string, file: string, msg: object, w: Wallet = h.a): Msg {
  return new MsgExecuteContract({
    sender: w.address,
    contract_address: addrs[name]!,
    code_hash: hash(file),
    msg,
    sent_funds: [],
  });
}

/**
 * Runs signed tx `raw` on a fork with prefetch off and on another with it on, asserts both equal, then
 * delivers it to the chain (prefetch on). Returns the result and the reads answered from the offer.
 */
function twin(raw: Uint8Array, deliver = true): { res: TxResult; prefetched: number } {
  const e = engine();
  const offState = fork(h.chain.state);
  const onState = fork(h.chain.state);
  e.prefetch = false;
  const off = h.run(raw, offState).res;
  e.prefetch = true;
  const before = e.prefetchStats.prefetchedReads;
  const on = h.run(raw, onState).res;
  const prefetched = e.prefetchStats.prefetchedReads - before;
  assert.deepEqual(on, off, "tx result with prefetch on = off");
  assert.deepEqual(onState.pendingWrites(), offState.pendingWrites(), "stored bytes with prefetch on = off");
  return { res: deliver ? h.run(raw).res : on, prefetched };
}

async function deliverTwin(msgs: Msg[], gas?: number, w: Wallet = h.a) {
  return twin(await h.sign(w, msgs, gas));
}

before(async () => {
  h = await startHarness();
  let id = 0;
  const ids: Record<string, number> = {};
  for (const file of ["snip20.wasm.gz", "callbacks.wasm.gz", "v010_token.wasm.gz"]) {
    const { res } = await h.deliver(
      h.a,
      [new MsgStoreCode({ sender: h.a.address, wasm_byte_code: contract(file), source: "", builder: "" })],
      5_000_000,
    );
    ok(res);
    ids[file.replace(".gz", "")] = ++id;
  }
  const init = async (name: string, file: string, initMsg: object) => {
    const raw = await h.sign(h.a, [
      new MsgInstantiateContract({
        sender: h.a.address,
        code_id: ids[file]!,
        code_hash: hash(file),
        label: name,
        init_msg: initMsg,
      }),
    ]);
    const { res } = h.run(raw);
    ok(res);
    addrs[name] = attr(res.events, "message", "contract_address")[0]!;
  };
  await init("token", "snip20.wasm", {
    name: "Token",
    symbol: "TKN",
    decimals: 6,
    initial_balances: [{ address: h.a.address, amount: "1000000" }],
    prng_seed: toBase64(new Uint8Array(32).fill(1)),
  });
  await init("asker", "callbacks.wasm", { count: 0 });
  await init("target", "callbacks.wasm", { count: 0 });
  await init("v010", "v010_token.wasm", {
    name: "T",
    initial_balances: [{ address: h.a.address, amount: "100" }],
  });
});
after(async () => {
  engine().prefetch = true;
  await h.stop();
});

const transfer = (to: string, amount = "1") =>
  exec("token", "snip20.wasm", { transfer: { recipient: to, amount } });

describe("OCALL prefetch: results identical with it on and off", () => {
  test("SNIP-20 transfers to new and existing holders, one over the balance, a viewing key", async () => {
    let prefetched = 0;
    for (const to of [new Wallet().address, h.b.address, new Wallet().address, h.b.address]) {
      const r = await deliverTwin([transfer(to)]);
      ok(r.res);
      prefetched += r.prefetched;
    }
    const failing = await deliverTwin([transfer(h.b.address, "999999999")]);
    assert.notEqual(failing.res.code, 0, "over the balance fails");
    const twoMsgs = await deliverTwin([transfer(h.b.address), transfer(new Wallet().address)]);
    ok(twoMsgs.res);
    ok((await deliverTwin([exec("token", "snip20.wasm", { set_viewing_key: { key: "vk" } })])).res);
    assert.ok(prefetched >= 8, `transfers read hot keys from the offer (${prefetched})`);
  });

  test("gas sweep over a transfer: out of gas at prefetched reads, real reads and the VM, all identical", async () => {
    const e = engine();
    const warm = async () => {
      e.prefetch = true;
      ok(h.run(await h.sign(h.a, [transfer(new Wallet().address)]), fork(h.chain.state)).res);
    };
    await warm();
    const need = h.run(await h.sign(h.a, [transfer(new Wallet().address)], 200_000), fork(h.chain.state));
    ok(need.res);
    const fallbacks = e.prefetchStats.offeredKeyOcallReads;
    const outcomes = new Set<string>();
    // From just below the ECALL (ante + instance cost) to the whole need: every read's charge is crossed.
    const top = Number(need.res.gasUsed) + 300;
    for (let limit = top - 14_700; limit <= top; limit += 233) {
      await warm();
      const raw = await h.sign(h.a, [transfer(new Wallet().address)], limit);
      const { res } = twin(raw, false);
      outcomes.add(res.log.replace(/gasWanted: \d+, gasUsed: \d+/, "…").slice(0, 120));
    }
    assert.ok(
      [...outcomes].some((o) => o.includes("wasm contract storage")),
      "some limits run out at a store read",
    );
    assert.ok(outcomes.has(""), "the highest limits succeed");
    assert.ok(
      e.prefetchStats.offeredKeyOcallReads > fallbacks,
      "some prefetched reads did not fit: real OCALLs",
    );
  });

  test("contract → contract query (a nested ECALL with its own offer) and a failing callee", async () => {
    const ask = (msg: object) =>
      exec("asker", "callbacks.wasm", {
        query_contract: { contract: addrs.target, code_hash: hash("callbacks.wasm"), msg: b64json(msg) },
      });
    let prefetched = 0;
    for (let i = 0; i < 4; i++) {
      ok((await deliverTwin([exec("target", "callbacks.wasm", { increment: {} })])).res);
      const r = await deliverTwin([ask({ state: {} })]);
      ok(r.res);
      prefetched += r.prefetched;
    }
    const bad = await deliverTwin([ask({ fail: { message: "no" } })]);
    assert.ok(prefetched > 0, "the nested and outer calls read from their offers");
    assert.ok(bad.res.code === 0 || bad.res.log.length > 0);
  });

  test("a v0.10 contract: transfers and a failing one", async () => {
    let prefetched = 0;
    for (let i = 0; i < 4; i++) {
      const r = await deliverTwin([
        exec("v010", "v010_token.wasm", { transfer: { recipient: h.b.address, amount: "1" } }),
      ]);
      ok(r.res);
      prefetched += r.prefetched;
    }
    const failing = await deliverTwin([
      exec("v010", "v010_token.wasm", { transfer: { recipient: h.b.address, amount: "1000" } }),
    ]);
    assert.notEqual(failing.res.code, 0);
    assert.ok(prefetched > 0, "v0.10 reads came from the offer");
  });

  test("a query with its own SDK meter: every limit ends at the same point with the same gas", async () => {
    ok((await deliverTwin([exec("token", "snip20.wasm", { set_viewing_key: { key: "vk2" } })])).res);
    const e = engine();
    const msg = await h.utils.encrypt(hash("snip20.wasm"), { balance: { address: h.a.address, key: "vk2" } });
    const addr = fromBech32(addrs.token!);
    const run = (limit: bigint | undefined, prefetch: boolean) => {
      e.prefetch = prefetch;
      const meter = new GasMeter(limit);
      const ctx = {
        ...h.chain.ctx(),
        gasMeter: meter,
        store: new GasKVStore(new MemoryOverlay(h.chain.state), meter),
      };
      let out: string;
      try {
        out = JSON.stringify(e.runQuery(ctx, addr, msg, 10_000_000_000n, 0), (_k, v: unknown) =>
          typeof v === "bigint" ? v.toString() : v,
        );
      } catch (err) {
        if (!(err instanceof ChainError)) throw err;
        out = `${err.code}:${err.message}`;
      }
      return `${out} consumed=${meter.consumed}`;
    };
    for (let i = 0; i < 3; i++) run(undefined, true); // hot keys
    const full = new GasMeter(undefined);
    e.prefetch = true;
    const ctx = {
      ...h.chain.ctx(),
      gasMeter: full,
      store: new GasKVStore(new MemoryOverlay(h.chain.state), full),
    };
    e.runQuery(ctx, addr, msg, 10_000_000_000n, 0);
    const need = full.consumed;
    assert.ok(need > 300n, `the query's reads cost SDK gas (${need})`);
    const before = e.prefetchStats.prefetchedReads;
    const fallbacks = e.prefetchStats.offeredKeyOcallReads;
    const ends = new Set<string>();
    for (let limit = 0n; limit <= need + 1n; limit += 13n) {
      run(undefined, true); // keep the keys hot
      const off = run(limit, false);
      const on = run(limit, true);
      assert.equal(on, off, `limit ${limit}`);
      ends.add(off.replace(/gasUsed: \d+/, ""));
    }
    assert.ok(e.prefetchStats.prefetchedReads > before, "reads answered from the offer");
    assert.ok(e.prefetchStats.offeredKeyOcallReads > fallbacks, "reads that did not fit went by OCALL");
    assert.ok(ends.size >= 2, "both out-of-gas and success were reached");
  });
});

describe("ReadMemory", () => {
  const k = (n: number) => new Uint8Array([n]);
  const reads = (...ns: number[]) => new Map(ns.map((n) => [String.fromCharCode(n), k(n)] as const));
  const C = new Uint8Array(20).fill(9);

  test("a key is hot after two calls in a row read it, and cold after two calls in a row do not", () => {
    const m = new ReadMemory();
    m.record(C, reads(1, 2));
    assert.deepEqual(m.hotKeys(C), []);
    m.record(C, reads(1, 3));
    assert.deepEqual(m.hotKeys(C), [k(1)]);
    m.record(C, reads(3));
    assert.deepEqual(m.hotKeys(C), [k(1), k(3)], "one miss keeps a key");
    m.record(C, reads(4));
    assert.deepEqual(m.hotKeys(C), [k(3)], "two misses drop it");
    m.record(C, reads(5));
    assert.deepEqual(m.hotKeys(C), []);
    assert.deepEqual(m.hotKeys(new Uint8Array(20)), [], "per contract");
  });

  test("bounded: 32 hot keys per contract, the first 256 keys of a call as candidates", () => {
    const m = new ReadMemory();
    const all = Array.from({ length: 40 }, (_, i) => i);
    m.record(C, reads(...all));
    m.record(C, reads(...all));
    assert.equal(m.hotKeys(C).length, 32);
    const many = new ReadMemory();
    const big = new Map(
      Array.from({ length: 300 }, (_, i) => [`k${i}`, new Uint8Array([i & 255, i >> 8])] as const),
    );
    many.record(C, big);
    many.record(C, new Map([...big].slice(280)));
    assert.deepEqual(many.hotKeys(C), [], "keys past the first 256 were not remembered");
  });
});
