// The wall holds for contract calls too: record every frame while a secretjs-encrypted instantiate, execute and
// query run (counter.wasm, contracts/build) with unique plaintext markers; prove no marker, no plaintext message,
// no plaintext answer and no IO/state key crosses, raw, hex or base64. Envelope per src/enclave/contract/README.md.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { hkdfSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { bech32 } from "@scure/base";
import { EncryptionUtilsImpl } from "secretjs";
import { type ChannelTap, type OcallHandler } from "../../src/enclave/api.js";
// eslint-disable-next-line no-restricted-imports -- test-only: unseal to learn the keys to look for
import { decodeSealedState, unseal } from "../../src/enclave/sealing.js";
import { handRequest, memoryOcalls, startTestEnclave, type TestEnclave } from "./helpers.js";
import { accountOf, msgExecute, msgInstantiate, signTx, type SigInfoJson } from "./signedTx.js";

const wasm = new Uint8Array(readFileSync(new URL("../../contracts/build/counter.wasm", import.meta.url)));
// spec secret-protocol §1 KDF_SALT; §2.2 derive(seed, n)
const KDF_SALT = Buffer.from("000000000000000000024bead8df69990852c202db0e0097c1a12ea637d7e96d", "hex");
const derive = (seed: Uint8Array, n: number): Uint8Array =>
  new Uint8Array(hkdfSync("sha256", Buffer.concat([seed, Buffer.from([0, 0, 0, n])]), KDF_SALT, "seed", 32));
const bech = (canonical: Uint8Array): string => bech32.encode("secret", bech32.toWords(canonical));
const USER_SK = new Uint8Array(32).fill(0x42);
const SENDER = accountOf(USER_SK);
const CONTRACT = new Uint8Array(20).fill(2);

const frames: Buffer[] = [];
const tap: ChannelTap = (_d, kind, body) => {
  frames.push(Buffer.concat([Buffer.of(kind), body]));
};
const MARKERS = ["WALLMARK-init-7f3a9c", "WALLMARK-exec-51d2e8", "WALLMARK-query-c4b7a1"];
const COUNT = 918_273_645;

let t: TestEnclave;
before(async () => {
  t = await startTestEnclave({ debugEcalls: false, channelTap: tap });
});
after(async () => {
  await t.close();
});

function envelope(
  codeHash: string,
  msg: Uint8Array,
  contractKey?: string,
  sigInfo?: SigInfoJson,
): Uint8Array {
  const b64 = (v: string): Buffer => Buffer.from(v, "base64");
  return handRequest({
    codeHash: Buffer.from(codeHash, "hex"),
    chainId: "shroud-1",
    sender: bech(SENDER),
    contract: bech(CONTRACT),
    msg,
    ...(contractKey === undefined ? {} : { contractKey: b64(contractKey) }),
    ...(sigInfo === undefined
      ? {}
      : {
          sigInfo: {
            signMode: sigInfo.sign_mode,
            signBytes: b64(sigInfo.sign_bytes),
            signature: b64(sigInfo.signature),
            txBytes: b64(sigInfo.tx_bytes),
          },
        }),
  });
}

function forms(s: Uint8Array): Buffer[] {
  const raw = Buffer.from(s);
  return [raw, Buffer.from(raw.toString("hex")), Buffer.from(raw.toString("base64"))];
}

test("no plaintext contract input, output or key crosses during instantiate/execute/query", async () => {
  const io = t.host.initBootstrap().ioExchangePublicKey;
  const sjs = new EncryptionUtilsImpl("http://unused.invalid", new Uint8Array(32).fill(9));
  (sjs as unknown as { consensusIoPubKey: Uint8Array }).consensusIoPubKey = io;
  const { handler }: { handler: OcallHandler } = memoryOcalls();
  const opts = { ocalls: handler, gasLimit: 100_000_000n };

  const load = t.host.ecall("loadCode", wasm);
  assert.ok("ok" in load, "error" in load ? load.error.message : "");
  const codeHash = (JSON.parse(Buffer.from(load.ok).toString()) as { code_hash: string }).code_hash;

  const plainMsgs = [
    { count: COUNT, memo: MARKERS[0] },
    // extra fields inside a variant are ignored by serde, so the markers ride along without breaking the call
    { reset: { count: COUNT + 1, memo: MARKERS[1] } },
    { get_count: { memo: MARKERS[2] } },
  ];
  // user calls carry the signed tx they came in (sig_info), as the chain passes it (spec §4.2)
  const initMsg = await sjs.encrypt(codeHash, plainMsgs[0]!);
  const initSig = signTx(USER_SK, msgInstantiate(SENDER, initMsg));
  const init = t.host.ecall("instantiate", envelope(codeHash, initMsg, undefined, initSig), opts);
  assert.ok("ok" in init, "error" in init ? init.error.message : "");
  const key = (JSON.parse(Buffer.from(init.ok).toString()) as { contract_key: string }).contract_key;
  const execMsg = await sjs.encrypt(codeHash, plainMsgs[1]!);
  const execSig = signTx(USER_SK, msgExecute(SENDER, CONTRACT, execMsg));
  const exec = t.host.ecall("execute", envelope(codeHash, execMsg, key, execSig), opts);
  assert.ok("ok" in exec, "error" in exec ? exec.error.message : "");
  const qMsg = await sjs.encrypt(codeHash, plainMsgs[2]!);
  const q = t.host.ecall("query", envelope(codeHash, qMsg, key), opts);
  assert.ok("ok" in q, "error" in q ? q.error.message : "");
  const answerB64 = (JSON.parse(Buffer.from(q.ok).toString()) as { ok?: string }).ok;
  assert.ok(answerB64 !== undefined, Buffer.from(q.ok).toString());
  for (const r of [init, exec])
    assert.ok(!("err" in JSON.parse(Buffer.from(r.ok).toString())), "contract error");
  const answer = Buffer.from(
    Buffer.from(await sjs.decrypt(Buffer.from(answerB64, "base64"), qMsg.slice(0, 32))).toString(),
    "base64",
  );
  assert.deepEqual(JSON.parse(answer.toString()), { count: COUNT + 1 }, "the flow really ran");

  const wire = Buffer.concat(frames);
  // the recorder sees what crosses: the encrypted query travels raw in the request
  assert.ok(wire.includes(Buffer.from(qMsg)), "the encrypted query was not recorded");
  const secret = new Uint8Array(readFileSync(join(t.dir, "platform-secret")));
  const sealed = new Uint8Array(readFileSync(join(t.dir, "data", "enclave-state.sealed")));
  const seeds = decodeSealedState(unseal(secret, t.host.getMeasurement(), sealed)).seeds;
  const lookFor = new Map<string, Uint8Array>([
    ...MARKERS.map((m) => [m, Buffer.from(m)] as const),
    ...plainMsgs.map((m, i) => [`plaintext msg ${i}`, Buffer.from(codeHash + JSON.stringify(m))] as const),
    ["plaintext query answer", answer],
    ["count as text", Buffer.from(String(COUNT + 1))],
    ...seeds.map((s, i) => [`seed ${i}`, s] as const),
    ...seeds.flatMap((s, i) =>
      [1, 2, 3, 4, 5, 6, 7, 8].map((n) => [`derive(seed ${i}, ${n})`, derive(s, n)] as const),
    ),
  ]);
  const leaked = [...lookFor].filter(([, v]) => forms(v).some((f) => wire.includes(f))).map(([k]) => k);
  assert.deepEqual(leaked, []);
});
