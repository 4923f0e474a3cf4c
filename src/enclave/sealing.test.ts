// Sealing: platform secret file rules, seal/unseal round trip, and one clear refusal per kind of bad input
// (truncated, tampered, wrong version, other platform, other measurement); the sealed-state codec.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import fc from "fast-check";
import { isEnclaveError } from "./errors.js";
import { Keychain } from "./keychain.js";
import {
  decodeSealedState,
  encodeSealedState,
  openSealedKeychain,
  persistKeychain,
  loadOrCreatePlatformSecret,
  platformIdOf,
  readSealedFile,
  seal,
  SEAL_HEADER_SIZE,
  unseal,
  writeSealedFile,
  type SealedState,
} from "./sealing.js";

const PS = new Uint8Array(32).fill(0x11);
const PS_OTHER = new Uint8Array(32).fill(0x22);
const M = new Uint8Array(32).fill(0xaa);
const M_OTHER = new Uint8Array(32).fill(0xbb);

function unsealFails(sealed: Uint8Array, reason: RegExp, ps = PS, m = M): void {
  assert.throws(
    () => unseal(ps, m, sealed),
    (e) => isEnclaveError(e, "FailedUnseal") && reason.test(e.message),
  );
}

describe("platform secret file", () => {
  test("created once with mode 0600, then loaded unchanged", () => {
    const dir = mkdtempSync(join(tmpdir(), "shroud-ps-"));
    try {
      const p = join(dir, "platform.key");
      const a = loadOrCreatePlatformSecret(p);
      assert.equal(a.length, 32);
      assert.equal(statSync(p).mode & 0o777, 0o600);
      assert.deepEqual(loadOrCreatePlatformSecret(p), a);
      assert.deepEqual(new Uint8Array(readFileSync(p)), a);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
  test("threads of one process creating it at once all get the one secret (a verify lane starts beside the enclave)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "shroud-ps-"));
    const p = join(dir, "platform.key");
    // Each worker loads sealing.ts (through tsx, as the enclave's workers do), then waits at a barrier so that all
    // of them create the file at the same moment.
    const barrier = new Int32Array(new SharedArrayBuffer(8));
    const code =
      `const { workerData, parentPort } = await import("node:worker_threads");` +
      `(await import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))})).register();` +
      `const { loadOrCreatePlatformSecret } = await import(${JSON.stringify(new URL("./sealing.ts", import.meta.url).href)});` +
      `const b = workerData.barrier; Atomics.add(b, 0, 1); Atomics.notify(b, 0); Atomics.wait(b, 1, 0);` +
      `try { parentPort.postMessage(Buffer.from(loadOrCreatePlatformSecret(workerData.path)).toString("hex")); }` +
      `catch (e) { parentPort.postMessage("error: " + e.message); }`;
    const n = 4;
    const workers = Array.from(
      { length: n },
      () => new Worker(code, { eval: true, workerData: { barrier, path: p } }),
    );
    try {
      const answers = workers.map(
        (w) =>
          new Promise<string>((resolve, reject) => (w.once("message", resolve), w.once("error", reject))),
      );
      while (Atomics.load(barrier, 0) < n) await new Promise((r) => setTimeout(r, 5));
      Atomics.store(barrier, 1, 1);
      Atomics.notify(barrier, 1);
      const got = await Promise.all(answers);
      assert.deepEqual(got, Array<string>(n).fill(Buffer.from(readFileSync(p)).toString("hex")));
      assert.deepEqual(readdirSync(dir), ["platform.key"], "no temporary file left");
    } finally {
      await Promise.all(workers.map((w) => w.terminate()));
      rmSync(dir, { recursive: true });
    }
  });
  test("refuses a group/world-readable file and a file of the wrong size", () => {
    const dir = mkdtempSync(join(tmpdir(), "shroud-ps-"));
    try {
      const p = join(dir, "platform.key");
      writeFileSync(p, new Uint8Array(32), { mode: 0o644 });
      chmodSync(p, 0o644);
      assert.throws(() => loadOrCreatePlatformSecret(p), /group or others/);
      chmodSync(p, 0o600);
      writeFileSync(p, new Uint8Array(31));
      assert.throws(() => loadOrCreatePlatformSecret(p), /32 bytes/);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
  test("no temp file is left behind; a missing directory is a coded error", () => {
    const dir = mkdtempSync(join(tmpdir(), "shroud-ps-"));
    try {
      loadOrCreatePlatformSecret(join(dir, "platform.key"));
      assert.deepEqual(readdirSync(dir), ["platform.key"]);
      assert.throws(
        () => loadOrCreatePlatformSecret(join(dir, "missing", "platform.key")),
        (e) => isEnclaveError(e, "FailedSeal"),
      );
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
  test("platform ids differ per secret and are 16 bytes", () => {
    assert.equal(platformIdOf(PS).length, 16);
    assert.notDeepEqual(platformIdOf(PS), platformIdOf(PS_OTHER));
  });
});

describe("seal / unseal", () => {
  test("round trip (property, seeded)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (pt) => {
        assert.deepEqual(unseal(PS, M, seal(PS, M, pt)), pt);
      }),
      { seed: 42, numRuns: 100 },
    );
  });
  test("every single-bit flip anywhere is refused", () => {
    const sealed = seal(PS, M, new Uint8Array(40).fill(5));
    for (let i = 0; i < sealed.length; i++) {
      const t = Uint8Array.from(sealed);
      t[i]! ^= 0x01;
      assert.throws(
        () => unseal(PS, M, t),
        (e) => isEnclaveError(e, "FailedUnseal"),
      );
    }
  });
  test("tampered ciphertext: authentication failure", () => {
    const t = seal(PS, M, new Uint8Array(40));
    t[t.length - 1]! ^= 0x80;
    unsealFails(t, /failed authentication/);
  });
  test("truncated: header cut, body cut, and trailing bytes", () => {
    const sealed = seal(PS, M, new Uint8Array(40));
    unsealFails(sealed.subarray(0, 10), /truncated/);
    unsealFails(sealed.subarray(0, sealed.length - 1), /truncated/);
    unsealFails(Uint8Array.of(...sealed, 0), /trailing/);
  });
  test("not a sealed file / wrong version", () => {
    const sealed = seal(PS, M, new Uint8Array(4));
    const notSealed = Uint8Array.from(sealed);
    notSealed[0] = 0x41;
    unsealFails(notSealed, /not a sealed file/);
    const v2 = Uint8Array.from(sealed);
    v2[9] = 2;
    unsealFails(v2, /unsupported sealed format version 2/);
  });
  test("sealed on another platform (foreign file)", () => {
    unsealFails(seal(PS_OTHER, M, new Uint8Array(4)), /different platform/);
  });
  test("a different measurement cannot unseal, even with the header rewritten", () => {
    const sealed = seal(PS, M, new Uint8Array(4));
    unsealFails(sealed, /different enclave measurement/, PS, M_OTHER);
    const forged = Uint8Array.from(sealed);
    forged.set(M_OTHER, 10);
    unsealFails(forged, /failed authentication/, PS, M_OTHER);
  });
  test("sealing is deterministic and binds to the measurement", () => {
    const pt = new Uint8Array(8).fill(3);
    assert.deepEqual(seal(PS, M, pt), seal(PS, M, pt));
    assert.notDeepEqual(
      seal(PS, M, pt).subarray(SEAL_HEADER_SIZE),
      seal(PS, M_OTHER, pt).subarray(SEAL_HEADER_SIZE),
    );
  });
  test("sealed file write/read (atomic, 0600) and a missing file", () => {
    const dir = mkdtempSync(join(tmpdir(), "shroud-seal-"));
    try {
      const p = join(dir, "enclave.sealed");
      assert.equal(readSealedFile(p), undefined);
      const sealed = seal(PS, M, new Uint8Array(8));
      writeSealedFile(p, sealed);
      assert.equal(statSync(p).mode & 0o777, 0o600);
      assert.deepEqual(readSealedFile(p), sealed);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});

describe("sealed state codec", () => {
  const full: SealedState = {
    seeds: [new Uint8Array(32).fill(1), new Uint8Array(32).fill(2)],
    registrationSecretKey: new Uint8Array(32).fill(3),
    rotationSeed: new Uint8Array(32).fill(4),
    attestationSecretKey: new Uint8Array(32).fill(5),
    platformCertificate: new Uint8Array(145).fill(6),
  };
  test("round trip, full and empty", () => {
    assert.deepEqual(decodeSealedState(encodeSealedState(full)), full);
    assert.deepEqual(decodeSealedState(encodeSealedState({ seeds: [] })), { seeds: [] });
  });
  test("refuses wrong version, truncation, unknown or repeated tags, trailing garbage", () => {
    const enc = encodeSealedState(full);
    const bad = (b: Uint8Array, re: RegExp) => {
      assert.throws(
        () => decodeSealedState(b),
        (e) => isEnclaveError(e, "FailedUnseal") && re.test(e.message),
      );
    };
    bad(Uint8Array.of(2, 0), /unsupported version/);
    bad(enc.subarray(0, 40), /truncated/);
    bad(enc.subarray(0, enc.length - 1), /truncated/);
    bad(Uint8Array.of(1, 0, 9, 0, 0), /unexpected field tag 9/);
    bad(Uint8Array.of(1, 0, 2, 0, 32, ...new Uint8Array(32), 1, 0, 32, ...new Uint8Array(32)), /tag 1/);
    bad(Uint8Array.of(1, 5), /too many seeds/);
    bad(Uint8Array.of(1, 0, 1, 0, 31, ...new Uint8Array(31)), /length/);
  });
  test("sealed state inside a seal round-trips", () => {
    const sealed = seal(PS, M, encodeSealedState(full));
    assert.deepEqual(decodeSealedState(unseal(PS, M, sealed)), full);
  });
});

describe("keychain persistence", () => {
  test("persist → open gives the same seeds, registration key, rotation seed and certificate", () => {
    const dir = mkdtempSync(join(tmpdir(), "shroud-kc-"));
    try {
      const p = join(dir, "enclave.sealed");
      const fresh = openSealedKeychain(PS, M, p);
      assert.equal(fresh.keychain.seedCount, 0);
      assert.equal(fresh.keychain.hasRegistrationKey, false);
      const kc = Keychain.bootstrap();
      kc.setRotationSeed(new Uint8Array(32).fill(8));
      const cert = new Uint8Array(145).fill(1);
      persistKeychain(PS, M, p, kc, cert);
      const back = openSealedKeychain(PS, M, p);
      assert.deepEqual(back.keychain.exportSeeds(), kc.exportSeeds());
      assert.deepEqual(back.keychain.registrationSecretKey(), kc.registrationSecretKey());
      assert.deepEqual(back.keychain.rotationSeed(), kc.rotationSeed());
      assert.deepEqual(back.keychain.ioExchangePublicKey(), kc.ioExchangePublicKey());
      assert.deepEqual(back.platformCertificate, cert);
      assert.throws(() => openSealedKeychain(PS, M_OTHER, p), /different enclave measurement/);
      assert.throws(() => openSealedKeychain(PS_OTHER, M, p), /different platform/);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});
