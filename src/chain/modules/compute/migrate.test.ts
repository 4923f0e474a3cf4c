// MsgMigrateContract and genesis export/import through x/compute with a real enclave. The contract is the
// hand-written WAT echo harness of the VM tests (src/enclave/vm/testdata/harness.wat, read as a file and
// compiled here with wabt, minus its `env.abort` test import): none of contracts/build exports `migrate`. It echoes the (decrypted) msg as its
// result, so the msg is the Response JSON itself.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { MsgExecuteContract, MsgInstantiateContract, MsgMigrateContract, MsgStoreCode } from "secretjs";
import { MemoryKVStore } from "../../store/memory.js";
import { QueryError } from "../../errors.js";
import type { Event } from "../../tx/context.js";
import type { TxResult } from "../../tx/runTx.js";
import { plainContext } from "../../tx/testdata/testHarness.js";
import { exportComputeGenesis, initComputeGenesis } from "./genesis.js";
import { ComputeKeeper } from "./keeper.js";
import { startHarness, type Harness } from "./testdata/computeHarness.js";
import { echoHarnessWasm } from "./testdata/echoHarness.js";

let h: Harness;
let wasm: Uint8Array;
let codeHash: string;
const ok = (res: TxResult): void => {
  assert.equal(res.code, 0, res.log);
};
const attr = (events: Event[], type: string, key: string): string[] =>
  events
    .filter((e) => e.type === type)
    .flatMap((e) => e.attributes.filter((a) => a.key === key).map((a) => a.value));
/** The echo harness returns its msg: this one is an empty v1 Response with one attribute. */
const RESPONSE = { ok: { messages: [], attributes: [{ key: "k", value: "v" }], events: [], data: null } };

before(async () => {
  wasm = await echoHarnessWasm();
  codeHash = createHash("sha256").update(wasm).digest("hex");
  h = await startHarness();
});
after(async () => {
  await h.stop();
});

async function storeHarness(): Promise<number> {
  const { res } = await h.deliver(
    h.a,
    [new MsgStoreCode({ sender: h.a.address, wasm_byte_code: wasm, source: "", builder: "" })],
    5_000_000,
  );
  ok(res);
  return Number(attr(res.events, "message", "code_id")[0]);
}

describe("migrate and genesis", () => {
  test("admin migrates to a new code id: history, code index, new contract key; a non-admin is refused", async () => {
    const id1 = await storeHarness();
    const id2 = await storeHarness();
    const init = await h.deliver(h.a, [
      new MsgInstantiateContract({
        sender: h.a.address,
        code_id: id1,
        code_hash: codeHash,
        label: "echo",
        init_msg: RESPONSE,
        admin: h.a.address,
      }),
    ]);
    ok(init.res);
    const addr = attr(init.res.events, "message", "contract_address")[0]!;
    const migrate = (sender = h.a) =>
      h.deliver(sender, [
        new MsgMigrateContract({
          sender: sender.address,
          contract_address: addr,
          code_id: id2,
          code_hash: codeHash,
          msg: RESPONSE,
        }),
      ]);
    const denied = await migrate(h.b);
    assert.equal(denied.res.code, 4, denied.res.log);
    assert.match(denied.res.log, /can not migrate: unauthorized$/);

    const keyBefore = h.compute.keeper.getContractKey(
      h.chain.ctx(),
      h.compute.keeper.listContracts(h.chain.ctx())[0]!,
    );
    const r = await migrate();
    ok(r.res);
    // SN keeper.go Migrate: `migrate` {code_id, contract_address}, for v1 and v0.10 alike.
    assert.deepEqual(attr(r.res.events, "migrate", "code_id"), [String(id2)]);
    assert.deepEqual(attr(r.res.events, "migrate", "contract_address"), [addr]);
    const q = h.compute.query;
    const info = q.contractInfo(h.chain.ctx(), addr) as { contract_info: { code_id: string } };
    assert.equal(info.contract_info.code_id, String(id2));
    const hist = q.contractHistory(h.chain.ctx(), addr) as {
      entries: { operation: string; code_id: string }[];
    };
    assert.deepEqual(
      hist.entries.map((e) => [e.operation, e.code_id]),
      [
        ["CONTRACT_CODE_HISTORY_OPERATION_TYPE_INIT", String(id1)],
        ["CONTRACT_CODE_HISTORY_OPERATION_TYPE_MIGRATE", String(id2)],
      ],
    );
    const ids = (c: bigint) =>
      (q.contractsByCodeId(h.chain.ctx(), c) as { contract_infos: unknown[] }).contract_infos.length;
    // The old code has no contract left: SN's querier answers not found for it (a nil list).
    assert.throws(
      () => ids(BigInt(id1)),
      (e: unknown) => e instanceof QueryError && e.grpcCode === 5,
    );
    assert.equal(ids(BigInt(id2)), 1);
    const keyAfter = h.compute.keeper.getContractKey(
      h.chain.ctx(),
      h.compute.keeper.listContracts(h.chain.ctx())[0]!,
    );
    assert.deepEqual(keyAfter?.og, keyBefore?.og, "the og key stays");
    assert.ok(
      keyAfter?.current !== undefined && keyAfter.proof !== undefined,
      "new current key and proof stored",
    );

    const exec = await h.deliver(h.a, [
      new MsgExecuteContract({
        sender: h.a.address,
        contract_address: addr,
        code_hash: codeHash,
        msg: RESPONSE,
      }),
    ]);
    ok(exec.res);
  });

  test("genesis export → import into an empty chain → export again is identical", () => {
    const g1 = exportComputeGenesis(h.chain.ctx(), h.compute.keeper);
    assert.ok((g1.contracts?.length ?? 0) > 0 && (g1.codes?.length ?? 0) > 0);
    assert.ok((g1.contracts?.[0]?.contract_state.length ?? 0) > 0, "contract state exported");
    const fresh = plainContext(new MemoryKVStore());
    const k = new ComputeKeeper();
    initComputeGenesis(fresh, k, h.host, JSON.parse(JSON.stringify(g1)) as typeof g1);
    assert.deepEqual(exportComputeGenesis(fresh, k), g1);
  });
});
