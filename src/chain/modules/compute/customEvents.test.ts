// A contract's events as SN's keeper turns them into tx events (types.go ContractLogsToSdkEvents / NewCustomEvents):
// a plaintext attribute named `contract_address` is dropped from the `wasm` event; custom events are trimmed (Go
// TrimSpace) and refused (compute 21 "invalid event", wrapped `dispatch:`) when the type is ≤ 2 bytes, a key or value
// is empty, or a key starts with `_`. The contract is the WAT echo harness of the VM tests
// (src/enclave/vm/testdata/harness.wat, ./testdata/echoHarness.ts): its answer is its msg.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { MsgExecuteContract, MsgInstantiateContract } from "secretjs";
import type { TxResult } from "../../tx/runTx.js";
import { goTrimSpace } from "./events.js";
import { startHarness, storeCode, type Harness } from "./testdata/computeHarness.js";
import { echoHarnessWasm } from "./testdata/echoHarness.js";

let h: Harness;
let codeHash = "";
let echo = "";
const ok = (res: TxResult): void => {
  assert.equal(res.code, 0, res.log);
};
const plain = (key: string, value: string) => ({ key, value, encrypted: false });
const answer = (attributes: object[], events: object[]) => ({
  ok: { messages: [], attributes, events, data: null },
});

before(async () => {
  const wasm = await echoHarnessWasm();
  codeHash = createHash("sha256").update(wasm).digest("hex");
  h = await startHarness();
  const { codeId } = await storeCode(h, wasm);
  const init = await h.deliver(h.a, [
    new MsgInstantiateContract({
      sender: h.a.address,
      code_id: codeId,
      code_hash: codeHash,
      label: "echo-events",
      init_msg: answer([], []),
    }),
  ]);
  ok(init.res);
  echo = init.res.events.find((e) => e.type === "instantiate")?.attributes[0]?.value ?? "";
});
after(async () => {
  await h.stop();
});

const run = async (msg: object) =>
  (
    await h.deliver(h.a, [
      new MsgExecuteContract({ sender: h.a.address, contract_address: echo, code_hash: codeHash, msg }),
    ])
  ).res;

describe("contract events (SN ContractLogsToSdkEvents / NewCustomEvents)", () => {
  test("a plaintext `contract_address` attribute cannot spoof the wasm event's", async () => {
    const res = await run(answer([plain("contract_address", "spoof"), plain("k", "v")], []));
    ok(res);
    const wasm = res.events.filter((e) => e.type === "wasm");
    assert.equal(wasm.length, 1);
    assert.deepEqual(
      wasm[0]!.attributes.map((a) => [a.key, a.value]),
      [
        ["contract_address", echo],
        ["k", "v"],
        ["msg_index", "0"],
      ],
    );
  });

  test("custom events: type, keys and values trimmed as Go's TrimSpace does", async () => {
    const res = await run(answer([], [{ type: " shroud\t", attributes: [plain(" k ", "\u00a0v\n")] }]));
    ok(res);
    const ev = res.events.find((e) => e.type === "wasm-shroud");
    assert.deepEqual(
      ev?.attributes.map((a) => [a.key, a.value]),
      [
        ["contract_address", echo],
        ["k", "v"],
        ["msg_index", "0"],
      ],
    );
  });

  const refused: [string, object, string][] = [
    ["a type of 2 bytes", { type: " ab ", attributes: [plain("k", "v")] }, "Event type too short: 'ab'"],
    ["an empty key", { type: "abc", attributes: [plain("  ", "v")] }, "Empty attribute key. Value: v"],
    ["an empty value", { type: "abc", attributes: [plain("k", " ")] }, "Empty attribute value. Key: k"],
    [
      "a reserved key",
      { type: "abc", attributes: [plain("_k", "v")] },
      "Attribute key starts with reserved prefix _: '_k'",
    ],
  ];
  for (const [name, event, why] of refused)
    test(`refused: ${name} (compute 21, wrapped dispatch:)`, async () => {
      const res = await run(answer([], [event]));
      assert.deepEqual(
        [res.codespace, res.code, res.log],
        ["compute", 21, `failed to execute message; message index: 0: dispatch: ${why}: invalid event`],
      );
    });

  test("goTrimSpace is Go's unicode.IsSpace set, not JS trim()", () => {
    assert.equal(goTrimSpace("\u0085 a b \u3000"), "a b");
    assert.equal(goTrimSpace("\ufeffa\ufeff"), "\ufeffa\ufeff", "U+FEFF is not a Go space");
    assert.equal(goTrimSpace("\u2028\u2029x\u202f\u205f"), "x");
  });
});
