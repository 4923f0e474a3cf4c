// Gas, simulation and randomness at the x/compute edge, with a real enclave: a contract call that runs out of
// VM gas fails with the SDK's out-of-gas (sdk 11); simulating instantiate/execute is refused as on Secret;
// env.block.random comes from the app's block random, differs per message and is reproducible.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { MsgExecuteContract, MsgInstantiateContract, MsgStoreCode } from "secretjs";
import type { Event } from "../../tx/context.js";
import type { TxResult } from "../../tx/runTx.js";
import { contract, fork, setBlockRandom, startHarness, type Harness } from "./testdata/computeHarness.js";

let h: Harness;
let cb: string;
const hash = createHash("sha256").update(contract("callbacks.wasm")).digest("hex");
const ok = (res: TxResult): void => {
  assert.equal(res.code, 0, res.log);
};
const attr = (events: Event[], type: string, key: string): string[] =>
  events
    .filter((e) => e.type === type)
    .flatMap((e) => e.attributes.filter((a) => a.key === key).map((a) => a.value));
const execMsg = (msg: object) =>
  new MsgExecuteContract({ sender: h.a.address, contract_address: cb, code_hash: hash, msg });

before(async () => {
  h = await startHarness();
  const store = await h.deliver(
    h.a,
    [
      new MsgStoreCode({
        sender: h.a.address,
        wasm_byte_code: contract("callbacks.wasm.gz"),
        source: "",
        builder: "",
      }),
    ],
    5_000_000,
  );
  ok(store.res);
  const init = await h.deliver(h.a, [
    new MsgInstantiateContract({
      sender: h.a.address,
      code_id: 1,
      code_hash: hash,
      label: "cb",
      init_msg: { count: 0 },
    }),
  ]);
  ok(init.res);
  cb = attr(init.res.events, "message", "contract_address")[0]!;
});
after(async () => {
  await h.stop();
});

describe("gas, simulation, randomness", () => {
  test("a contract call out of gas fails with sdk out of gas and writes nothing", async () => {
    const probe = h.run(await h.sign(h.a, [execMsg({ increment: {} })]), fork(h.chain.state));
    ok(probe.res);
    // Enough for ante and InstanceCost, not for the contract itself.
    const low = await h.deliver(h.a, [execMsg({ increment: {} })], Number(probe.res.gasUsed) - 150);
    assert.equal(low.res.codespace, "sdk");
    assert.equal(low.res.code, 11, low.res.log);
    assert.match(low.res.log, /out of gas in location: wasm contract/);
    assert.ok(low.res.gasUsed > low.res.gasWanted);
    const enough = await h.deliver(h.a, [execMsg({ increment: {} })]);
    ok(enough.res);
    assert.equal(
      await h.decryptData(enough.res, enough.tx, 0),
      "1",
      "the out-of-gas increment left no trace",
    );
  });

  test("simulating instantiate or execute is refused; store code simulates", async () => {
    const exec = h.chain.run(await h.sign(h.a, [execMsg({ increment: {} })]), "simulate");
    assert.equal(exec.code, 3);
    assert.match(exec.log, /failed to verify transaction signature: execute contract failed$/);
    const init = h.chain.run(
      await h.sign(h.a, [
        new MsgInstantiateContract({
          sender: h.a.address,
          code_id: 1,
          code_hash: hash,
          label: "x",
          init_msg: {},
        }),
      ]),
      "simulate",
    );
    assert.equal(init.code, 2);
    const store = h.chain.run(
      await h.sign(
        h.a,
        [
          new MsgStoreCode({
            sender: h.a.address,
            wasm_byte_code: contract("counter.wasm"),
            source: "",
            builder: "",
          }),
        ],
        5_000_000,
      ),
      "simulate",
    );
    ok(store);
  });

  test("env.block.random: from the block random, per message, reproducible; absent without one", async () => {
    setBlockRandom(undefined);
    const none = await h.deliver(h.a, [execMsg({ random: {} })]);
    assert.equal(none.res.code, 3);
    setBlockRandom(new Uint8Array(32).fill(0x42));
    try {
      const raw = await h.sign(h.a, [execMsg({ random: {} }), execMsg({ random: {} })]);
      const one = h.run(raw, fork(h.chain.state));
      const two = h.run(raw, fork(h.chain.state));
      ok(one.res);
      const r0 = await h.decryptDataBytes(one.res, one.tx, 0);
      const r1 = await h.decryptDataBytes(one.res, one.tx, 1);
      assert.equal(r0.length, 32);
      assert.notDeepEqual(r0, r1, "each message gets its own random");
      assert.deepEqual(await h.decryptDataBytes(two.res, two.tx, 0), r0, "same state, same tx → same random");
    } finally {
      setBlockRandom(undefined);
    }
  });
  test("after an enclave restart (empty code cache) the stored upload is sent again and the call succeeds", async () => {
    await h.restartEnclave();
    const r = await h.deliver(h.a, [execMsg({ increment: {} })]);
    ok(r.res);
    assert.equal(await h.decryptData(r.res, r.tx, 0), "2");
  });
});
