// The enclave against a hostile host: the host side is untrusted, so here a test plays it with raw frames.
// Garbage OCALL answers, wrong frame kinds mid-call and stray frames while idle must give coded errors (or a
// clean fatal), never a crash, a hang or a desynchronised channel. Beside the code: it drives the raw mailbox.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MessageChannel, Worker } from "node:worker_threads";
import { DEBUG_ECALL } from "../api.js";
import { ENCLAVE_ERROR_CODES } from "../errors.js";
import { resolveWorkerEntry } from "../host.js";
import { encodeWorkerConfig } from "./config.js";
import { ByteWriter } from "./codec.js";
import { decodeFatal, decodeResult, encodeEcallRequest, encodeResult, FRAME, OCALL } from "./frames.js";
import { createMailboxBuffer, Mailbox, SIDE_HOST } from "./mailbox.js";

let dir: string;
let worker: Worker;
let mailbox: Mailbox;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "shroud-hostile-"));
  const shared = createMailboxBuffer(4096);
  const { port1, port2 } = new MessageChannel();
  const config = encodeWorkerConfig({
    dataDir: join(dir, "d"),
    platformSecretPath: join(dir, "ps"),
    debug: true,
  });
  const entry = resolveWorkerEntry();
  worker = new Worker(entry.entry, {
    eval: entry.eval,
    workerData: { mailbox: shared, port: port2, config },
    transferList: [port2],
  });
  await new Promise((resolve) => worker.once("message", resolve));
  mailbox = new Mailbox(shared, port1, SIDE_HOST);
});
after(async () => {
  await worker.terminate();
  rmSync(dir, { recursive: true, force: true });
});

/** An ECALL whose handler makes one readDb OCALL; the test answers that OCALL with `answer`. */
function ecallWithOcallAnswer(kind: number, answer: Uint8Array): ReturnType<typeof decodeResult> {
  const script = new ByteWriter()
    .u32(1)
    .u8(OCALL.readDb)
    .bytes(Uint8Array.of(1, 2, 3))
    .finish();
  mailbox.send(
    FRAME.ecallRequest,
    encodeEcallRequest({ id: DEBUG_ECALL.debugOcalls, gasLimit: 0n, payload: script }),
  );
  const req = mailbox.receive(20_000);
  assert.equal(req.kind, FRAME.ocallRequest);
  mailbox.send(kind, answer);
  const res = mailbox.receive(20_000);
  assert.equal(res.kind, FRAME.ecallResponse);
  return decodeResult(res.body);
}

test("1,000 garbage OCALL answers each end the ECALL with a coded error; the channel stays in step", () => {
  let s = 7;
  const next = (): number => (s = (Math.imul(s, 1103515245) + 12345) >>> 0);
  const allowed = new Set<number>([
    ENCLAVE_ERROR_CODES.HostMisbehavior.num,
    ENCLAVE_ERROR_CODES.InvalidInput.num,
  ]);
  let ok = 0;
  for (let i = 0; i < 1000; i++) {
    const garbage = Uint8Array.from({ length: next() % 24 }, () => next() & 0xff);
    const res = ecallWithOcallAnswer(FRAME.ocallResponse, garbage);
    if ("ok" in res) ok++;
    else assert.ok(allowed.has(res.error.code), `iteration ${i}: code ${res.error.code}`);
  }
  // a well-formed answer still works afterwards
  const good = ecallWithOcallAnswer(
    FRAME.ocallResponse,
    encodeResult({ ok: Uint8Array.of(1, 9), gasUsed: 3n }),
  );
  assert.deepEqual(good, { ok: Uint8Array.of(1, 0, 0, 0, 1, 9), gasUsed: 3n });
  assert.ok(ok < 1000);
});

test("a wrong frame kind in answer to an OCALL fails that ECALL, not the enclave", () => {
  for (const kind of [FRAME.ecallResponse, FRAME.shutdown, FRAME.fatal, 99]) {
    const res = ecallWithOcallAnswer(kind, new Uint8Array(3));
    assert.ok("error" in res);
    assert.equal(res.error.code, ENCLAVE_ERROR_CODES.HostMisbehavior.num);
  }
});

test("a stray frame while idle gets a clean fatal frame and the worker exits", async () => {
  const exited = new Promise<number>((resolve) => worker.once("exit", resolve));
  mailbox.send(FRAME.ocallResponse, new Uint8Array(5));
  const fatal = mailbox.receive(20_000);
  assert.equal(fatal.kind, FRAME.fatal);
  assert.equal(decodeFatal(fatal.body).code, ENCLAVE_ERROR_CODES.HostMisbehavior.num);
  assert.equal(await exited, 0);
});
