// Compute tx events as SN emits them (msg_server.go `message` events, keeper events, msg_dispatcher.go's sub-message
// filtering and sorting), checked on the events runTx returns and through secretjs' own parsing (decodeTxResponse:
// arrayLog / jsonLog, the lookups secretjs' README tells users to do). Real contract (contracts/build
// callbacks.wasm), secretjs-signed txs, real enclave.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  MsgExecuteContract,
  MsgInstantiateContract,
  MsgStoreCode,
  SecretNetworkClient,
  type Msg,
} from "secretjs";
import { toBase64, toHex, utf8 } from "../../../util/bytes.js";
import type { Event } from "../../tx/context.js";
import type { DecodedTx } from "../../tx/decode.js";
import type { TxResult } from "../../tx/runTx.js";
import { contract, startHarness, type Harness } from "./testdata/computeHarness.js";

let h: Harness;
let codeId = 0;
let codeHash = "";
let storeRes: { res: TxResult; tx: DecodedTx };
const ok = (res: TxResult): void => {
  assert.equal(res.code, 0, res.log);
};
const b64json = (o: object) => toBase64(utf8.encode(JSON.stringify(o)));
/** The message's own events (runTx adds msg_index to them; ante's fee/tx events have none). */
const msgEvents = (res: TxResult): Event[] =>
  res.events.filter((e) => e.attributes.some((a) => a.key === "msg_index"));
const shape = (events: Event[]) => events.map((e) => [e.type, e.attributes.map((a) => a.key)]);
const A = () => h.a.address;

interface LogEntry {
  msg: number;
  type: string;
  key: string;
  value: string;
}
interface Decoded {
  arrayLog: LogEntry[];
  jsonLog: { msg_index: number; events: { type: string; attributes: { key: string; value: string }[] }[] }[];
}

/** secretjs' decodeTxResponse over the tx response an LCD would return for `res` (SDK 0.50: raw_log ""). */
async function viaSecretjs(res: TxResult, tx: DecodedTx, typeUrl: string, field: "msg" | "init_msg") {
  const client = new SecretNetworkClient({
    url: "http://127.0.0.1:1",
    chainId: "shroud-test",
    wallet: h.a,
    walletAddress: A(),
    encryptionUtils: h.utils,
  });
  const v = tx.messages[0]?.value as { msg?: Uint8Array; initMsg?: Uint8Array };
  const input = v.initMsg ?? v.msg;
  const txResp = {
    height: "1",
    txhash: "",
    code: res.code,
    codespace: res.codespace,
    raw_log: "",
    events: structuredClone(res.events),
    data: toHex(res.data),
    gas_used: String(res.gasUsed),
    gas_wanted: String(res.gasWanted),
    tx: { body: { messages: [{ "@type": typeUrl, ...(input ? { [field]: toBase64(input) } : {}) }] } },
  };
  const c = client as unknown as { decodeTxResponse(r: unknown, o: unknown): Promise<Decoded> };
  return c.decodeTxResponse(txResp, { resolveResponses: false });
}

async function deliver(msgs: Msg[]) {
  const r = await h.deliver(h.a, msgs, 5_000_000);
  ok(r.res);
  return r;
}

async function instantiate(label: string) {
  return deliver([
    new MsgInstantiateContract({
      sender: A(),
      code_id: codeId,
      code_hash: codeHash,
      label,
      init_msg: { count: 5 },
      init_funds: [],
    }),
  ]);
}
const addressOf = (res: TxResult) =>
  res.events.find((e) => e.type === "instantiate")?.attributes.find((a) => a.key === "contract_address")
    ?.value ?? "";
const exec = (addr: string, msg: object) =>
  new MsgExecuteContract({ sender: A(), contract_address: addr, code_hash: codeHash, msg, sent_funds: [] });

before(async () => {
  h = await startHarness();
  storeRes = await deliver([
    new MsgStoreCode({ sender: A(), wasm_byte_code: contract("callbacks.wasm.gz"), source: "", builder: "" }),
  ]);
  const id = storeRes.res.events.flatMap((e) => e.attributes).find((a) => a.key === "code_id");
  codeId = Number(id?.value);
  codeHash = createHash("sha256").update(contract("callbacks.wasm")).digest("hex");
});
after(async () => {
  await h.stop();
});

describe("compute `message` events (SN msg_server.go; baseapp then omits `module`)", () => {
  test("store code: {action, sender}, {module, sender, signer}, {code_id}; secretjs finds code_id", async () => {
    const { res, tx } = storeRes;
    assert.deepEqual(shape(msgEvents(res)), [
      ["message", ["action", "sender", "msg_index"]],
      ["message", ["module", "sender", "signer", "msg_index"]],
      ["message", ["code_id", "msg_index"]],
    ]);
    const m = msgEvents(res)[1]!.attributes;
    assert.deepEqual([m[0]!.value, m[1]!.value, m[2]!.value], ["compute", A(), A()]);
    const d = await viaSecretjs(res, tx, "/secret.compute.v1beta1.MsgStoreCode", "msg");
    assert.equal(d.arrayLog.find((l) => l.type === "message" && l.key === "code_id")?.value, String(codeId));
    assert.deepEqual(
      d.jsonLog[0]?.events[0]?.attributes.map((a) => a.key),
      ["action", "sender", "module", "signer", "code_id"],
    );
  });

  test("instantiate: keeper events, then {module, sender, contract_address} last; no message.code_id", async () => {
    const { res, tx } = await instantiate("ev-inst");
    const addr = addressOf(res);
    assert.deepEqual(shape(msgEvents(res)), [
      ["message", ["action", "sender", "msg_index"]],
      ["instantiate", ["contract_address", "code_id", "msg_index"]],
      ["wasm", ["contract_address", msgEvents(res)[2]!.attributes[1]!.key, "creator", "msg_index"]],
      ["message", ["module", "sender", "contract_address", "msg_index"]],
    ]);
    const d = await viaSecretjs(res, tx, "/secret.compute.v1beta1.MsgInstantiateContract", "init_msg");
    // secretjs README: tx.arrayLog.find((log) => log.type === "message" && log.key === "contract_address").
    assert.equal(d.arrayLog.find((l) => l.type === "message" && l.key === "contract_address")?.value, addr);
    assert.equal(
      d.arrayLog.find((l) => l.type === "message" && l.key === "code_id"),
      undefined,
    );
    assert.ok(d.arrayLog.some((l) => l.type === "wasm" && l.key === "action" && l.value === "instantiate"));
    assert.deepEqual(
      d.jsonLog[0]?.events.map((e) => [e.type, e.attributes.map((a) => a.key)]),
      [
        ["message", ["action", "sender", "module", "contract_address"]],
        ["instantiate", ["contract_address", "code_id"]],
        ["wasm", ["contract_address", "action", "creator"]],
      ],
    );
  });

  test("execute: {action, sender}, {module, sender, contract_address} before the keeper's events", async () => {
    const addr = addressOf((await instantiate("ev-exec")).res);
    const { res, tx } = await deliver([exec(addr, { increment: {} })]);
    assert.deepEqual(shape(msgEvents(res)).slice(0, 3), [
      ["message", ["action", "sender", "msg_index"]],
      ["message", ["module", "sender", "contract_address", "msg_index"]],
      ["execute", ["contract_address", "msg_index"]],
    ]);
    const d = await viaSecretjs(res, tx, "/secret.compute.v1beta1.MsgExecuteContract", "msg");
    assert.deepEqual(
      d.arrayLog.filter((l) => l.type === "message").map((l) => [l.key, l.value]),
      [
        ["action", "/secret.compute.v1beta1.MsgExecuteContract"],
        ["sender", A()],
        ["module", "compute"],
        ["contract_address", addr],
      ],
    );
    assert.ok(d.arrayLog.some((l) => l.type === "wasm" && l.key === "count" && l.value === "6"));
  });
});

describe("sub-message events (SN DispatchSubmessages: no `message`, wasm attributes sorted in place)", () => {
  test("a wasm sub-call leaves no `message` event and its events' attributes sorted by key", async () => {
    const caller = addressOf((await instantiate("ev-caller")).res);
    const callee = addressOf((await instantiate("ev-callee")).res);
    const call = {
      call_contract: {
        contract: callee,
        code_hash: codeHash,
        msg: b64json({ increment: {} }),
        id: 1,
        reply_on: "never",
      },
    };
    const { res, tx } = await deliver([exec(caller, call)]);
    const ev = msgEvents(res);
    assert.equal(ev.filter((e) => e.type === "message").length, 2, "the tx's two, none from the sub-call");
    const wasm = ev.filter((e) => e.type === "wasm");
    assert.equal(wasm.length, 2);
    // The caller's own event as emitted (contract_address first); the callee's sorted (msg_index is added after).
    assert.equal(wasm[0]!.attributes[0]!.value, caller);
    const calleeKeys = wasm[1]!.attributes.map((a) => a.key).slice(0, -1);
    assert.deepEqual(
      calleeKeys,
      [...calleeKeys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y))),
    );
    assert.ok(wasm[1]!.attributes.some((a) => a.key === "contract_address" && a.value === callee));
    const d = await viaSecretjs(res, tx, "/secret.compute.v1beta1.MsgExecuteContract", "msg");
    assert.equal(d.arrayLog.find((l) => l.type === "message" && l.key === "contract_address")?.value, caller);
    assert.ok(d.arrayLog.some((l) => l.type === "wasm" && l.key === "count" && l.value === "6"));
  });

  test("a bank sub-message's `message` event is dropped too (its transfer stays)", async () => {
    const caller = addressOf(
      (
        await deliver([
          new MsgInstantiateContract({
            sender: A(),
            code_id: codeId,
            code_hash: codeHash,
            label: "ev-bank",
            init_msg: { count: 0 },
            init_funds: [{ denom: "uscrt", amount: "100" }],
          }),
        ])
      ).res,
    );
    const { res } = await deliver([
      exec(caller, { send_funds: { to: h.b.address, amount: [{ denom: "uscrt", amount: "7" }] } }),
    ]);
    const ev = msgEvents(res);
    assert.equal(ev.filter((e) => e.type === "message").length, 2);
    const transfer = ev.find(
      (e) => e.type === "transfer" && e.attributes.some((a) => a.value === h.b.address),
    );
    assert.ok(transfer, "the send's transfer event");
  });
});
