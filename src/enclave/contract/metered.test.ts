// Real contracts prepared by the gatekeeper (vm/wasm prepareCode: validation + gas metering injection) run
// through the contract operations: instruction gas is metered and deterministic; a low limit runs out.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fromBase64, toHex, utf8 } from "../../util/bytes.js";
import { CompiledCodeCache } from "../vm/wasm/cache.js";
import { prepareCode } from "../vm/wasm/prepare.js";
import type { WasmModule } from "../vm/webassembly.js";
import { OperationError, runContract } from "./operations.js";
import { MemStore, baseEnv, client, keys, noQuery } from "./testing/harness.js";
import type { ContractCallInput } from "./types.js";

const prepared = prepareCode(
  new Uint8Array(readFileSync(new URL("../../../contracts/build/counter.wasm", import.meta.url))),
);
const module = new CompiledCodeCache().getOrCompile(prepared) as unknown as WasmModule;
const hex = toHex(prepared.codeHash);
const sjs = client(new Uint8Array(32).fill(13));

async function run(
  store: MemStore,
  op: "instantiate" | "execute" | "query",
  msg: object,
  extra: Partial<ContractCallInput> = {},
) {
  const enc = await sjs.encrypt(hex, msg);
  const out = runContract(
    { keys, store, query: noQuery, verifyTxSignatures: false },
    {
      op,
      module,
      codeHash: prepared.codeHash,
      env: baseEnv(),
      msg: enc,
      msgCounter: 0n,
      queryDepth: 0,
      gasLimit: 10_000_000n,
      ...extra,
    },
  );
  return { out, nonce: enc.slice(0, 32) };
}

describe("metered counter.wasm", () => {
  test("instantiate/execute/query work; wasm gas is counted and deterministic", async () => {
    const store = new MemStore();
    const init = await run(store, "instantiate", { count: 1 });
    const again = await run(new MemStore(), "instantiate", { count: 1 });
    assert.equal(init.out.gasUsed, again.out.gasUsed);
    // Metered: far more than the host-only costs (a few db writes) of an unmetered run.
    assert.ok(init.out.gasUsed > 50_000n, `gas ${init.out.gasUsed}`);
    const contractKey = { ogContractKey: init.out.contractKey! };
    await run(store, "execute", { increment: {} }, { contractKey });
    const q = await run(store, "query", { get_count: {} }, { contractKey });
    const b64 = utf8.decode(await sjs.decrypt(fromBase64(q.out.output.ok as string), q.nonce));
    assert.deepEqual(JSON.parse(utf8.decode(fromBase64(b64))), { count: 2 });
  });

  test("a limit below what instantiate needs → OutOfGas with the whole limit used", async () => {
    const need = (await run(new MemStore(), "instantiate", { count: 1 })).out.gasUsed;
    await assert.rejects(
      run(new MemStore(), "instantiate", { count: 1 }, { gasLimit: need / 2n }),
      (e) => e instanceof OperationError && e.error.code === "OutOfGas" && e.gasUsed === need / 2n,
    );
  });
});
