// Nested re-entry: while the enclave waits on a queryChain OCALL, the host's handler issues a fresh ECALL
// (a contract querying a contract); the worker must serve it on the same stack and resume. Depth 10, as Secret.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { OcallHandler } from "../../src/enclave/api.js";
import { memoryOcalls, OcallScript, startTestEnclave, u32, type TestEnclave } from "./helpers.js";

// spec secret-protocol §8.2: contract → contract queries nest up to depth 10 (SN query_chain.rs).
const QUERY_DEPTH = 10;

let t: TestEnclave;
before(async () => {
  t = await startTestEnclave();
});
after(async () => {
  await t.close();
});

test("ten nested ECALLs, each inside the previous one's OCALL, unwind in order with gas", () => {
  const seenDepths: number[] = [];
  const queryChain: OcallHandler["queryChain"] = (request, gasLimit, depth) => {
    seenDepths.push(depth);
    assert.equal(gasLimit, 5000n);
    assert.equal(t.host.activeDepth, depth);
    const inner = t.host.ecall("debugNested", request, { gasLimit, ocalls: handler });
    if ("error" in inner) assert.fail(inner.error.message);
    return { result: inner.ok, gasUsed: inner.gasUsed + 10n };
  };
  const { handler } = memoryOcalls(queryChain);
  const res = t.host.ecall("debugNested", u32(QUERY_DEPTH), { gasLimit: 5000n, ocalls: handler });
  if ("error" in res) assert.fail(res.error.message);
  const depths = Array.from({ length: res.ok.length / 4 }, (_, i) => Buffer.from(res.ok).readUInt32BE(i * 4));
  assert.deepEqual(
    depths,
    Array.from({ length: QUERY_DEPTH }, (_, i) => i + 1),
  );
  assert.deepEqual(
    seenDepths,
    Array.from({ length: QUERY_DEPTH - 1 }, (_, i) => i + 1),
  );
  // innermost reports 0; each level adds 10 (host) + 1 (enclave): 9 levels
  assert.equal(res.gasUsed, 9n * 11n);
  assert.equal(t.host.activeDepth, 0);
});

test("a nested ECALL's OCALLs go to its own handler, and the outer call resumes its own afterwards", () => {
  const inner = memoryOcalls();
  const outer = memoryOcalls((request) => {
    const r = t.host.ecall("debugOcalls", request, { ocalls: inner.handler });
    if ("error" in r) assert.fail(r.error.message);
    return { result: r.ok, gasUsed: r.gasUsed };
  });
  const innerScript = new OcallScript().write(Uint8Array.of(9), Uint8Array.of(1, 2, 3)).build();
  const script = new OcallScript()
    .write(Uint8Array.of(1), Uint8Array.of(7))
    .query(innerScript, 100n)
    .read(Uint8Array.of(1))
    .read(Uint8Array.of(9))
    .build();
  const res = t.host.ecall("debugOcalls", script, { ocalls: outer.handler });
  if ("error" in res) assert.fail(res.error.message);
  // query output: len 0 (inner script printed nothing); read 1 → present 7; read 9 → absent in the outer store
  assert.deepEqual([...res.ok], [0, 0, 0, 0, 1, 0, 0, 0, 1, 7, 0]);
  assert.equal(inner.store.size, 1);
  assert.equal(outer.store.size, 1);
});

test("many deep round trips in a row leave the channel healthy", () => {
  const { handler } = memoryOcalls((request) => {
    const r = t.host.ecall("debugNested", request, { ocalls: handler });
    return { result: "ok" in r ? r.ok : new Uint8Array(0), gasUsed: 0n };
  });
  for (let i = 0; i < 200; i++) {
    const res = t.host.ecall("debugNested", u32(1 + (i % QUERY_DEPTH)), { ocalls: handler });
    assert.ok("ok" in res && res.ok.length === 4 * (1 + (i % QUERY_DEPTH)));
  }
  assert.deepEqual(t.host.health().wireVersion, 1);
});
