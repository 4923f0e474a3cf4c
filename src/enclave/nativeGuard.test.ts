// The native-call guard under stress: enclave isolates busy in libsecp256k1's native addon are terminated (the
// host's guarded terminate, as stop() and a dead lane use it) and the process exits under them (process.exit, an
// uncaught exception, the event loop running dry), many times, in child processes whose exit codes are checked.
// Without the guard any of these aborts the process (rc 134: node-addon-api throws out of a callback on a
// stopping thread). The same file is the child: SHROUD_NATIVE_GUARD_CHILD=<mode> runs one scenario instead of
// the tests.
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DEBUG_ECALL } from "./api.js";
import { EnclaveIsolate, type IsolateOptions } from "./host.js";
import { nativeAddonImage } from "./crypto/nativeSecp256k1.js";
import {
  closeNativeGuard,
  createNativeGuard,
  enterNative,
  GUARD_BUSY,
  GUARD_CLOSED,
  leaveNative,
} from "./crypto/nativeGuard.js";

const CHILD = process.env.SHROUD_NATIVE_GUARD_CHILD;

/** debugSecp256k1 payload: `n` verifies on `backend` (0 production path, 3 raw addon calls back to back). */
function verifies(n: number, backend = 0): Uint8Array {
  const p = new Uint8Array(5);
  p[0] = backend;
  new DataView(p.buffer).setUint32(1, n);
  return p;
}

/** Starts `k` debug isolates, checks they verify natively, and sets each busy with a long verify loop. */
async function busyIsolates(opts: IsolateOptions, k: number): Promise<EnclaveIsolate[]> {
  // The first start creates the platform secret; the others open it.
  const first = await EnclaveIsolate.start(opts);
  const rest = await Promise.all(Array.from({ length: k - 1 }, () => EnclaveIsolate.start(opts)));
  const isolates = [first, ...rest];
  for (const iso of isolates) {
    const r = iso.call(DEBUG_ECALL.debugSecp256k1, verifies(1));
    if (!("ok" in r) || r.ok[0] !== 1) throw new Error("the isolate does not verify natively");
    // Back-to-back addon calls (as much time inside native code as possible, under the guard).
    iso.begin(DEBUG_ECALL.debugSecp256k1, verifies(5000, 3));
  }
  // Let every loop get going (a few hundred native calls each).
  await new Promise((r) => setTimeout(r, 60));
  return isolates;
}

async function child(mode: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "shroud-native-guard-"));
  const opts = { dataDir: join(dir, "data"), platformSecretPath: join(dir, "ps"), debug: true };
  process.on("exit", () => {
    rmSync(dir, { recursive: true, force: true });
  });
  if (mode === "terminate") {
    // Terminate busy isolates, round after round (the stop-timeout / stuck-lane path of host.ts).
    for (let round = 0; round < 3; round++) {
      const isolates = await busyIsolates(opts, 3);
      await Promise.all(isolates.map((i) => i.terminate()));
    }
    console.log("survived");
    return;
  }
  const isolates = await busyIsolates(opts, 4);
  // Runs before host.ts's own exit listener (prepended later, so first): each worker must still be running here,
  // i.e. Node tears the workers down only after the "exit" listeners. Proof per worker: caught busy (inside a
  // native section), its guard closed, it leaves the section (only a running thread clears busy); then the guard
  // is reopened, so the worker goes on calling the addon and host.ts's listener must still do its job.
  process.prependListener("exit", () => {
    let running = 0;
    for (const iso of isolates) {
      const g = (iso as unknown as { guard: Int32Array }).guard;
      const end = performance.now() + 2000;
      while (Atomics.load(g, GUARD_BUSY) === 0 && performance.now() < end);
      if (Atomics.load(g, GUARD_BUSY) === 1 && closeNativeGuard(g, 2000)) running++;
      Atomics.store(g, GUARD_CLOSED, 0);
    }
    console.log(`workers running at exit: ${running}/${isolates.length}`);
  });
  console.log("survived");
  if (mode === "exit") process.exit(0);
  if (mode === "throw") throw new Error("uncaught on purpose");
  // "drain": nothing keeps the loop alive (busy isolates are unref'd): Node ends and tears the workers down.
}

/** Runs one child scenario; resolves with its exit code, signal and output. */
function runChild(mode: string): Promise<{ code: number | null; signal: string | null; out: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url)], {
      env: { ...process.env, SHROUD_NATIVE_GUARD_CHILD: mode },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    p.stdout.on("data", (d: Buffer) => (out += d.toString()));
    p.stderr.on("data", (d: Buffer) => (out += d.toString()));
    p.on("exit", (code, signal) => {
      resolve({ code, signal, out });
    });
  });
}

if (CHILD !== undefined) {
  await child(CHILD);
} else {
  describe("native-call guard", { concurrency: 2 }, () => {
    test("the handshake: a closed guard refuses entry; closing waits for a call in progress", () => {
      const g = new Int32Array(createNativeGuard());
      assert.equal(enterNative(g), true);
      assert.equal(g[GUARD_BUSY], 1);
      // Busy: closing times out (bounded) and reports that the isolate is still inside.
      assert.equal(closeNativeGuard(g, 20), false);
      leaveNative(g);
      assert.equal(closeNativeGuard(g, 20), true);
      assert.equal(enterNative(g), false);
      assert.equal(g[GUARD_BUSY], 0);
    });

    const native = nativeAddonImage() !== null;
    const dirs: string[] = [];
    after(() => {
      dirs.forEach((d) => {
        rmSync(d, { recursive: true, force: true });
      });
    });
    // Busy isolates terminated, and the process leaving three ways: each child must end cleanly.
    const expected: Record<string, number> = { terminate: 0, exit: 0, throw: 1, drain: 0 };
    for (const [mode, code] of Object.entries(expected)) {
      test(`busy native isolates survive: ${mode}`, { skip: !native && "no native addon here" }, async () => {
        const r = await runChild(mode);
        assert.equal(r.signal, null, r.out);
        assert.equal(r.code, code, r.out);
        assert.match(r.out, /survived/);
        if (mode !== "terminate") assert.match(r.out, /workers running at exit: 4\/4/);
      });
    }
  });
}
