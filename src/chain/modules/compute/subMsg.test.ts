// Sub-messages as SN's msg_dispatcher.go runs them, through real contracts (contracts/build callbacks.wasm,
// provenance contracts/testdata/README.md), secretjs-signed txs, runTx and a real enclave. `gas_limit`: a limit
// below the caller's remaining gas gives the sub-call its own meter; the caller is charged what it spent, or the
// whole limit when it ran out; running out is an error ("SubMsg hit gas limit") that a bank sub-message's reply
// receives redacted and that fails the caller of a wasm sub-message. Sub-instantiation: the reply's data is the
// child's own data (SN unwraps MsgInstantiateContractResponse; no wasmd protobuf reaches the contract), and its
// events are the sub-message's events (SN: all but `message`, attributes sorted by key), e.g. the child's address.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { MsgExecuteContract, MsgInstantiateContract, MsgStoreCode } from "secretjs";
import { fromBase64, toBase64, utf8 } from "../../../util/bytes.js";
import { fromBech32 } from "../../address.js";
import { GasMeter } from "../../gas.js";
import type { Event } from "../../tx/context.js";
import type { TxResult } from "../../tx/runTx.js";
import { subMsgGasLimit } from "./subMsgGas.js";
import { contract, fork, startHarness, type Harness } from "./testdata/computeHarness.js";
import { echoHarnessWasm } from "./testdata/echoHarness.js";

let h: Harness;
let codeId = 0;
let codeHash = "";
const ok = (res: TxResult): void => {
  assert.equal(res.code, 0, res.log);
};
const attr = (events: Event[], type: string, key: string): string[] =>
  events
    .filter((e) => e.type === type)
    .flatMap((e) => e.attributes.filter((a) => a.key === key).map((a) => a.value));
const ctx = () => h.chain.ctx();
const b64json = (o: object) => toBase64(utf8.encode(JSON.stringify(o)));
const TX_GAS = 5_000_000;

async function init(label: string, count: number, funds: { denom: string; amount: string }[] = []) {
  const { res } = await h.deliver(h.a, [
    new MsgInstantiateContract({
      sender: h.a.address,
      code_id: codeId,
      code_hash: codeHash,
      label,
      init_msg: { count },
      init_funds: funds,
    }),
  ]);
  ok(res);
  return attr(res.events, "message", "contract_address")[0]!;
}

const execMsg = (addr: string, msg: object) =>
  new MsgExecuteContract({
    sender: h.a.address,
    contract_address: addr,
    code_hash: codeHash,
    msg,
    sent_funds: [],
  });

/** callbacks `call_contract`: `increment` on `callee` as a sub-message with the given reply_on and limit. */
const callIncrement = (
  caller: string,
  callee: string,
  replyOn: string,
  gasLimit: number | undefined,
  id = 1,
) =>
  execMsg(caller, {
    call_contract: {
      contract: callee,
      code_hash: codeHash,
      msg: b64json({ increment: {} }),
      id,
      reply_on: replyOn,
      ...(gasLimit === undefined ? {} : { gas_limit: gasLimit }),
    },
  });

/** callbacks `dispatch_sub`: a BankMsg::Send of `amount` uscrt to wallet b. */
const sendSub = (caller: string, amount: string, replyOn: string, gasLimit: number) =>
  execMsg(caller, {
    dispatch_sub: {
      msg: { bank: { send: { to_address: h.b.address, amount: [{ denom: "uscrt", amount }] } } },
      id: 77,
      reply_on: replyOn,
      gas_limit: gasLimit,
    },
  });

interface CbState {
  count: number;
  last_reply: { id: number; ok: boolean; data: string | null; error: string | null } | null;
}
async function state(addr: string): Promise<CbState> {
  const msg = await h.utils.encrypt(codeHash, { state: {} });
  const r = h.compute.query.querySecretContract(ctx(), addr, msg);
  const b64 = utf8.decode(await h.utils.decrypt(fromBase64(r.data), msg.slice(0, 32)));
  return JSON.parse(utf8.decode(fromBase64(b64))) as CbState;
}
const uscrt = (addr: string) => h.chain.bank.keeper.getBalance(ctx(), fromBech32(addr), "uscrt").amount;

/** Signs each message list at the current sequence and runs it on its own fork of the chain state. */
async function onForks(...txs: MsgExecuteContract<object>[]): Promise<TxResult[]> {
  const out: TxResult[] = [];
  for (const m of txs) out.push(h.run(await h.sign(h.a, [m], TX_GAS), fork(h.chain.state)).res);
  return out;
}

before(async () => {
  h = await startHarness();
  const { res } = await h.deliver(
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
  ok(res);
  codeId = Number(attr(res.events, "message", "code_id")[0]);
  codeHash = createHash("sha256").update(contract("callbacks.wasm")).digest("hex");
});
after(async () => {
  await h.stop();
});

describe("sub-message gas_limit (SN dispatchMsgWithGasLimit)", () => {
  test("the limit applies only below the caller's remaining gas; an infinite meter counts as 2^64-1", () => {
    const m = new GasMeter(1000n);
    m.consume(400n, "x");
    assert.equal(subMsgGasLimit(m, undefined), undefined);
    assert.equal(subMsgGasLimit(m, 599n), 599n);
    assert.equal(subMsgGasLimit(m, 600n), undefined, "equal to what is left: the shared meter");
    assert.equal(subMsgGasLimit(m, 10n ** 19n), undefined);
    const inf = new GasMeter(undefined);
    inf.consume(5n, "x");
    assert.equal(subMsgGasLimit(inf, (1n << 64n) - 7n), (1n << 64n) - 7n);
    assert.equal(subMsgGasLimit(inf, (1n << 64n) - 6n), undefined);
  });

  test("a limit that is not reached changes nothing: same result, events and gas as the shared meter", async () => {
    const caller = await init("gl-caller", 0);
    const callee = await init("gl-callee", 5);
    // Same JSON length, so the same tx size and VM parsing cost: 4,000,000 < remaining (own meter), 9,000,000 not.
    // reply_on never: a reply would carry the callee's events, whose encrypted attributes differ from tx to tx
    // (secretjs picks a fresh nonce), and the caller's VM gas for reading them can differ by one SDK unit.
    const [limited, shared] = await onForks(
      callIncrement(caller, callee, "never", 4_000_000),
      callIncrement(caller, callee, "never", 9_000_000),
    );
    ok(limited!);
    ok(shared!);
    assert.equal(limited!.gasUsed, shared!.gasUsed);
    assert.deepEqual(
      limited!.events.map((e) => [e.type, e.attributes.length]),
      shared!.events.map((e) => [e.type, e.attributes.length]),
    );
    assert.deepEqual(attr(limited!.events, "wasm", "contract_address"), [caller, callee]);
  });

  test("nested limits (A → B under 4,000,000 → C under 3,000,000) charge exactly what shared meters do", async () => {
    const a = await init("nest-a", 0);
    const b = await init("nest-b", 0);
    const c = await init("nest-c", 0);
    const nested = (outer: number, inner: number) =>
      execMsg(a, {
        call_contract: {
          contract: b,
          code_hash: codeHash,
          msg: b64json({
            call_contract: {
              contract: c,
              code_hash: codeHash,
              msg: b64json({ increment: {} }),
              id: 1,
              reply_on: "never",
              gas_limit: inner,
            },
          }),
          id: 1,
          reply_on: "never",
          gas_limit: outer,
        },
      });
    const [limited, shared] = await onForks(nested(4_000_000, 3_000_000), nested(9_000_000, 9_000_000));
    ok(limited!);
    ok(shared!);
    assert.equal(limited!.gasUsed, shared!.gasUsed);
    assert.deepEqual(attr(limited!.events, "wasm", "contract_address"), [a, b, c]);
  });

  test("wasm callee out of its limit: reply_on success fails the tx with sdk 11 'SubMsg hit gas limit' (an error, not a panic)", async () => {
    const caller = await init("oog-caller", 0);
    const callee = await init("oog-callee", 0);
    const [r5, r6] = await onForks(
      callIncrement(caller, callee, "success", 20_100),
      callIncrement(caller, callee, "success", 20_200),
    );
    for (const r of [r5!, r6!]) {
      assert.equal(r.codespace, "sdk", r.log);
      assert.equal(r.code, 11, r.log);
      assert.match(r.log, /SubMsg hit gas limit: out of gas$/);
      assert.ok(r.gasUsed < r.gasWanted, "the caller was charged the limit, not run out");
    }
    // The caller pays exactly the limit: the two runs differ by the 100 between the limits.
    assert.equal(r6!.gasUsed - r5!.gasUsed, 100n);
    assert.equal((await state(callee)).count, 0);
  });

  test("wasm callee out of its limit with reply_on error: SN's 'an sdk error occurred while sending a sub-message'", async () => {
    const caller = await init("oog-err-caller", 0);
    const callee = await init("oog-err-callee", 0);
    const { res } = await h.deliver(h.a, [callIncrement(caller, callee, "error", 20_500)], TX_GAS);
    assert.equal(res.codespace, "undefined", res.log);
    assert.equal(res.code, 1, res.log);
    assert.match(
      res.log,
      /an sdk error occurred while sending a sub-message: the error was redacted \(codespace: sdk, code: 11\)\. For more info use latest localsecret and reproduce the issue/,
    );
    assert.equal((await state(caller)).last_reply, null);
    assert.equal((await state(callee)).count, 0);
  });

  test("the sub-call's VM gas limit is its own meter's: a limit that fits increment succeeds, state kept", async () => {
    const caller = await init("fit-caller", 0);
    const callee = await init("fit-callee", 1);
    const { res } = await h.deliver(h.a, [callIncrement(caller, callee, "always", 200_000, 3)], TX_GAS);
    ok(res);
    assert.equal((await state(callee)).count, 2);
    const last = (await state(caller)).last_reply;
    assert.equal(last?.id, 3);
    assert.equal(last.ok, true);
  });

  test("bank sub-message out of its limit, reply_on error: the reply gets SN's redacted sdk 11; the tx succeeds", async () => {
    const caller = await init("bank-caller", 0, [{ denom: "uscrt", amount: "1000" }]);
    const before = uscrt(h.b.address);
    const [r1, r2] = await onForks(sendSub(caller, "10", "error", 100), sendSub(caller, "10", "error", 300));
    ok(r1!);
    ok(r2!);
    assert.equal(r2!.gasUsed - r1!.gasUsed, 200n, "the caller pays exactly the limit");
    const { res } = await h.deliver(h.a, [sendSub(caller, "10", "error", 100)], TX_GAS);
    ok(res);
    assert.equal(uscrt(caller), 1000n, "the send was dropped");
    assert.equal(uscrt(h.b.address), before);
    const last = (await state(caller)).last_reply;
    assert.equal(last?.id, 77);
    assert.equal(last.ok, false);
    assert.equal(
      last.error,
      "the error was redacted (codespace: sdk, code: 11). For more info use latest localsecret and reproduce the issue",
    );
  });

  test("bank sub-message within its limit, reply_on always: sent, reply ok; the gas equals the shared meter's", async () => {
    const caller = await init("bank-ok", 0, [{ denom: "uscrt", amount: "1000" }]);
    const [limited, shared] = await onForks(
      sendSub(caller, "10", "always", 4_000_000),
      sendSub(caller, "10", "always", 9_000_000),
    );
    ok(limited!);
    ok(shared!);
    assert.equal(limited!.gasUsed, shared!.gasUsed);
    const before = uscrt(h.b.address);
    ok((await h.deliver(h.a, [sendSub(caller, "10", "always", 50_000)], TX_GAS)).res);
    assert.equal(uscrt(h.b.address), before + 10n);
    const last = (await state(caller)).last_reply;
    assert.equal(last?.ok, true);
  });
});

describe("sub-instantiation reply (SN DispatchSubmessages: Data of DataWithInternalReplyInfo)", () => {
  const instantiateSub = (parent: string, label: string, gasLimit?: number) =>
    execMsg(parent, {
      dispatch_sub: {
        msg: {
          wasm: {
            instantiate: {
              admin: null,
              code_id: codeId,
              code_hash: codeHash,
              msg: b64json({ count: 9 }),
              send: [],
              label,
            },
          },
        },
        id: 21,
        reply_on: "success",
        ...(gasLimit === undefined ? {} : { gas_limit: gasLimit }),
      },
    });

  test("reply_on success: the reply's data is the child's data (its address), which the user reads as tx data", async () => {
    const parent = await init("factory", 0);
    const { res, tx } = await h.deliver(h.a, [instantiateSub(parent, "made-by-factory")], TX_GAS);
    ok(res);
    const child = h.compute.query.addressByLabel(ctx(), "made-by-factory").contract_address;
    const info = h.compute.query.contractInfo(ctx(), child) as { contract_info: { creator: string } };
    assert.equal(info.contract_info.creator, parent);
    const last = (await state(parent)).last_reply;
    assert.equal(last?.id, 21);
    assert.equal(last.ok, true);
    // callbacks' instantiate sets data = to_binary(&env.contract.address): a JSON string.
    assert.equal(utf8.decode(fromBase64(last.data ?? "")), JSON.stringify(child));
    assert.equal(
      await h.decryptData(res, tx, 0),
      JSON.stringify(child),
      "the reply's data became the tx data",
    );
    assert.equal((await state(child)).count, 9);
  });

  test("the reply carries the sub-message's events (no `message`, attributes sorted by key): the child's address", async () => {
    const parent = await init("factory-ev", 0);
    ok((await h.deliver(h.a, [instantiateSub(parent, "evented-child")], TX_GAS)).res);
    const child = h.compute.query.addressByLabel(ctx(), "evented-child").contract_address;
    const msg = await h.utils.encrypt(codeHash, { reply_events: {} });
    const r = h.compute.query.querySecretContract(ctx(), parent, msg);
    const b64 = utf8.decode(await h.utils.decrypt(fromBase64(r.data), msg.slice(0, 32)));
    const events = JSON.parse(utf8.decode(fromBase64(b64))) as {
      type: string;
      attributes: { key: string; value: string }[];
    }[];
    assert.ok(events.length > 0);
    assert.ok(events.every((e) => e.type !== "message"));
    for (const e of events) {
      const keys = e.attributes.map((a) => a.key);
      assert.deepEqual(
        keys,
        [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y))),
      );
    }
    const wasm = events.find((e) => e.type === "wasm");
    assert.equal(wasm?.attributes.find((a) => a.key === "contract_address")?.value, child);
    // The child's plaintext `creator` attribute (callbacks' instantiate) is there as the tx shows it.
    assert.equal(wasm.attributes.find((a) => a.key === "creator")?.value, parent);
  });

  test("a sub-instantiation under a gas_limit: created when it fits, nothing created when it runs out", async () => {
    const parent = await init("factory-gl", 0);
    ok((await h.deliver(h.a, [instantiateSub(parent, "gl-child", 1_000_000)], TX_GAS)).res);
    assert.equal((await state(parent)).last_reply?.id, 21);
    const { res } = await h.deliver(h.a, [instantiateSub(parent, "gl-child-2", 20_050)], TX_GAS);
    assert.equal(res.code, 11, res.log);
    assert.match(res.log, /SubMsg hit gas limit/);
    assert.throws(() => h.compute.query.addressByLabel(ctx(), "gl-child-2"));
  });
});

describe("two-level replies (SN: a callee's final data is its own reply's, signed by that reply)", () => {
  test("A → B (always) → C (always): A's reply gets the data B's reply set (C's count), which becomes the tx data", async () => {
    const a = await init("chain-a", 0);
    const b = await init("chain-b", 0);
    const c = await init("chain-c", 41);
    const inner = {
      call_contract: {
        contract: c,
        code_hash: codeHash,
        msg: b64json({ increment: {} }),
        id: 2,
        reply_on: "always",
      },
    };
    const { res, tx } = await h.deliver(
      h.a,
      [
        execMsg(a, {
          call_contract: { contract: b, code_hash: codeHash, msg: b64json(inner), id: 1, reply_on: "always" },
        }),
      ],
      TX_GAS,
    );
    ok(res);
    assert.equal((await state(c)).count, 42);
    const lastB = (await state(b)).last_reply;
    assert.equal(lastB?.id, 2);
    assert.equal(utf8.decode(fromBase64(lastB.data ?? "")), "42");
    // B's execute set no data; its reply forwarded C's: A sees that (SN), not B's own (null).
    const lastA = (await state(a)).last_reply;
    assert.equal(lastA?.id, 1);
    assert.equal(lastA.ok, true);
    assert.equal(utf8.decode(fromBase64(lastA.data ?? "")), "42");
    assert.equal(await h.decryptData(res, tx, 0), "42");
  });

  test("A → B (error) → C (never) where C fails: the tx fails (SN wraps C's error in B's `dispatch: submessages`)", async () => {
    const a = await init("fail-a", 0);
    const b = await init("fail-b", 0);
    const c = await init("fail-c", 0);
    const inner = {
      call_contract: {
        contract: c,
        code_hash: codeHash,
        msg: b64json({ fail: { message: "deep" } }),
        id: 4,
        reply_on: "never",
      },
    };
    const { res } = await h.deliver(
      h.a,
      [
        execMsg(a, {
          call_contract: { contract: b, code_hash: codeHash, msg: b64json(inner), id: 3, reply_on: "error" },
        }),
      ],
      TX_GAS,
    );
    assert.equal(res.codespace, "undefined", res.log);
    assert.equal(res.code, 1, res.log);
    assert.match(
      res.log,
      /^failed to execute message; message index: 0: dispatch: submessages: an sdk error occurred while sending a sub-message: the error was redacted \(codespace: compute, code: 3\)/,
    );
    assert.equal((await state(a)).last_reply, null);
    // One level: A → C (never) failing shows C's encrypted error under A's `dispatch: submessages` (SN's log form).
    const direct = await h.deliver(
      h.a,
      [execMsg(a, { call_contract: { ...inner.call_contract, reply_on: "never" } })],
      TX_GAS,
    );
    assert.equal(direct.res.code, 3, direct.res.log);
    assert.match(
      direct.res.log,
      /^failed to execute message; message index: 0: dispatch: submessages: encrypted: .+: execute contract failed$/,
    );
  });
});

describe("contract-sent WasmMsg::Migrate (Secret's `code_id` field; SN cannot reply to it)", () => {
  // The WAT echo harness of the VM tests (src/enclave/vm/testdata/harness.wat, as migrate.test.ts builds it):
  // none of contracts/build exports `migrate`. It echoes its msg, so the msg is the Response itself.
  const RESPONSE = { ok: { messages: [], attributes: [], events: [], data: null } };
  let echoCode = 0;
  let echoHash = "";

  before(async () => {
    const wasm = await echoHarnessWasm();
    echoHash = createHash("sha256").update(wasm).digest("hex");
    const { res } = await h.deliver(
      h.a,
      [new MsgStoreCode({ sender: h.a.address, wasm_byte_code: wasm, source: "", builder: "" })],
      5_000_000,
    );
    ok(res);
    echoCode = Number(attr(res.events, "message", "code_id")[0]);
  });

  async function echoAdministeredBy(admin: string, label: string): Promise<string> {
    const { res } = await h.deliver(h.a, [
      new MsgInstantiateContract({
        sender: h.a.address,
        code_id: echoCode,
        code_hash: echoHash,
        label,
        init_msg: RESPONSE,
        admin,
      }),
    ]);
    ok(res);
    return attr(res.events, "message", "contract_address")[0]!;
  }
  const migrateMsg = (target: string) => ({
    wasm: {
      migrate: { contract_addr: target, code_hash: echoHash, code_id: echoCode, msg: b64json(RESPONSE) },
    },
  });

  test("a contract (the admin) migrates another: code_id read as Secret names it, history updated", async () => {
    const admin = await init("migrator", 0);
    const target = await echoAdministeredBy(admin, "migrated-echo");
    ok((await h.deliver(h.a, [execMsg(admin, { dispatch: { msgs: [migrateMsg(target)] } })], TX_GAS)).res);
    const hist = h.compute.query.contractHistory(ctx(), target) as { entries: { operation: string }[] };
    assert.deepEqual(
      hist.entries.map((e) => e.operation),
      ["CONTRACT_CODE_HISTORY_OPERATION_TYPE_INIT", "CONTRACT_CODE_HISTORY_OPERATION_TYPE_MIGRATE"],
    );
  });

  test("a reply to a migrate sub-message fails the tx as SN's dispatcher panics (undefined 111222)", async () => {
    const admin = await init("migrator-reply", 0);
    const target = await echoAdministeredBy(admin, "migrated-echo-2");
    const { res } = await h.deliver(
      h.a,
      [execMsg(admin, { dispatch_sub: { msg: migrateMsg(target), id: 8, reply_on: "always" } })],
      TX_GAS,
    );
    assert.deepEqual([res.codespace, res.code], ["undefined", 111222], res.log);
    const hist = h.compute.query.contractHistory(ctx(), target) as { entries: unknown[] };
    assert.equal(hist.entries.length, 1, "the migration was rolled back with the tx");
  });
});
