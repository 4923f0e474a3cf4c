// A CosmWasm v0.10 contract through x/compute with a real enclave (contracts/build/v010_token.wasm; provenance
// contracts/testdata/README.md): init/handle with encrypted `log` and data, BankMsg::Send from the contract,
// the refused send from someone else's account, and a v0.10 WasmMsg::Execute (callback_code_hash) to a v1
// contract.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { MsgExecuteContract, MsgInstantiateContract, MsgStoreCode } from "secretjs";
import { toBase64, utf8 } from "../../../util/bytes.js";
import { fromBech32 } from "../../address.js";
import type { Event } from "../../tx/context.js";
import type { TxResult } from "../../tx/runTx.js";
import { contract, startHarness, type Harness } from "./testdata/computeHarness.js";

let h: Harness;
let token: string;
let cb: string;
const hash = (n: string) => createHash("sha256").update(contract(n)).digest("hex");
const ok = (res: TxResult): void => {
  assert.equal(res.code, 0, res.log);
};
const attr = (events: Event[], type: string, key: string): string[] =>
  events
    .filter((e) => e.type === type)
    .flatMap((e) => e.attributes.filter((a) => a.key === key).map((a) => a.value));
const uscrt = (addr: string) =>
  h.chain.bank.keeper.getBalance(h.chain.ctx(), fromBech32(addr), "uscrt").amount;
const handle = (msg: object) =>
  h.deliver(h.a, [
    new MsgExecuteContract({
      sender: h.a.address,
      contract_address: token,
      code_hash: hash("v010_token.wasm"),
      msg,
    }),
  ]);

before(async () => {
  h = await startHarness();
  for (const n of ["v010_token.wasm.gz", "callbacks.wasm.gz"]) {
    const { res } = await h.deliver(
      h.a,
      [new MsgStoreCode({ sender: h.a.address, wasm_byte_code: contract(n), source: "", builder: "" })],
      5_000_000,
    );
    ok(res);
  }
  const init = async (codeId: number, file: string, label: string, initMsg: object, funds: string) => {
    const { res } = await h.deliver(h.a, [
      new MsgInstantiateContract({
        sender: h.a.address,
        code_id: codeId,
        code_hash: hash(file),
        label,
        init_msg: initMsg,
        init_funds: funds === "0" ? [] : [{ denom: "uscrt", amount: funds }],
      }),
    ]);
    ok(res);
    return attr(res.events, "message", "contract_address")[0]!;
  };
  token = await init(
    1,
    "v010_token.wasm",
    "v010",
    { name: "T", initial_balances: [{ address: h.a.address, amount: "100" }] },
    "300",
  );
  cb = await init(2, "callbacks.wasm", "cb", { count: 0 }, "0");
});
after(async () => {
  await h.stop();
});

describe("a v0.10 contract", () => {
  test("handle: encrypted log in the wasm event and decrypted data", async () => {
    const r = await handle({ transfer: { recipient: h.b.address, amount: "30" } });
    ok(r.res);
    assert.deepEqual(JSON.parse(await h.decryptData(r.res, r.tx, 0)), { amount: "70" });
    const wasm = r.res.events.find((e) => e.type === "wasm");
    assert.equal(wasm?.attributes[0]?.value, token);
    // SN keeper.go emits `execute` / `instantiate` for v1 answers only.
    assert.equal(r.res.events.filter((e) => e.type === "execute" || e.type === "instantiate").length, 0);
    const keys = await Promise.all(
      wasm.attributes
        .slice(1)
        .filter((a) => a.key !== "msg_index")
        .map((a) => h.decryptWith(r.tx, 0, a.key)),
    );
    assert.deepEqual(
      keys.map((k) => k.trim()),
      ["action", "recipient", "amount"],
    );
  });

  test("BankMsg::Send from the contract moves its coins; from someone else is refused", async () => {
    const before = uscrt(h.b.address);
    ok((await handle({ send_native: { to: h.b.address, amount: [{ denom: "uscrt", amount: "40" }] } })).res);
    assert.equal(uscrt(h.b.address), before + 40n);
    assert.equal(uscrt(token), 260n);
    const stolen = await handle({
      send_native_from: { from: h.a.address, to: h.b.address, amount: [{ denom: "uscrt", amount: "1" }] },
    });
    assert.equal(stolen.res.code, 3);
    assert.match(
      stolen.res.log,
      /message index: 0: contract doesn't have permission: execute contract failed$/,
    );
  });

  test("v0.10 WasmMsg::Execute (callback_code_hash) reaches a v1 contract", async () => {
    const r = await handle({
      call_contract: {
        contract: cb,
        code_hash: hash("callbacks.wasm"),
        msg: toBase64(utf8.encode(JSON.stringify({ increment: {} }))),
      },
    });
    ok(r.res);
    assert.deepEqual(attr(r.res.events, "wasm", "contract_address"), [token, cb]);
  });
});
