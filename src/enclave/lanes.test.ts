// Query lanes and async ECALLs: OCALLs answered across event-loop turns, the thread stays free, one call per
// isolate, nested sync re-entry from an OCALL handler, parallel lanes, and lanes reopening the sealed keychain.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEBUG_ECALL, ECALL, EnclaveHost } from "./api.js";
import {
  EnclaveBusyError,
  EnclaveIsolate,
  EnclaveUnavailableError,
  type IsolateOptions,
  type OcallHandler,
} from "./host.js";
import { QueryLanes } from "./lanes.js";
import type { WireResult } from "./channel/frames.js";

const u32 = (n: number): Uint8Array => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, false);
  return b;
};
const okBytes = (r: WireResult): Uint8Array => {
  if (!("ok" in r)) throw new Error(`ECALL failed: ${r.error.message}`);
  return r.ok;
};
const readU32 = (b: Uint8Array, at = 0): number => new DataView(b.buffer, b.byteOffset).getUint32(at, false);

/** An OCALL handler whose store holds one key; counts the reads it served. */
function oneKeyStore(key: Uint8Array): { handler: OcallHandler; reads: () => number } {
  let reads = 0;
  const handler: OcallHandler = {
    readDb: (k) => {
      reads++;
      return { value: k.length === key.length ? Uint8Array.of(1) : undefined, gasUsed: 1n };
    },
    writeDb: () => ({ gasUsed: 0n }),
    removeDb: () => ({ gasUsed: 0n }),
    queryChain: () => ({ result: new Uint8Array(0), gasUsed: 0n }),
  };
  return { handler, reads: () => reads };
}

describe("async ECALLs and query lanes", () => {
  let dir: string;
  let opts: IsolateOptions;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "shroud-lanes-"));
    opts = {
      dataDir: join(dir, "data"),
      platformSecretPath: join(dir, "platform-secret"),
      debug: true,
      ecallTimeoutMs: 20_000,
    };
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  test("callAsync answers every OCALL and keeps the thread free while the enclave works", async () => {
    const iso = await EnclaveIsolate.start(opts);
    try {
      const key = Uint8Array.of(7, 7, 7);
      const store = oneKeyStore(key);
      const r = await iso.callAsync(DEBUG_ECALL.debugReadLoop, Uint8Array.from([...u32(50), ...key]), {
        ocalls: store.handler,
      });
      assert.equal(readU32(okBytes(r)), 50);
      assert.equal(store.reads(), 50);
      // While the worker sleeps 300 ms, a 5 ms timer on this thread fires first.
      const order: string[] = [];
      const call = iso.callAsync(DEBUG_ECALL.debugSleep, u32(300)).then(() => order.push("ecall"));
      await new Promise((r) => setTimeout(r, 5)).then(() => order.push("timer"));
      await call;
      assert.deepEqual(order, ["timer", "ecall"]);
    } finally {
      await iso.stop();
    }
  });

  test("one async ECALL per isolate; a sync one meanwhile is refused; nesting from its OCALL is allowed", async () => {
    const iso = await EnclaveIsolate.start(opts);
    try {
      const first = iso.callAsync(DEBUG_ECALL.debugSleep, u32(100));
      await assert.rejects(iso.callAsync(DEBUG_ECALL.debugEcho, Uint8Array.of(1)), EnclaveBusyError);
      assert.throws(() => iso.call(DEBUG_ECALL.debugEcho, Uint8Array.of(1)), EnclaveBusyError);
      okBytes(await first);
      // debugNested asks the host to queryChain; the handler re-enters the same isolate synchronously.
      const nested: OcallHandler = {
        ...oneKeyStore(new Uint8Array(0)).handler,
        queryChain: (request) => {
          const inner = iso.call(DEBUG_ECALL.debugNested, request, { ocalls: nested });
          return { result: okBytes(inner), gasUsed: inner.gasUsed };
        },
      };
      const out = okBytes(await iso.callAsync(DEBUG_ECALL.debugNested, u32(3), { ocalls: nested }));
      assert.deepEqual(
        [0, 4, 8].map((at) => readU32(out, at)),
        [1, 2, 3],
      );
      // The isolate is free again: a plain sync call works.
      assert.deepEqual(okBytes(iso.call(DEBUG_ECALL.debugEcho, Uint8Array.of(9))), Uint8Array.of(9));
    } finally {
      await iso.stop();
    }
  });

  test("an async ECALL that outlives its timeout, or whose worker dies, fails with EnclaveUnavailableError", async () => {
    const slow = await EnclaveIsolate.start({ ...opts, ecallTimeoutMs: 200 });
    await assert.rejects(slow.callAsync(DEBUG_ECALL.debugSleep, u32(3000)), EnclaveUnavailableError);
    assert.ok(slow.isDead);
    await slow.stop();
    const doomed = await EnclaveIsolate.start(opts);
    const call = doomed.callAsync(DEBUG_ECALL.debugSleep, u32(3000));
    await doomed.terminate();
    await assert.rejects(call, EnclaveUnavailableError);
    assert.ok(doomed.isDead);
  });

  test("lanes run calls in parallel, queue the rest FIFO, and never exceed their size", async () => {
    const lanes = new QueryLanes(opts, 2);
    try {
      const calls = [0, 1, 2].map((i) => lanes.run(DEBUG_ECALL.debugEcho, Uint8Array.of(i)));
      const echoed = await Promise.all(calls);
      assert.deepEqual(
        echoed.map((r) => okBytes(r)[0]),
        [0, 1, 2],
      );
      assert.equal(lanes.running, 2);
      const sleeps = [
        lanes.run(DEBUG_ECALL.debugSleep, u32(150)),
        lanes.run(DEBUG_ECALL.debugSleep, u32(150)),
      ];
      await new Promise((r) => setTimeout(r, 20));
      assert.equal(lanes.running, 2);
      await Promise.all(sleeps);
    } finally {
      await lanes.stop();
    }
    await assert.rejects(lanes.run(DEBUG_ECALL.debugEcho, Uint8Array.of(1)), /query lanes stopped/);
  });

  test("lanes reopen the sealed keychain after reset; EnclaveHost resets them after a keychain ECALL", async () => {
    const host = await EnclaveHost.start({
      dataDir: opts.dataDir,
      platformSecretPath: opts.platformSecretPath,
      queryLanes: 1,
    });
    const seeds = async (): Promise<number> => {
      const lanes = (host as unknown as { lanes: QueryLanes }).lanes;
      return readU32(okBytes(await lanes.run(ECALL.health, new Uint8Array(0))), 4);
    };
    try {
      assert.equal(host.queryLaneCount, 1);
      assert.equal(await seeds(), 0);
      host.initBootstrap();
      // The lane started before the bootstrap was retired: the next call runs on a lane holding the seed.
      assert.equal(await seeds(), host.health().seedCount);
      assert.ok((await seeds()) >= 1);
    } finally {
      await host.stop();
    }
  });
});
