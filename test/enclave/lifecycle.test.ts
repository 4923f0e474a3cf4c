// Isolate lifecycle: a start that cannot open its sealed state is refused with a code; an enclave that stops
// answering is declared dead (never a silent hang) and can still be stopped; state survives a restart.
import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
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

test("sealed keys survive a restart; a loose secret mode, a foreign secret or a corrupt seal refuse to start", async () => {
  const dir = mkdtempSync(join(tmpdir(), "shroud-lifecycle-"));
  const refused = async (code?: number): Promise<void> => {
    await assert.rejects(startIn(dir), (e: unknown) => {
      assert.ok(e instanceof EnclaveStartError);
      if (code !== undefined) assert.equal(e.code, code);
      return true;
    });
  };
  try {
    const first = await startIn(dir);
    const keys = first.initBootstrap();
    await first.stop();
    const second = await startIn(dir);
    assert.deepEqual(second.getNetworkPubkeys(1), keys);
    await second.stop();

    const secretPath = join(dir, "platform-secret");
    chmodSync(secretPath, 0o644);
    await refused(ENCLAVE_ERROR_CODES.FailedUnseal.num);
    chmodSync(secretPath, 0o600);

    renameSync(secretPath, `${secretPath}.saved`);
    await refused(ENCLAVE_ERROR_CODES.FailedUnseal.num); // a fresh platform secret cannot open the old seal
    renameSync(`${secretPath}.saved`, secretPath);

    writeFileSync(join(dir, "data", "enclave-state.sealed"), new Uint8Array(100).fill(7));
    await refused(ENCLAVE_ERROR_CODES.FailedUnseal.num);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("an enclave that does not answer in time is declared dead, refuses further calls, and still stops", async () => {
  const t = await startTestEnclave({ ecallTimeoutMs: 200 });
  try {
    assert.throws(() => t.host.ecall("debugSleep", u32(1500)), EnclaveUnavailableError);
    assert.throws(() => t.host.ecall("debugEcho", new Uint8Array(1)), EnclaveUnavailableError);
  } finally {
    await t.close();
  }
});
