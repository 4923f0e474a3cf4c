// A `gas_limit` sub-call's writes count toward its limit (SN: the gas meter sits above the sub-message's cache), with a
// real contract (contracts/build callbacks.wasm: `call_contract` → `increment` on another instance), secretjs-signed
// txs, runTx and a real enclave. The caller's bill is what it was; only the limit decision moved.
import { after, before, mock, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { MsgExecuteContract, MsgInstantiateContract } from "secretjs";
import { toBase64, utf8 } from "../../../util/bytes.js";
import { GasMeter } from "../../gas.js";
import type { TxResult } from "../../tx/runTx.js";
import { contract, fork, startHarness, storeCode, type Harness } from "./testdata/computeHarness.js";

let h: Harness;
let codeId = 0;
let codeHash = "";
const TX_GAS = 5_000_000;
const ok = (res: TxResult): void => {
  assert.equal(res.code, 0, res.log);
};
const attrOf = (res: TxResult, type: string, key: string) =>
  res.events.filter((e) => e.type === type).flatMap((e) => e.attributes.filter((a) => a.key === key))[0]
    ?.value ?? "";

async function init(label: string): Promise<string> {
  const { res } = await h.deliver(h.a, [
    new MsgInstantiateContract({
      sender: h.a.address,
      code_id: codeId,
      code_hash: codeHash,
      label,
      init_msg: { count: 0 },
      init_funds: [],
    }),
  ]);
  ok(res);
  return attrOf(res, "instantiate", "contract_address");
}

/** Runs caller → callee `increment` under `limit` on a fork; returns the result and what the caller was billed. */
async function callUnder(caller: string, callee: string, limit: number) {
  const msg = new MsgExecuteContract({
    sender: h.a.address,
    contract_address: caller,
    code_hash: codeHash,
    msg: {
      call_contract: {
        contract: callee,
        code_hash: codeHash,
        msg: toBase64(utf8.encode(JSON.stringify({ increment: {} }))),
        id: 1,
        reply_on: "never",
        gas_limit: limit,
      },
    },
    sent_funds: [],
  });
  const raw = await h.sign(h.a, [msg], TX_GAS);
  // Spy on the bill: the caller's meter is charged "From limited Sub-Message" with what the sub-call spent.
  const spy = mock.method(GasMeter.prototype, "consume");
  try {
    const res = h.run(raw, fork(h.chain.state)).res;
    const billed = spy.mock.calls
      .filter((c) => c.arguments[1] === "From limited Sub-Message")
      .map((c) => c.arguments[0]);
    return { res, billed };
  } finally {
    spy.mock.restore();
  }
}

before(async () => {
  h = await startHarness();
  ({ codeId } = await storeCode(h, contract("callbacks.wasm.gz")));
  codeHash = createHash("sha256").update(contract("callbacks.wasm")).digest("hex");
});
after(async () => {
  await h.stop();
});

test("a limit the sub-call exceeds only through its writes fails as on SN; the bill at the threshold is unchanged", async () => {
  const caller = await init("w-caller");
  const callee = await init("w-callee");
  // Smallest limit that succeeds (the outcome is monotonic in the limit).
  let lo = 20_000; // INSTANCE_COST alone
  let hi = 200_000;
  assert.equal((await callUnder(caller, callee, lo)).res.code, 11);
  ok((await callUnder(caller, callee, hi)).res);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if ((await callUnder(caller, callee, mid)).res.code === 0) hi = mid;
    else lo = mid;
  }
  const at = await callUnder(caller, callee, hi);
  ok(at.res);
  const below = await callUnder(caller, callee, hi - 1);
  assert.equal(below.res.codespace, "sdk", below.res.log);
  assert.match(below.res.log, /SubMsg hit gas limit: out of gas$/);
  // What the sub-call is billed (reads, VM, INSTANCE_COST) fits well below the threshold: the rest is its writes
  // (the callee's counter and the block message counter, at least WriteFlat 200 each), which the limit now sees.
  assert.equal(at.billed.length, 1);
  const bill = Number(at.billed[0]);
  const gap = hi - bill;
  assert.ok(gap >= 400 && gap < 3_000, `writes counted toward the limit: ${String(gap)}`);
  // The bill does not depend on the limit (as on SN, a limit not reached changes nothing): a limit of the same
  // JSON length (same tx size and parsing cost) far above the threshold gives the same bill and gas.
  assert.equal(String(hi).length, 5);
  const roomy = await callUnder(caller, callee, 99_999);
  ok(roomy.res);
  assert.deepEqual(roomy.billed, at.billed);
  assert.equal(roomy.res.gasUsed, at.res.gasUsed);
});
