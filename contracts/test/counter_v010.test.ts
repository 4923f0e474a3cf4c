// Runs the built counter.wasm and v010_token.wasm in Node's WebAssembly through the test host (contracts/test/host.ts).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { TestContract, addr, fromB64Json, loadModule } from "./host.js";

describe("counter.wasm (CosmWasm v1)", () => {
  const deploy = (): TestContract => {
    const c = new TestContract(loadModule("counter.wasm"), addr("counter"));
    assert.deepEqual(c.instantiate({ count: 5 }), {
      Ok: {
        messages: [],
        attributes: [
          { key: "action", value: "instantiate", encrypted: true },
          { key: "owner", value: addr("alice"), encrypted: false },
          { key: "count", value: "5", encrypted: true },
        ],
        events: [],
        data: null,
      },
    });
    return c;
  };

  test("increment sets data and attributes; query reads the new count", () => {
    const c = deploy();
    const res = c.execute({ increment: {} }, { sender: addr("bob") }) as {
      Ok: { data: string; attributes: unknown };
    };
    assert.deepEqual(fromB64Json(res.Ok.data), { count: 6 });
    assert.deepEqual(res.Ok.attributes, [
      { key: "action", value: "increment", encrypted: true },
      { key: "count", value: "6", encrypted: true },
    ]);
    assert.deepEqual(fromB64Json((c.query({ get_count: {} }) as { Ok: string }).Ok), { count: 6 });
  });

  test("reset is owner-only; errors are v1 plain strings", () => {
    const c = deploy();
    assert.deepEqual(c.execute({ reset: { count: 0 } }, { sender: addr("mallory") }), {
      Err: "Generic error: unauthorized: only the owner may reset",
    });
    c.execute({ reset: { count: -3 } });
    assert.deepEqual(fromB64Json((c.query({ get_count: {} }) as { Ok: string }).Ok), { count: -3 });
  });

  test("an unknown message is a parse error, not a trap", () => {
    const c = deploy();
    const res = c.execute({ nope: {} }) as { Err: string };
    assert.match(res.Err, /^Error parsing into type counter::ExecuteMsg/);
  });
});

describe("v010_token.wasm (CosmWasm v0.10)", () => {
  const deploy = (): TestContract => {
    const c = new TestContract(loadModule("v010_token.wasm"), addr("v010"));
    const init = c.call("init", [
      c.envV010(),
      { name: "Old Token", initial_balances: [{ address: addr("alice"), amount: "1000" }] },
    ]);
    assert.deepEqual(init, {
      Ok: {
        messages: [],
        log: [
          { key: "action", value: "init", encrypted: true },
          { key: "creator", value: addr("alice"), encrypted: false },
        ],
      },
    });
    return c;
  };
  const balance = (c: TestContract, who: string): unknown =>
    fromB64Json((c.call("query", [{ balance: { address: who } }], true) as { Ok: string }).Ok);

  test("transfer moves balance, logs, and answers data", () => {
    const c = deploy();
    const res = c.call("handle", [c.envV010(), { transfer: { recipient: addr("bob"), amount: "300" } }]) as {
      Ok: { data: string; log: unknown[] };
    };
    assert.deepEqual(fromB64Json(res.Ok.data), { amount: "700" });
    assert.equal(res.Ok.log.length, 3);
    assert.deepEqual(balance(c, addr("bob")), { amount: "300" });
    assert.deepEqual(balance(c, addr("alice")), { amount: "700" });
  });

  test("errors are v0.10 StdError objects", () => {
    const c = deploy();
    const res = c.call("handle", [
      c.envV010({ sender: addr("bob") }),
      { transfer: { recipient: addr("carol"), amount: "1" } },
    ]);
    assert.deepEqual(res, { Err: { generic_err: { msg: "insufficient funds: balance=0, required=1" } } });
  });

  test("call_contract emits WasmMsg::Execute with callback_code_hash and send", () => {
    const c = deploy();
    const msg = Buffer.from('{"increment":{}}').toString("base64");
    const res = c.call("handle", [
      c.envV010(),
      {
        call_contract: {
          contract: addr("other"),
          code_hash: "ab".repeat(32),
          msg,
          send: [{ denom: "uscrt", amount: "7" }],
        },
      },
    ]) as { Ok: { messages: unknown[] } };
    assert.deepEqual(res.Ok.messages, [
      {
        wasm: {
          execute: {
            contract_addr: addr("other"),
            callback_code_hash: "ab".repeat(32),
            msg,
            send: [{ denom: "uscrt", amount: "7" }],
          },
        },
      },
    ]);
  });

  test("send_native sends from the contract; send_native_from names someone else", () => {
    const c = deploy();
    const amount = [{ denom: "uscrt", amount: "5" }];
    const own = c.call("handle", [c.envV010(), { send_native: { to: addr("bob"), amount } }]) as {
      Ok: { messages: unknown[] };
    };
    assert.deepEqual(own.Ok.messages, [
      { bank: { send: { from_address: addr("v010"), to_address: addr("bob"), amount } } },
    ]);
    const other = c.call("handle", [
      c.envV010(),
      { send_native_from: { from: addr("bob"), to: addr("carol"), amount } },
    ]) as { Ok: { messages: unknown[] } };
    assert.deepEqual(other.Ok.messages, [
      { bank: { send: { from_address: addr("bob"), to_address: addr("carol"), amount } } },
    ]);
  });
});
