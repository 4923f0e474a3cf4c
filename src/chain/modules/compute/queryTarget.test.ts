// The REST smart-query path's per-height memo of a contract's code and key (engine.committedQueryTarget):
// state committed at a height never changes, so a height's lookups are made once; another height looks again.
// A real enclave (computeHarness) answers the queries, decrypted with secretjs.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { MsgInstantiateContract, MsgStoreCode } from "secretjs";
import { fromBase64, utf8 } from "../../../util/bytes.js";
import { fromBech32 } from "../../address.js";
import { GrpcCode, QueryError } from "../../errors.js";
import { MemoryKVStore } from "../../store/memory.js";
import { plainContext } from "../../tx/testdata/testHarness.js";
import { contract, startHarness, type Harness } from "./testdata/computeHarness.js";

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => {
  await h.stop();
});

describe("committed query targets", () => {
  test("one lookup per height; a new height looks again; the async smart query answers from it", async () => {
    const wasm = contract("counter.wasm");
    const stored = await h.deliver(h.a, [
      new MsgStoreCode({ sender: h.a.address, wasm_byte_code: wasm, source: "", builder: "" }),
    ]);
    assert.equal(stored.res.code, 0, stored.res.log);
    const codeHash = createHash("sha256").update(wasm).digest("hex");
    const inst = await h.deliver(h.a, [
      new MsgInstantiateContract({
        sender: h.a.address,
        code_id: 1,
        code_hash: codeHash,
        label: "memo",
        init_msg: { count: 3 },
      }),
    ]);
    assert.equal(inst.res.code, 0, inst.res.log);
    const address =
      inst.res.events
        .find((e) => e.type === "message" && e.attributes.some((a) => a.key === "contract_address"))
        ?.attributes.find((a) => a.key === "contract_address")?.value ?? "";
    const addr = fromBech32(address);
    const at = (height: bigint, store = h.chain.state) => plainContext(store, undefined, height);

    const engine = h.compute.engine;
    const t1 = engine.committedQueryTarget(at(10n), addr);
    assert.equal(t1?.code.codeHash, codeHash);
    assert.ok(t1.contractKey !== undefined);
    // Same height over an empty store: still the remembered target (the lookup is not made again).
    assert.equal(engine.committedQueryTarget(at(10n, new MemoryKVStore()), addr), t1);
    // Another height looks again: over the empty store there is no contract.
    assert.equal(engine.committedQueryTarget(at(11n, new MemoryKVStore()), addr), undefined);
    assert.equal(engine.committedQueryTarget(at(12n), addr)?.code.codeHash, codeHash);
    // Height 0 (before the first commit) is never remembered.
    assert.equal(engine.committedQueryTarget(at(0n), addr)?.code.codeHash, codeHash);
    assert.equal(engine.committedQueryTarget(at(0n, new MemoryKVStore()), addr), undefined);

    const msg = await h.utils.encrypt(codeHash, { get_count: {} });
    const r = await h.compute.query.querySecretContractAsync(at(12n), address, msg);
    const b64 = utf8.decode(await h.utils.decrypt(fromBase64(r.data), msg.slice(0, 32)));
    assert.deepEqual(JSON.parse(utf8.decode(fromBase64(b64))), { count: 3 });
    await assert.rejects(
      h.compute.query.querySecretContractAsync(at(13n, new MemoryKVStore()), address, msg),
      (e: unknown) => e instanceof QueryError && e.grpcCode === GrpcCode.NotFound,
    );
  });
});
