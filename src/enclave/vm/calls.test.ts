// Entry points of both interfaces, env JSON, gas metering seam and determinism, failure mapping.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { utf8 } from "../../util/bytes.js";
import { callEntryPoint, parseContractResult } from "./calls.js";
import { v010EnvJson, v1EnvJson, v1MessageInfoJson, type BaseEnv } from "./environment.js";
import { ContractInstance, compileModule } from "./instance.js";
import { mockBackend } from "./testing/mockBackend.js";
import { watFileToWasm, watToWasm } from "./testing/wat.js";
import { isVmError } from "./errors.js";
import { readRegion, writeRegion } from "./memory.js";
import { humanize } from "./testing/mockApi.js";

const v1 = compileModule(await watFileToWasm(new URL("./testdata/harness.wat", import.meta.url)));
const v010 = compileModule(await watFileToWasm(new URL("./testdata/v010.wat", import.meta.url)));

const base: BaseEnv = {
  block: { height: 100n, timeNanos: 1_700_000_000_123_456_789n, chainId: "secret-4" },
  message: { sender: "secret1sender", funds: [{ denom: "uscrt", amount: "100" }] },
  contract: { address: "secret1contract" },
  transaction: { index: 2, hash: "ABCD" },
};
const HASH = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const EMPTY_RESPONSE = '{"ok":{"messages":[],"attributes":[],"events":[],"data":null}}';

describe("environment JSON", () => {
  test("v1 env: ns time string, code_hash, random base64, transaction", () => {
    assert.equal(
      v1EnvJson(base, { codeHashHex: HASH, random: new Uint8Array(32).fill(1) }),
      '{"block":{"height":100,"time":"1700000000123456789","chain_id":"secret-4",' +
        '"random":"AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE="},' +
        `"contract":{"address":"secret1contract","code_hash":"${HASH}"},"transaction":{"index":2,"hash":"ABCD"}}`,
    );
    const noTx: BaseEnv = { block: base.block, message: base.message, contract: base.contract };
    assert.match(v1EnvJson(noTx, { codeHashHex: HASH }), /"chain_id":"secret-4"\},.*"transaction":null\}$/);
    assert.equal(
      v1MessageInfoJson(base),
      '{"sender":"secret1sender","funds":[{"denom":"uscrt","amount":"100"}]}',
    );
  });

  test("v0.10 env: seconds, sent_funds, null contract_key and transaction", () => {
    assert.equal(
      v010EnvJson(base, { codeHashHex: HASH }),
      '{"block":{"height":100,"time":1700000000,"chain_id":"secret-4"},' +
        '"message":{"sender":"secret1sender","sent_funds":[{"denom":"uscrt","amount":"100"}]},' +
        `"contract":{"address":"secret1contract"},"contract_key":null,"contract_code_hash":"${HASH}","transaction":null}`,
    );
  });
});

describe("v1 entry points", () => {
  const env = utf8.encode(v1EnvJson(base, { codeHashHex: HASH }));
  const info = utf8.encode(v1MessageInfoJson(base));

  test("instantiate passes env, info and msg; result echoes msg", () => {
    const backend = mockBackend();
    const msg = utf8.encode('{"ok":{"messages":[],"attributes":[],"events":[],"data":"aGk="}}');
    const r = callEntryPoint(v1, { backend, gasLimit: 10_000_000n, readonly: false }, "instantiate", {
      env,
      info,
      msg,
    });
    assert.ok(r.ok);
    assert.equal(r.version, "v1");
    assert.deepEqual(r.output, msg);
    assert.deepEqual(parseContractResult(r.output, "v1"), {
      ok: { messages: [], attributes: [], events: [], data: "aGk=" },
    });
    const stored = new Map(backend.storage.entries().map(([k, v]) => [utf8.decode(k), utf8.decode(v)]));
    assert.equal(stored.get("env"), utf8.decode(env));
    assert.equal(stored.get("info"), utf8.decode(info));
  });

  test("query runs read-only and reads state", () => {
    const backend = mockBackend();
    const opts = { backend, gasLimit: 10_000_000n, readonly: false };
    callEntryPoint(v1, opts, "execute", { env, info, msg: utf8.encode('!{"ok":"eyJjb3VudCI6NX0="}') });
    const q = callEntryPoint(v1, { ...opts, readonly: true }, "query", { env, msg: utf8.encode("last") });
    assert.ok(q.ok);
    assert.deepEqual(parseContractResult(q.output, "v1"), { ok: "eyJjb3VudCI6NX0=" });
  });

  test("a query that writes fails with UnauthorizedWrite", () => {
    const r = callEntryPoint(
      v1,
      { backend: mockBackend(), gasLimit: 10_000_000n, readonly: true },
      "execute",
      {
        env,
        info,
        msg: utf8.encode("!"),
      },
    );
    assert.ok(!r.ok);
    assert.ok(isVmError(r.error, "UnauthorizedWrite"));
  });

  test("migrate and reply take (env, msg)", () => {
    const opts = { backend: mockBackend(), gasLimit: 10_000_000n, readonly: false };
    const m = callEntryPoint(v1, opts, "migrate", { env, msg: utf8.encode("!x") });
    assert.ok(m.ok);
    assert.equal(utf8.decode(m.output), EMPTY_RESPONSE);
    const r = callEntryPoint(v1, opts, "reply", { env, msg: utf8.encode('{"id":1}') });
    assert.ok(r.ok);
    assert.equal(utf8.decode(r.output), EMPTY_RESPONSE);
  });

  test("error results parse; garbage results are BadResult", () => {
    assert.deepEqual(parseContractResult(utf8.encode('{"error":"boom"}'), "v1"), { err: "boom" });
    assert.throws(
      () => parseContractResult(utf8.encode('{"ok":1,"error":"x"}'), "v1"),
      (e) => isVmError(e, "BadResult"),
    );
    assert.throws(
      () => parseContractResult(utf8.encode("nope"), "v1"),
      (e) => isVmError(e, "BadResult"),
    );
  });

  test("same call twice → same gas; limit too low → OutOfGas with the whole limit used", () => {
    const msg = utf8.encode("!");
    const run = (gasLimit: bigint) =>
      callEntryPoint(v1, { backend: mockBackend(), gasLimit, readonly: false }, "execute", {
        env,
        info,
        msg,
      });
    const a = run(10_000_000n);
    const b = run(10_000_000n);
    assert.ok(a.ok && b.ok);
    assert.equal(a.gasUsed, b.gasUsed);
    assert.ok(a.gasUsed > 0n);
    const c = run(a.gasUsed - 1n);
    assert.ok(!c.ok);
    assert.ok(isVmError(c.error, "OutOfGas"));
    assert.equal(c.gasUsed, a.gasUsed - 1n);
  });
});

describe("gas metering globals", () => {
  test("wasm metering (exported gas_limit global) and host gas draw from one counter", () => {
    const inst = new ContractInstance(v1, { backend: mockBackend(), gasLimit: 1_000n, readonly: false });
    assert.ok(inst.gas.metered);
    inst.fn("t_burn")(30);
    assert.equal(inst.gas.remaining(), 700n);
    assert.equal(inst.gas.used(), 300n);
    assert.throws(() => inst.fn("t_burn")(71));
    assert.ok(inst.gas.isExhausted());
    assert.equal(inst.gas.used(), 1_000n);
  });

  test("a trap is a RuntimeError, an unknown interface is InvalidWasm", async () => {
    const r = callEntryPoint(
      v1,
      { backend: mockBackend(), gasLimit: 1_000_000n, readonly: false },
      "execute",
      {
        env: utf8.encode("{}"),
        info: utf8.encode("{}"),
        msg: utf8.encode("!"),
      },
    );
    assert.ok(r.ok);
    const inst = new ContractInstance(v1, { backend: mockBackend(), gasLimit: 1_000n, readonly: false });
    assert.throws(() => inst.fn("t_trap")());
    const bare = compileModule(await watToWasm("bare.wat", '(module (memory (export "memory") 1))'));
    const x = callEntryPoint(bare, { backend: mockBackend(), gasLimit: 1n, readonly: false }, "query", {
      env: new Uint8Array(),
      msg: new Uint8Array(),
    });
    assert.ok(!x.ok && isVmError(x.error, "InvalidWasm"));
  });
});

describe("v0.10 entry points", () => {
  const env = utf8.encode(v010EnvJson(base, { codeHashHex: HASH }));

  test("init/handle take (env, msg), query takes (msg) only", () => {
    const backend = mockBackend();
    const opts = { backend, gasLimit: 10_000_000n, readonly: false };
    const init = callEntryPoint(v010, opts, "instantiate", {
      env,
      msg: utf8.encode('{"Ok":{"messages":[],"log":[]}}'),
    });
    assert.ok(init.ok);
    assert.equal(init.version, "v010");
    assert.deepEqual(parseContractResult(init.output, "v010"), { ok: { messages: [], log: [] } });
    const h = callEntryPoint(v010, opts, "execute", {
      env,
      msg: utf8.encode('{"Err":{"generic_err":{"msg":"x"}}}'),
    });
    assert.ok(h.ok);
    assert.deepEqual(parseContractResult(h.output, "v010"), { err: { generic_err: { msg: "x" } } });
    const q = callEntryPoint(v010, { ...opts, readonly: true }, "query", { env, msg: utf8.encode("env") });
    assert.ok(q.ok);
    assert.equal(utf8.decode(q.output), utf8.decode(env));
    const rep = callEntryPoint(v010, opts, "reply", { env, msg: utf8.encode("{}") });
    assert.ok(!rep.ok && isVmError(rep.error, "InvalidWasm"));
  });

  test("v0.10 canonicalize_address / humanize_address", () => {
    const inst = new ContractInstance(v010, {
      backend: mockBackend(),
      gasLimit: 1_000_000n,
      readonly: false,
    });
    const human = humanize(new Uint8Array(20).fill(1));
    const src = inst.allocate(human.length);
    writeRegion(inst.memory(), src, utf8.encode(human), "t");
    const dst = inst.allocate(64);
    const rc = inst.fn("t_canonicalize_address")(src, dst);
    if (rc !== 0) assert.fail(utf8.decode(readRegion(inst.memory(), rc as number, 1000, "t")));
    const canon = readRegion(inst.memory(), dst, 64, "t");
    assert.equal(canon.length, 20);
    const back = inst.allocate(90);
    assert.equal(inst.fn("t_humanize_address")(dst, back), 0);
    assert.equal(utf8.decode(readRegion(inst.memory(), back, 90, "t")), human);
  });
});
