// Runs the built callbacks.wasm in Node's WebAssembly through the test host: sub-message shapes for each
// reply_on, the reply entry point, contract→contract queries (also recursive), funds, events, randomness.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { TestContract, addr, fromB64Json, loadModule } from "./host.js";
import { Wasm } from "./wasm.js";

const HASH = "cd".repeat(32);
const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString("base64");
type Ok<T> = { Ok: T };
type Resp = {
  messages: { id: number; reply_on: string; msg: unknown }[];
  attributes: unknown[];
  events: unknown[];
  data: string | null;
};

function deploy(): TestContract {
  const c = new TestContract(loadModule("callbacks.wasm"), addr("callbacks"), HASH);
  const res = c.instantiate({ count: 1 }) as Ok<Resp>;
  assert.deepEqual(fromB64Json(res.Ok.data), addr("callbacks"));
  // Route smart queries back into this same contract (fresh instance per call, like the real VM).
  c.querier = (request) => {
    const smart = (
      request as { wasm: { smart: { contract_addr: string; callback_code_hash: string; msg: string } } }
    ).wasm.smart;
    assert.equal(smart.contract_addr, c.address);
    assert.equal(smart.callback_code_hash, HASH);
    return { Ok: c.query(JSON.parse(Buffer.from(smart.msg, "base64").toString())) };
  };
  return c;
}

describe("callbacks.wasm (CosmWasm v1, requires_random)", () => {
  test("exports requires_random and reply", () => {
    const names = Wasm.Module.exports(loadModule("callbacks.wasm")).map((e) => e.name);
    for (const n of ["requires_random", "reply", "interface_version_8", "instantiate", "execute", "query"]) {
      assert.ok(names.includes(n), n);
    }
  });

  for (const replyOn of ["always", "success", "error", "never"]) {
    test(`call_contract with reply_on ${replyOn} emits a Wasm sub-message carrying code_hash`, () => {
      const c = deploy();
      const msg = b64({ increment: {} });
      const res = c.execute({
        call_contract: {
          contract: addr("other"),
          code_hash: HASH,
          msg,
          id: 7,
          reply_on: replyOn,
          funds: [{ denom: "uscrt", amount: "3" }],
        },
      }) as Ok<Resp>;
      assert.deepEqual(res.Ok.messages, [
        {
          id: 7,
          msg: {
            wasm: {
              execute: {
                contract_addr: addr("other"),
                code_hash: HASH,
                msg,
                send: [{ denom: "uscrt", amount: "3" }],
              },
            },
          },
          gas_limit: null,
          reply_on: replyOn,
        },
      ]);
    });
  }

  test("instantiate_contract emits WasmMsg::Instantiate with label and code_hash", () => {
    const c = deploy();
    const res = c.execute({
      instantiate_contract: {
        code_id: 2,
        code_hash: HASH,
        msg: b64({}),
        label: "child",
        id: 1,
        reply_on: "success",
      },
    }) as Ok<Resp>;
    const first = res.Ok.messages[0] as { msg: { wasm: { instantiate: Record<string, unknown> } } };
    assert.deepEqual(first.msg.wasm.instantiate, {
      admin: null,
      code_id: 2,
      code_hash: HASH,
      msg: b64({}),
      send: [],
      label: "child",
    });
  });

  test("reply stores ok/error results and forwards data; id 666 fails", () => {
    const c = deploy();
    const data = Buffer.from("hi").toString("base64");
    const ok = c.reply({ id: 9, result: { ok: { events: [], data } } }) as Ok<Resp>;
    assert.equal(ok.Ok.data, data);
    assert.deepEqual(ok.Ok.attributes, [
      { key: "reply_id", value: "9", encrypted: true },
      { key: "reply_result", value: "ok", encrypted: true },
    ]);
    c.reply({ id: 10, result: { error: "boom" } });
    const state = fromB64Json((c.query({ state: {} }) as Ok<string>).Ok) as { last_reply: unknown };
    assert.deepEqual(state.last_reply, { id: 10, ok: false, data: null, error: "boom" });
    assert.deepEqual(c.reply({ id: 666, result: { error: "x" } }), {
      Err: "Generic error: reply asked to fail",
    });
  });

  test("query_contract forwards a smart query and returns the callee's bytes; recursion counts levels", () => {
    const c = deploy();
    const res = c.execute({
      query_contract: { contract: c.address, code_hash: HASH, msg: b64({ echo: { value: "x" } }) },
    }) as Ok<Resp>;
    assert.deepEqual(fromB64Json(res.Ok.data), "x");
    assert.deepEqual(fromB64Json((c.query({ recurse: { depth: 4, code_hash: HASH } }) as Ok<string>).Ok), 4);
  });

  test("a failing callee query surfaces as an error", () => {
    const c = deploy();
    const res = c.query({
      query_contract: { contract: c.address, code_hash: HASH, msg: b64({ fail: { message: "no" } }) },
    });
    assert.deepEqual(res, { Err: "Generic error: query failed: Generic error: no" });
  });

  test("send_funds emits a plaintext BankMsg::Send; emit_event a custom event", () => {
    const c = deploy();
    const amount = [{ denom: "uscrt", amount: "11" }];
    const send = c.execute({ send_funds: { to: addr("bob"), amount } }) as Ok<Resp>;
    assert.deepEqual(send.Ok.messages[0]?.msg, { bank: { send: { to_address: addr("bob"), amount } } });
    const ev = c.execute({ emit_event: { value: "v" } }) as Ok<Resp>;
    assert.deepEqual(ev.Ok.events, [
      {
        type: "shroud",
        attributes: [
          { key: "secret_value", value: "v", encrypted: true },
          { key: "public_sender", value: addr("alice"), encrypted: false },
        ],
      },
    ]);
  });

  test("random uses env.block.random and fails without it", () => {
    const c = deploy();
    const random = new Uint8Array(32).fill(7);
    const res = c.execute({ random: {} }, { random }) as Ok<Resp>;
    assert.equal(res.Ok.data, Buffer.from(random).toString("base64"));
    assert.deepEqual(c.execute({ random: {} }), { Err: "Generic error: env.block.random missing" });
  });

  test("errors: fail is a v1 string error, panic traps, queries cannot write", () => {
    const c = deploy();
    assert.deepEqual(c.execute({ fail: { message: "nope" } }), { Err: "Generic error: nope" });
    assert.throws(() => c.execute({ panic: {} }), Wasm.RuntimeError);
    c.execute({ increment: {} });
    const state = fromB64Json((c.query({ state: {} }) as Ok<string>).Ok) as { count: number };
    assert.equal(state.count, 2);
  });

  test("receive (SNIP-20 callback) counts and can be told to fail", () => {
    const c = deploy();
    const base = { sender: addr("alice"), from: addr("alice"), amount: "5", memo: null };
    const ok = c.execute({ receive: { ...base, msg: null } }, { sender: addr("token") }) as Ok<Resp>;
    assert.deepEqual(fromB64Json(ok.Ok.data), 2);
    const fail = c.execute({ receive: { ...base, msg: Buffer.from("fail").toString("base64") } });
    assert.deepEqual(fail, { Err: "Generic error: receive asked to fail" });
  });
});
