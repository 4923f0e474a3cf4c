// Real Secret contracts built from contracts/ (secret-cosmwasm-std 1.1.11, see contracts/README.md) run
// through the contract operations with secretjs-encrypted inputs.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fromBase64, toHex, utf8 } from "../../util/bytes.js";
import { sha256 } from "../crypto/hash.js";
import { compileModule } from "../vm/instance.js";
import { runContract, OperationError } from "./operations.js";
import { MemStore, SENDER, baseEnv, client, keys, noQuery } from "./testing/harness.js";
import type { ContractCallInput, ContractOp } from "./types.js";
import type { ContractKeyInfo } from "../contractKey.js";

function load(name: string) {
  const wasm = new Uint8Array(
    readFileSync(new URL(`../../../contracts/build/${name}.wasm`, import.meta.url)),
  );
  const codeHash = sha256(wasm);
  return { module: compileModule(wasm), codeHash, hex: toHex(codeHash) };
}

const counter = load("counter");
const sjs = client(new Uint8Array(32).fill(11));

async function call(
  store: MemStore,
  op: ContractOp,
  msg: object,
  contractKey?: ContractKeyInfo,
  extra: Partial<ContractCallInput> = {},
) {
  const enc = await sjs.encrypt(counter.hex, msg);
  const out = runContract(
    { keys, store, query: noQuery, verifyTxSignatures: false },
    {
      op,
      module: counter.module,
      codeHash: counter.codeHash,
      env: baseEnv(),
      msg: enc,
      contractKey,
      msgCounter: 0n,
      queryDepth: 0,
      gasLimit: 10_000_000_000n,
      ...extra,
    },
  );
  return { out, nonce: enc.slice(0, 32) };
}

describe("counter.wasm", () => {
  test("instantiate → increment → query: {count: 2}; attributes encrypted except the plaintext one", async () => {
    const store = new MemStore();
    const init = await call(store, "instantiate", { count: 1 });
    const key = { ogContractKey: init.out.contractKey! };
    const ok = init.out.output.ok as { attributes: { key: string; value: string; encrypted: boolean }[] };
    const plain = ok.attributes.find((a) => !a.encrypted);
    assert.deepEqual(plain && { key: plain.key, value: plain.value }, { key: "owner", value: SENDER });
    const action = ok.attributes.find((a) => a.encrypted)!;
    assert.equal(utf8.decode(await sjs.decrypt(fromBase64(action.key), init.nonce)), "action");
    assert.ok(init.out.gasUsed > 0n);

    const inc = await call(store, "execute", { increment: {} }, key);
    assert.ok(inc.out.output.ok !== undefined);
    const q = await call(store, "query", { get_count: {} }, key);
    const b64 = utf8.decode(await sjs.decrypt(fromBase64(q.out.output.ok as string), q.nonce));
    assert.deepEqual(JSON.parse(utf8.decode(fromBase64(b64))), { count: 2 });
  });

  test("contract errors are encrypted for the sender; gas is deterministic", async () => {
    const store = new MemStore();
    const init = await call(store, "instantiate", { count: 1 });
    const key = { ogContractKey: init.out.contractKey! };
    const other = baseEnv({ sender: "secret1" + "q".repeat(38) });
    const notOwner = await call(store, "execute", { reset: { count: 5 } }, key, {
      env: { ...other, message: { sender: (await canonicalOther()).human, funds: [] } },
    });
    const err = (notOwner.out.output.err as { generic_err: { msg: string } }).generic_err.msg;
    assert.match(utf8.decode(await sjs.decrypt(fromBase64(err), notOwner.nonce)), /unauthorized/);
    const a = await call(new MemStore(), "instantiate", { count: 1 });
    const b = await call(new MemStore(), "instantiate", { count: 1 });
    assert.equal(a.out.gasUsed, b.out.gasUsed);
  });

  test("a query cannot run with a wrong code hash", async () => {
    const store = new MemStore();
    const init = await call(store, "instantiate", { count: 1 });
    const enc = await sjs.encrypt("00".repeat(32), { get_count: {} });
    assert.throws(
      () =>
        runContract(
          { keys, store, query: noQuery, verifyTxSignatures: false },
          {
            op: "query",
            module: counter.module,
            codeHash: counter.codeHash,
            env: baseEnv(),
            msg: enc,
            contractKey: { ogContractKey: init.out.contractKey! },
            msgCounter: 0n,
            queryDepth: 0,
            gasLimit: 10_000_000n,
          },
        ),
      (e) => e instanceof OperationError && e.error.code === "ValidationFailure",
    );
  });
});

async function canonicalOther() {
  const { humanize } = await import("../vm/testing/mockApi.js");
  return { human: humanize(new Uint8Array(20).fill(0x42)) };
}
