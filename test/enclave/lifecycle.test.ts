// Isolate lifecycle: a start that cannot open its sealed state is refused with a code; an enclave that stops
// answering is declared dead (never a silent hang) and can still be stopped; state survives a restart.
import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ENCLAVE_ERROR_CODES,
  EnclaveHost,
  EnclaveStartError,
  EnclaveUnavailableError,
} from "../../src/enclave/api.js";
import { startTestEnclave, u32 } from "./helpers.js";

async function startIn(dir: string): Promise<EnclaveHost> {
  return EnclaveHost.start({ dataDir: join(dir, "data"), platformSecretPath: join(dir, "platform-secret") });
}

test("a corrupted sealed state or a world-readable platform secret refuses to start, with a code", async () => {
  const dir = mkdtempSync(join(tmpdir(), "shroud-lifecycle-"));
  try {
    const first = await startIn(dir);
    first.initBootstrap();
    await first.stop();

    writeFileSync(join(dir, "data", "enclave-state.sealed"), new Uint8Array(100).fill(7));
    await assert.rejects(startIn(dir), (e: unknown) => {
      assert.ok(e instanceof EnclaveStartError);
      assert.equal(e.code, ENCLAVE_ERROR_CODES.FailedUnseal.num);
      return true;
    });

    rmSync(join(dir, "data", "enclave-state.sealed"));
    chmodSync(join(dir, "platform-secret"), 0o644);
    await assert.rejects(startIn(dir), (e: unknown) => e instanceof EnclaveStartError);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("sealed keys survive a restart; a different platform secret cannot open them", async () => {
  const dir = mkdtempSync(join(tmpdir(), "shroud-lifecycle-"));
  try {
    const first = await startIn(dir);
    const keys = first.initBootstrap();
    await first.stop();
    const second = await startIn(dir);
    assert.deepEqual(second.getNetworkPubkeys(1), keys);
    await second.stop();
    rmSync(join(dir, "platform-secret"));
    await assert.rejects(startIn(dir), (e: unknown) => e instanceof EnclaveStartError);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("an enclave that does not answer in time is declared dead, refuses further calls, and still stops", async () => {
  const t = await startTestEnclave({ ecallTimeoutMs: 200 });
  try {
    assert.throws(() => t.host.ecall("debugSleep", u32(3000)), EnclaveUnavailableError);
    assert.throws(() => t.host.ecall("debugEcho", new Uint8Array(1)), EnclaveUnavailableError);
  } finally {
    await t.close();
  }
});
