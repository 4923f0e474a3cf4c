// Contract-sent messages through x/compute with a real enclave: snip20 send → callbacks receive, v1 sub-
// messages with reply_on always/success/error (state of a failed callee reverted), BankMsg::Send from the
// contract's account, contract→contract smart queries. Contracts from contracts/build (provenance
// contracts/testdata/README.md).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { MsgExecuteContract, MsgInstantiateContract, MsgStoreCode, type Wallet } from "secretjs";
import { fromBase64, toBase64, utf8 } from "../../../util/bytes.js";
import { fromBech32 } from "../../address.js";
import type { Event } from "../../tx/context.js";
import type { TxResult } from "../../tx/runTx.js";
import { contract, startHarness, type Harness } from "./testdata/computeHarness.js";

let h: Harness;
const hash: Record<string, string> = {};
const code: Record<string, number> = {};
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const ok = (res: TxResult): void => {
  assert.equal(res.code, 0, res.log);
};
const attr = (events: Event[], type: string, key: string): string[] =>
  events
    .filter((e) => e.type === type)
    .flatMap((e) => e.attributes.filter((a) => a.key === key).map((a) => a.value));
const ctx = () => h.chain.ctx();
const b64json = (o: object) => toBase64(utf8.encode(JSON.stringify(o)));

async function init(
  name: string,
  label: string,
  initMsg: object,
  funds: { denom: string; amount: string }[] = [],
) {
  const { res } = await h.deliver(h.a, [
    new MsgInstantiateContract({
      sender: h.a.address,
      code_id: code[name]!,
      code_hash: hash[name]!,
      label,
      init_msg: initMsg,
      init_funds: funds,
    }),
  ]);
  ok(res);
  return attr(res.events, "message", "contract_address")[0]!;
}

const exec = (
  addr: string,
  name: string,
  msg: object,
  funds: { denom: string; amount: string }[] = [],
  w: Wallet = h.a,
) =>
  h.deliver(w, [
    new MsgExecuteContract({
      sender: w.address,
      contract_address: addr,
      code_hash: hash[name]!,
      msg,
      sent_funds: funds,
    }),
  ]);

async function query(addr: string, name: string, q: object): Promise<unknown> {
  const msg = await h.utils.encrypt(hash[name]!, q);
  const r = h.compute.query.querySecretContract(ctx(), addr, msg);
  const b64 = utf8.decode(await h.utils.decrypt(fromBase64(r.data), msg.slice(0, 32)));
  return JSON.parse(utf8.decode(fromBase64(b64)));
}

interface CbState {
  count: number;
  last_reply: { id: number; ok: boolean; data: string | null; error: string | null } | null;
}
const state = (addr: string) => query(addr, "callbacks", { state: {} }) as Promise<CbState>;
const uscrt = (addr: string) => h.chain.bank.keeper.getBalance(ctx(), fromBech32(addr), "uscrt").amount;

before(async () => {
  h = await startHarness();
  for (const name of ["callbacks", "snip20"]) {
    const { res } = await h.deliver(
      h.a,
      [
        new MsgStoreCode({
          sender: h.a.address,
          wasm_byte_code: contract(`${name}.wasm.gz`),
          source: "",
          builder: "",
        }),
      ],
      5_000_000,
    );
    ok(res);
    code[name] = Number(attr(res.events, "message", "code_id")[0]);
    hash[name] = sha(contract(`${name}.wasm`));
  }
});
after(async () => {
  await h.stop();
});

describe("contract-sent messages", () => {
  test("snip20 send → callbacks Receive (sub-message with callback_sig); a failing Receive reverts the send", async () => {
    const token = await init("snip20", "token", {
      name: "Token",
      symbol: "TKN",
      decimals: 6,
      initial_balances: [{ address: h.a.address, amount: "1000" }],
      prng_seed: toBase64(new Uint8Array(32).fill(1)),
    });
    const cb = await init("callbacks", "receiver", { count: 0 });
    const send = (amount: string, msg?: string) =>
      exec(token, "snip20", {
        send: {
          recipient: cb,
          recipient_code_hash: hash.callbacks,
          amount,
          ...(msg === undefined ? {} : { msg }),
        },
      });
    const r = await send("100");
    ok(r.res);
    assert.deepEqual(
      attr(r.res.events, "wasm", "contract_address"),
      [token, cb],
      "one wasm event per contract",
    );
    assert.equal((await state(cb)).count, 1);

    const failing = await send("100", toBase64(utf8.encode("fail")));
    assert.equal(failing.res.code, 3, failing.res.log);
    assert.match(failing.res.log, /encrypted: .+: execute contract failed$/);
    assert.equal((await state(cb)).count, 1, "callee state unchanged");
    ok((await exec(token, "snip20", { set_viewing_key: { key: "vk" } })).res);
    const bal = await query(token, "snip20", { balance: { address: h.a.address, key: "vk" } });
    assert.deepEqual(bal, { balance: { amount: "900" } }, "only the first send moved tokens");
  });

  test("reply_on always: the caller's reply sees the callee's data, which becomes the tx data", async () => {
    const caller = await init("callbacks", "caller-always", { count: 0 });
    const callee = await init("callbacks", "callee-always", { count: 41 });
    const r = await exec(caller, "callbacks", {
      call_contract: {
        contract: callee,
        code_hash: hash.callbacks,
        msg: b64json({ increment: {} }),
        id: 7,
        reply_on: "always",
      },
    });
    ok(r.res);
    assert.equal((await state(callee)).count, 42);
    const last = (await state(caller)).last_reply;
    assert.equal(last?.id, 7);
    assert.equal(last.ok, true);
    assert.equal(utf8.decode(fromBase64(last.data ?? "")), "42");
    assert.equal(await h.decryptData(r.res, r.tx, 0), "42");
    assert.deepEqual(attr(r.res.events, "wasm", "contract_address"), [caller, callee, caller]);
  });

  test("reply_on error: a failing callee is reverted and reported to the caller; the tx succeeds", async () => {
    const caller = await init("callbacks", "caller-error", { count: 0 });
    const callee = await init("callbacks", "callee-error", { count: 10 });
    const r = await exec(caller, "callbacks", {
      call_contract: {
        contract: callee,
        code_hash: hash.callbacks,
        msg: b64json({ increment_then_fail: {} }),
        id: 9,
        reply_on: "error",
      },
    });
    ok(r.res);
    assert.equal((await state(callee)).count, 10, "callee's write reverted");
    const last = (await state(caller)).last_reply;
    assert.equal(last?.id, 9);
    assert.equal(last.ok, false);
    assert.match(last.error ?? "", /failed after a write/);

    const success = await exec(caller, "callbacks", {
      call_contract: {
        contract: callee,
        code_hash: hash.callbacks,
        msg: b64json({ increment: {} }),
        id: 10,
        reply_on: "error",
      },
    });
    ok(success.res);
    assert.equal((await state(callee)).count, 11);
    assert.equal((await state(caller)).last_reply?.id, 9, "no reply on success");
  });

  test("reply_on success: a failing callee fails the whole tx", async () => {
    const caller = await init("callbacks", "caller-success", { count: 0 });
    const callee = await init("callbacks", "callee-success", { count: 0 });
    const r = await exec(caller, "callbacks", {
      call_contract: {
        contract: callee,
        code_hash: hash.callbacks,
        msg: b64json({ fail: { message: "no" } }),
        id: 3,
        reply_on: "success",
      },
    });
    assert.equal(r.res.code, 3);
    assert.equal((await state(caller)).last_reply, null);
    const good = await exec(caller, "callbacks", {
      call_contract: {
        contract: callee,
        code_hash: hash.callbacks,
        msg: b64json({ increment: {} }),
        id: 4,
        reply_on: "success",
      },
    });
    ok(good.res);
    assert.equal((await state(caller)).last_reply?.id, 4);
  });

  test("BankMsg::Send moves funds from the contract's account; funds sent with execute arrive first", async () => {
    const cb = await init("callbacks", "payer", { count: 0 }, [{ denom: "uscrt", amount: "500" }]);
    assert.equal(uscrt(cb), 500n);
    const before = uscrt(h.b.address);
    const r = await exec(
      cb,
      "callbacks",
      { send_funds: { to: h.b.address, amount: [{ denom: "uscrt", amount: "550" }] } },
      [{ denom: "uscrt", amount: "100" }],
    );
    ok(r.res);
    assert.equal(uscrt(cb), 50n);
    assert.equal(uscrt(h.b.address), before + 550n);
    const tooMuch = await exec(cb, "callbacks", {
      send_funds: { to: h.b.address, amount: [{ denom: "uscrt", amount: "51" }] },
    });
    assert.notEqual(tooMuch.res.code, 0);
    assert.equal(uscrt(cb), 50n);
  });

  test("contract → contract smart query (nested query ECALL)", async () => {
    const asker = await init("callbacks", "asker", { count: 0 });
    const target = await init("callbacks", "target", { count: 0 });
    const r = await exec(asker, "callbacks", {
      query_contract: {
        contract: target,
        code_hash: hash.callbacks,
        msg: b64json({ echo: { value: "hi" } }),
      },
    });
    ok(r.res);
    assert.match(await h.decryptData(r.res, r.tx, 0), /hi/);
  });
  test("WasmMsg::Instantiate from a contract: the child is created with the contract as creator; reply_on success", async () => {
    const parent = await init("callbacks", "parent", { count: 0 });
    const r = await exec(parent, "callbacks", {
      instantiate_contract: {
        code_id: code.callbacks,
        code_hash: hash.callbacks,
        msg: b64json({ count: 3 }),
        label: "child",
        id: 5,
        reply_on: "success",
      },
    });
    ok(r.res);
    const child = h.compute.query.addressByLabel(ctx(), "child").contract_address;
    const info = h.compute.query.contractInfo(ctx(), child) as { contract_info: { creator: string } };
    assert.equal(info.contract_info.creator, parent);
    assert.equal((await state(child)).count, 3);
    assert.equal((await state(parent)).last_reply?.id, 5);
    // SN drops a sub-message's `message` events (msg_dispatcher.go filterEvents): only the parent's address is
    // there; the child's is in its `instantiate` event, whose attributes SN sorted by key.
    assert.deepEqual(attr(r.res.events, "message", "contract_address"), [parent]);
    const inst = r.res.events.filter((e) => e.type === "instantiate");
    assert.deepEqual(
      inst.map((e) => e.attributes.map((a) => a.key)),
      [["code_id", "contract_address", "msg_index"]],
    );
    assert.deepEqual(attr(r.res.events, "instantiate", "contract_address"), [child]);
  });
});
