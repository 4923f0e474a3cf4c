// The verify lane through the real wall: an EnclaveHost with `verifyLane` checks signatures in its own worker
// and the main isolate accepts its tokens; execute ECALLs with a token, without one and with a forged one give
// byte-identical results, gas and stored bytes. counter.wasm (contracts/build; provenance in
// contracts/testdata/README.md).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EncryptionUtilsImpl } from "secretjs";
import { EnclaveHost, withVerdictToken, type EcallResult, type OcallHandler } from "./api.js";
import { fromBase64, fromHex, toHex, utf8 } from "../util/bytes.js";
import { encodeContractRequest } from "./contract/wire.js";
import { accountOf, msgExecute, msgInstantiate, signTx } from "./contract/testing/signedTx.js";
import type { SigInfo } from "./contract/txSignature.js";
import { humanize } from "./vm/addressApi.js";
import { mapOcalls } from "./testing/mapOcalls.js";

const wasm = new Uint8Array(readFileSync(new URL("../../contracts/build/counter.wasm", import.meta.url)));
const SK = new Uint8Array(32).fill(0x61);
const OTHER_SK = new Uint8Array(32).fill(0x62);
const user = accountOf(SK);
const other = accountOf(OTHER_SK);
const CONTRACT = new Uint8Array(20).fill(2);
const env = {
  block: { height: 5n, timeNanos: 1_700_000_000_000_000_000n, chainId: "shroud-1" },
  message: { sender: humanize(user.canonical), funds: [] },
  contract: { address: humanize(CONTRACT) },
};

const ocallsOver = (store: Map<string, Uint8Array>): OcallHandler => mapOcalls(() => store);

let host: EnclaveHost;
let dir: string;
let sjs: EncryptionUtilsImpl;
let codeHashHex: string;
let contractKey: { ogContractKey: Uint8Array };
const store = new Map<string, Uint8Array>();
const GAS = 100_000_000n;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "shroud-verify-lane-"));
  host = await EnclaveHost.start({
    dataDir: join(dir, "data"),
    platformSecretPath: join(dir, "ps"),
    ecallTimeoutMs: 60_000,
    verifyLane: true,
  });
  const keys = host.initBootstrap();
  sjs = new EncryptionUtilsImpl("http://unused.invalid", new Uint8Array(32).fill(5));
  (sjs as unknown as { consensusIoPubKey: Uint8Array }).consensusIoPubKey = keys.ioExchangePublicKey;
  const load = host.ecall("loadCode", wasm);
  assert.ok("ok" in load);
  codeHashHex = (JSON.parse(utf8.decode(load.ok)) as { code_hash: string }).code_hash;
  const initMsg = await sjs.encrypt(codeHashHex, { count: 7 });
  const sigInfo = signTx(SK, [msgInstantiate(user.canonical, 1n, "counter", initMsg, [])]);
  const init = host.ecall("instantiate", request(initMsg, sigInfo), {
    ocalls: ocallsOver(store),
    gasLimit: GAS,
  });
  assert.ok("ok" in init, "error" in init ? init.error.message : "");
  contractKey = {
    ogContractKey: fromBase64((JSON.parse(utf8.decode(init.ok)) as { contract_key: string }).contract_key),
  };
});
after(async () => {
  await host.stop();
  rmSync(dir, { recursive: true, force: true });
});

function request(msg: Uint8Array, sigInfo: SigInfo, withKey = false): Uint8Array {
  const base = { codeHash: fromHex(codeHashHex), wasm: new Uint8Array(), env, msgCounter: 1n, queryDepth: 0 };
  return encodeContractRequest({ ...base, msg, sigInfo, ...(withKey ? { contractKey } : {}) });
}

/** Asks the lane for tokens and waits until it answered. */
async function tokensFor(checks: { key: string; sk: Uint8Array; sig: SigInfo }[]) {
  const lane = host.verdictLane!;
  lane.clear();
  lane.submit(
    checks.map((c) => ({
      key: c.key,
      signMode: c.sig.signMode,
      signer: accountOf(c.sk).canonical,
      signBytes: c.sig.signBytes,
      signature: c.sig.signature,
    })),
  );
  await lane.drain(20_000);
  assert.equal(lane.pending, 0);
  return (key: string) => lane.token(key);
}

/** One execute on a copy of the store: its result and the store after it. */
function executeOn(payload: Uint8Array): { res: EcallResult; after: [string, string][] } {
  const copy = new Map(store);
  const res = host.ecall("execute", payload, { ocalls: ocallsOver(copy), gasLimit: GAS });
  return { res, after: [...copy].map(([k, v]) => [k, toHex(v)] as [string, string]).sort() };
}

describe("verify lane", () => {
  test("issues tokens for good signatures only; the main isolate accepts them with identical results", async () => {
    const msg = await sjs.encrypt(codeHashHex, { increment: {} });
    const good = signTx(SK, [msgExecute(user.canonical, CONTRACT, msg, [])]);
    const bad: SigInfo = { ...good, signature: good.signature.map((b, i) => (i === 9 ? b ^ 4 : b)) };
    const token = await tokensFor([
      { key: "good", sk: SK, sig: good },
      { key: "bad", sk: SK, sig: bad },
      { key: "wrong-signer", sk: OTHER_SK, sig: good },
    ]);
    const t = token("good");
    assert.ok(t !== undefined && t.length === 32);
    assert.equal(token("bad"), undefined);
    assert.equal(token("wrong-signer"), undefined);
    assert.equal(host.verdictLane!.stats.issued >= 1, true);

    const plain = executeOn(request(msg, good, true));
    assert.ok("ok" in plain.res, "error" in plain.res ? plain.res.error.message : "");
    const withTok = executeOn(withVerdictToken(request(msg, good, true), t));
    const forged = executeOn(withVerdictToken(request(msg, good, true), new Uint8Array(32).fill(7)));
    assert.deepEqual(withTok, plain);
    assert.deepEqual(forged, plain);

    // A bad signature with the good tx's token (bound to other signature bytes): refused as without a token.
    const badPlain = executeOn(request(msg, bad, true));
    const badTok = executeOn(withVerdictToken(request(msg, bad, true), t));
    assert.ok("error" in badPlain.res);
    assert.equal(badPlain.res.error.message, "failed to verify transaction signature");
    assert.deepEqual(badTok, badPlain);
  });

  test("another signer's token does not carry over; a token on a query is ignored", async () => {
    const msg = await sjs.encrypt(codeHashHex, { increment: {} });
    const mine = signTx(SK, [msgExecute(user.canonical, CONTRACT, msg, [])]);
    const theirs = signTx(OTHER_SK, [msgExecute(other.canonical, CONTRACT, msg, [])]);
    const token = await tokensFor([{ key: "theirs", sk: OTHER_SK, sig: theirs }]);
    const t = token("theirs")!;
    const forgedMine: SigInfo = { ...mine, signature: theirs.signature };
    const r = executeOn(withVerdictToken(request(msg, forgedMine, true), t));
    assert.ok("error" in r.res);
    assert.equal(r.res.error.message, "failed to verify transaction signature");

    const q = await sjs.encrypt(codeHashHex, { get_count: {} });
    const base = {
      codeHash: fromHex(codeHashHex),
      wasm: new Uint8Array(),
      env,
      msgCounter: 0n,
      queryDepth: 0,
    };
    const query = encodeContractRequest({ ...base, msg: q, contractKey });
    const a = host.ecall("query", query, { ocalls: ocallsOver(new Map(store)), gasLimit: GAS });
    const b = host.ecall("query", withVerdictToken(query, t), {
      ocalls: ocallsOver(new Map(store)),
      gasLimit: GAS,
    });
    assert.ok("ok" in a);
    assert.deepEqual(b, a);
  });

  test("a malformed verifySignatures payload is a coded InvalidInput, and the lane keeps serving", async () => {
    const r = host.ecall("verifySignatures", Uint8Array.of(0, 0, 0, 1, 9));
    assert.ok("error" in r && /invalid input/.test(r.error.message));
    const msg = await sjs.encrypt(codeHashHex, { increment: {} });
    const good = signTx(SK, [msgExecute(user.canonical, CONTRACT, msg, [])]);
    const token = await tokensFor([{ key: "again", sk: SK, sig: good }]);
    assert.ok(token("again") !== undefined);
  });

  test("bounded: checks beyond the queue limit are dropped; clear() forgets queued checks and tokens", () => {
    const lane = host.verdictLane!;
    lane.clear();
    const dropped0 = lane.stats.dropped;
    const one = signTx(SK, [msgExecute(user.canonical, CONTRACT, new Uint8Array(16), [])]);
    const check = {
      signMode: one.signMode,
      signer: user.canonical,
      signBytes: one.signBytes,
      signature: one.signature,
    };
    lane.submit(Array.from({ length: 8192 + 10 }, (_, i) => ({ ...check, key: `k${i}` })));
    assert.equal(lane.stats.dropped - dropped0, 10, "8,192 queued, 10 dropped");
    lane.clear();
    assert.ok(lane.pending <= 2, "only the chunk in flight is left");
  });

  test("a lane whose worker dies is replaced in the background; meanwhile calls go without tokens", async () => {
    const lane = host.verdictLane!;
    await lane.drain();
    const inner = (lane as unknown as { lane: { terminate(): Promise<void> } }).lane;
    await inner.terminate();
    await new Promise((r) => setTimeout(r, 20)); // the exit event
    const msg = await sjs.encrypt(codeHashHex, { increment: {} });
    const good = signTx(SK, [msgExecute(user.canonical, CONTRACT, msg, [])]);
    const check = {
      key: "after-death",
      signMode: good.signMode,
      signer: user.canonical,
      signBytes: good.signBytes,
      signature: good.signature,
    };
    lane.submit([check]);
    assert.equal(lane.token("after-death"), undefined);
    // A fresh lane starts in the background; then checks are answered again.
    const deadline = Date.now() + 20_000;
    let token: Uint8Array | undefined;
    while (token === undefined && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      if (lane.pending === 0 && lane.token("after-death") === undefined) lane.submit([check]);
      token = lane.token("after-death");
    }
    assert.ok(token !== undefined, "the replacement lane answers");
    const r = executeOn(withVerdictToken(request(msg, good, true), token));
    assert.ok("ok" in r.res);
  });
});
