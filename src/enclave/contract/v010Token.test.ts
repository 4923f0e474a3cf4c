// contracts/build/v010_token.wasm (secret-cosmwasm-std 0.10) through the contract operations: v0.10 env,
// encrypted log, data and StdError, WasmMsg::Execute with callback_code_hash + send, and BankMsg::Send
// from someone else's address refused (spec §7.3).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fromBase64, toBase64, toHex, utf8 } from "../../util/bytes.js";
import { sha256 } from "../crypto/hash.js";
import { compileModule } from "../vm/instance.js";
import { humanize } from "../vm/testing/mockApi.js";
import { runContract } from "./operations.js";
import { NO_PERMISSION } from "./output.js";
import { CONTRACT, CONTRACT_B, MemStore, SENDER, baseEnv, client, keys, noQuery } from "./testing/harness.js";
import type { ContractCallInput, ContractOp } from "./types.js";
import type { ContractKeyInfo } from "../contractKey.js";

const wasm = new Uint8Array(
  readFileSync(new URL("../../../contracts/build/v010_token.wasm", import.meta.url)),
);
const codeHash = sha256(wasm);
const hex = toHex(codeHash);
const module = compileModule(wasm);
const sjs = client(new Uint8Array(32).fill(14));
const OTHER = humanize(new Uint8Array(20).fill(0x33));

async function call(
  store: MemStore,
  op: ContractOp,
  msg: object,
  key?: ContractKeyInfo,
  extra: Partial<ContractCallInput> = {},
) {
  const enc = await sjs.encrypt(hex, msg);
  const out = runContract(
    { keys, store, query: noQuery, verifyTxSignatures: false },
    {
      op,
      module,
      codeHash,
      env: baseEnv(),
      msg: enc,
      contractKey: key,
      msgCounter: 0n,
      queryDepth: 0,
      gasLimit: 10_000_000_000n,
      ...extra,
    },
  );
  return { out, nonce: enc.slice(0, 32) };
}
const dec = async (b64: string, nonce: Uint8Array) => utf8.decode(await sjs.decrypt(fromBase64(b64), nonce));

describe("v010_token.wasm", () => {
  test("init logs (encrypted + plaintext), transfer data, balance query, encrypted StdError", async () => {
    const store = new MemStore();
    const init = await call(store, "instantiate", {
      name: "Old Token",
      initial_balances: [{ address: SENDER, amount: "1000" }],
    });
    const log = (init.out.output.ok as { log: { key: string; value: string; encrypted?: boolean }[] }).log;
    assert.equal(await dec(log[0]!.key, init.nonce), "action");
    assert.deepEqual(
      log.filter((l) => l.key === "creator").map((l) => l.value),
      [SENDER],
    );
    const key = { ogContractKey: init.out.contractKey! };
    const t = await call(store, "execute", { transfer: { recipient: OTHER, amount: "300" } }, key);
    const data = (t.out.output.ok as { data: string }).data;
    assert.deepEqual(JSON.parse(utf8.decode(fromBase64(await dec(data, t.nonce)))), { amount: "700" });
    const q = await call(store, "query", { balance: { address: OTHER } }, key);
    assert.deepEqual(JSON.parse(utf8.decode(fromBase64(await dec(q.out.output.ok as string, q.nonce)))), {
      amount: "300",
    });
    const f = await call(store, "execute", { fail: { message: "bad" } }, key);
    const err = (f.out.output.err as { generic_err: { msg: string } }).generic_err.msg;
    assert.deepEqual(JSON.parse(await dec(err, f.nonce)), { generic_err: { msg: "bad" } });
  });

  test("call_contract: WasmMsg sealed with callback_code_hash and signed over send; foreign BankMsg::Send refused", async () => {
    const store = new MemStore();
    const init = await call(store, "instantiate", { name: "T", initial_balances: [] });
    const key = { ogContractKey: init.out.contractKey! };
    const inner = toBase64(utf8.encode('{"increment":{}}'));
    const c = await call(
      store,
      "execute",
      {
        call_contract: {
          contract: CONTRACT_B,
          code_hash: "ab".repeat(32),
          msg: inner,
          send: [{ denom: "uscrt", amount: "2" }],
        },
      },
      key,
    );
    const msgs = (
      c.out.output.ok as {
        messages: { wasm: { execute: { msg: string; callback_sig: number[]; send: unknown } } }[];
      }
    ).messages;
    const sealed = fromBase64(msgs[0]!.wasm.execute.msg);
    assert.deepEqual(sealed.slice(0, 32), c.nonce);
    assert.equal(
      utf8.decode(await sjs.decrypt(sealed.slice(64), c.nonce)),
      `${"ab".repeat(32)}{"increment":{}}`,
    );
    assert.equal(msgs[0]!.wasm.execute.callback_sig.length, 32);
    const own = await call(
      store,
      "execute",
      { send_native: { to: OTHER, amount: [{ denom: "uscrt", amount: "1" }] } },
      key,
    );
    assert.ok(own.out.output.ok !== undefined);
    const foreign = await call(
      store,
      "execute",
      { send_native_from: { from: SENDER, to: OTHER, amount: [{ denom: "uscrt", amount: "1" }] } },
      key,
    );
    assert.deepEqual(foreign.out.output.err, { generic_err: { msg: NO_PERMISSION } });
    assert.equal(CONTRACT, baseEnv().contract.address);
  });
});
