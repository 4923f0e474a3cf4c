// contracts/build/callbacks.wasm (a real secret-cosmwasm-std 1.1 contract) driven through a test double of
// x/compute (./testing/miniChain.ts): sub-messages with replies, contract→contract queries with encrypted
// answers and errors, the query depth limit, custom events and env.block.random.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fromBase64, toBase64, toHex, utf8 } from "../../util/bytes.js";
import { sha256 } from "../crypto/hash.js";
import { compileModule } from "../vm/instance.js";
import { MiniChain } from "./testing/miniChain.js";
import { deriveEnvRandom } from "./random.js";
import { humanize } from "../vm/testing/mockApi.js";
import { CONTRACT, CONTRACT_B, SENDER, client, type Code } from "./testing/harness.js";

const wasm = new Uint8Array(
  readFileSync(new URL("../../../contracts/build/callbacks.wasm", import.meta.url)),
);
const codeHash = sha256(wasm);
const code: Code = { wasm, module: compileModule(wasm), codeHash, hex: toHex(codeHash) };
const sjs = client(new Uint8Array(32).fill(12));
const enc = (msg: object) => sjs.encrypt(code.hex, msg);
const b64json = (v: unknown) => toBase64(utf8.encode(JSON.stringify(v)));

async function setup() {
  const chain = new MiniChain();
  chain.instantiate(code, CONTRACT, SENDER, await enc({ count: 0 }));
  chain.instantiate(code, CONTRACT_B, SENDER, await enc({ count: 10 }));
  return chain;
}

async function queryState(chain: MiniChain, addr: string) {
  const m = await enc({ state: {} });
  const out = chain.queryContract(addr, m);
  const b64 = utf8.decode(await sjs.decrypt(fromBase64(out.output.ok as string), m.slice(0, 32)));
  return JSON.parse(utf8.decode(fromBase64(b64))) as {
    count: number;
    last_reply: { id: number; ok: boolean; data: string | null; error: string | null } | null;
  };
}

describe("callbacks.wasm through the mini chain", () => {
  test("execute → sub-message to B (reply_on always) → B increments → A's reply gets id and data", async () => {
    const chain = await setup();
    const m = await enc({
      call_contract: {
        contract: CONTRACT_B,
        code_hash: code.hex,
        msg: b64json({ increment: {} }),
        id: 42,
        reply_on: "always",
      },
    });
    chain.execute(CONTRACT, SENDER, m);
    assert.deepEqual(chain.trace.slice(2), [
      `execute ${CONTRACT.slice(0, 12)}`,
      `execute ${CONTRACT_B.slice(0, 12)}`,
      `reply ${CONTRACT.slice(0, 12)}`,
    ]);
    assert.equal((await queryState(chain, CONTRACT_B)).count, 11);
    const a = await queryState(chain, CONTRACT);
    const lr = a.last_reply;
    assert.ok(lr !== null);
    assert.equal(lr.id, 42);
    assert.equal(lr.ok, true);
    // B's data was to_binary(&11) = "11"; A sees it decrypted.
    assert.equal(utf8.decode(fromBase64(lr.data ?? "")), "11");
  });

  test("funds on a sub-message are covered by callback_sig (Secret's `send` field)", async () => {
    const chain = await setup();
    const m = await enc({
      call_contract: {
        contract: CONTRACT_B,
        code_hash: code.hex,
        msg: b64json({ increment: {} }),
        id: 1,
        reply_on: "never",
        funds: [{ denom: "uscrt", amount: "3" }],
      },
    });
    const out = chain.execute(CONTRACT, SENDER, m);
    const exec = (out.output.ok as { messages: { msg: { wasm: { execute: Record<string, unknown> } } }[] })
      .messages[0]!.msg.wasm.execute;
    assert.deepEqual(exec.send, [{ denom: "uscrt", amount: "3" }]);
    assert.equal((await queryState(chain, CONTRACT_B)).count, 11, "callee accepted the signed funds");
  });

  test("a failing callee with reply_on error: the caller's reply sees the decrypted error", async () => {
    const chain = await setup();
    const m = await enc({
      call_contract: {
        contract: CONTRACT_B,
        code_hash: code.hex,
        msg: b64json({ fail: { message: "nope" } }),
        id: 7,
        reply_on: "error",
      },
    });
    chain.execute(CONTRACT, SENDER, m);
    const a = await queryState(chain, CONTRACT);
    const lr = a.last_reply;
    assert.ok(lr !== null);
    assert.equal(lr.id, 7);
    assert.equal(lr.ok, false);
    assert.match(lr.error ?? "", /nope/);
  });

  test("contract→contract query: encrypted with the caller's nonce, answer decrypted inside", async () => {
    const chain = await setup();
    const m = await enc({
      query_contract: { contract: CONTRACT_B, code_hash: code.hex, msg: b64json({ echo: { value: "hi" } }) },
    });
    const out = chain.execute(CONTRACT, SENDER, m);
    const data = (out.output.ok as { data: string }).data;
    const b64 = utf8.decode(await sjs.decrypt(fromBase64(data), m.slice(0, 32)));
    assert.equal(utf8.decode(fromBase64(b64)), '"hi"');
  });

  test("query depth: 5 nested self-queries work, 12 hit the limit of 10", async () => {
    const chain = await setup();
    const ok = await enc({ recurse: { depth: 5, code_hash: code.hex } });
    const r = chain.queryContract(CONTRACT, ok);
    const b64 = utf8.decode(await sjs.decrypt(fromBase64(r.output.ok as string), ok.slice(0, 32)));
    assert.equal(utf8.decode(fromBase64(b64)), "5");
    const deep = await enc({ recurse: { depth: 12, code_hash: code.hex } });
    const e = chain.queryContract(CONTRACT, deep);
    const msg = (e.output.err as { generic_err: { msg: string } }).generic_err.msg;
    assert.match(
      utf8.decode(await sjs.decrypt(fromBase64(msg), deep.slice(0, 32))),
      /exceeded_recursion_limit|recursion/i,
    );
  });

  test("custom event: encrypted and plaintext attributes; env.block.random derived per message", async () => {
    const chain = await setup();
    const ev = await enc({ emit_event: { value: "s3cret" } });
    const out = chain.execute(CONTRACT, SENDER, ev);
    const events = (
      out.output.ok as {
        events: { type: string; attributes: { key: string; value: string; encrypted: boolean }[] }[];
      }
    ).events;
    assert.equal(events[0]!.type, "shroud");
    const attrs = events[0]!.attributes;
    const secret = attrs.find((a) => a.encrypted)!;
    assert.equal(utf8.decode(await sjs.decrypt(fromBase64(secret.value), ev.slice(0, 32))), "s3cret");
    assert.deepEqual(
      attrs.filter((a) => !a.encrypted).map((a) => [a.key, a.value]),
      [["public_sender", SENDER]],
    );
    chain.blockRandom = new Uint8Array(32).fill(0x5a);
    const r = await enc({ random: {} });
    const counterBefore = chain.counter;
    const rout = chain.execute(CONTRACT, SENDER, r);
    const data = utf8.decode(
      await sjs.decrypt(fromBase64((rout.output.ok as { data: string }).data), r.slice(0, 32)),
    );
    const key = chain.contracts.get(CONTRACT)!.key;
    const expected = deriveEnvRandom(chain.blockRandom, 100n, key.ogContractKey, counterBefore);
    assert.equal(data, toBase64(expected));
  });

  test("nested chain A → B → C with replies at both levels (inherited REPLY01 headers)", async () => {
    const chain = await setup();
    const CONTRACT_C = humanize(new Uint8Array(20).fill(0x0c));
    chain.instantiate(code, CONTRACT_C, SENDER, await enc({ count: 100 }));
    const toC = {
      call_contract: {
        contract: CONTRACT_C,
        code_hash: code.hex,
        msg: b64json({ increment: {} }),
        id: 2,
        reply_on: "always",
      },
    };
    const m = await enc({
      call_contract: {
        contract: CONTRACT_B,
        code_hash: code.hex,
        msg: b64json(toC),
        id: 1,
        reply_on: "always",
      },
    });
    chain.execute(CONTRACT, SENDER, m);
    assert.equal((await queryState(chain, CONTRACT_C)).count, 101);
    const b = (await queryState(chain, CONTRACT_B)).last_reply;
    const a = (await queryState(chain, CONTRACT)).last_reply;
    assert.ok(b !== null && a !== null);
    assert.equal(b.id, 2);
    assert.equal(utf8.decode(fromBase64(b.data ?? "")), "101");
    assert.equal(a.id, 1);
    // A's reply carries B's execute result (no data); the mini chain does not apply reply-data overrides.
    assert.equal(a.ok, true);
    assert.equal(a.data, null);
  });
});
