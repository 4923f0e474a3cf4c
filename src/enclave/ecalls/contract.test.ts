// The contract ECALLs through the real wall: a worker-thread enclave bootstrapped with fresh seeds, OCALLs
// answered from a Map, secretjs encrypting with the enclave's IO key. counter.wasm (contracts/build).
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EncryptionUtilsImpl } from "secretjs";
import { EnclaveHost, type OcallHandler } from "../api.js";
import { fromBase64, fromHex, utf8 } from "../../util/bytes.js";
import { encodeContractRequest } from "../contract/wire.js";
import { accountOf, msgExecute, msgInstantiate, signTx } from "../contract/testing/signedTx.js";
import { humanize } from "../vm/addressApi.js";
import { mapOcalls } from "../testing/mapOcalls.js";

const wasm = new Uint8Array(readFileSync(new URL("../../../contracts/build/counter.wasm", import.meta.url)));
let host: EnclaveHost;
let dir: string;
let sjs: EncryptionUtilsImpl;

const store = new Map<string, Uint8Array>();
const ocalls: OcallHandler = mapOcalls(() => store);

const SK = new Uint8Array(32).fill(0x31);
const user = accountOf(SK);
const CONTRACT = new Uint8Array(20).fill(2);
const env = {
  block: { height: 5n, timeNanos: 1_700_000_000_000_000_000n, chainId: "shroud-1" },
  message: { sender: humanize(user.canonical), funds: [] },
  contract: { address: humanize(CONTRACT) },
};

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "shroud-contract-ecall-"));
  host = await EnclaveHost.start({
    dataDir: join(dir, "data"),
    platformSecretPath: join(dir, "ps"),
    ecallTimeoutMs: 60_000,
  });
  const keys = host.initBootstrap();
  sjs = new EncryptionUtilsImpl("http://unused.invalid", new Uint8Array(32).fill(5));
  (sjs as unknown as { consensusIoPubKey: Uint8Array }).consensusIoPubKey = keys.ioExchangePublicKey;
});
after(async () => {
  await host.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("contract ECALLs over the wall", () => {
  test("loadCode → signed instantiate/execute → query, gas reported; unsigned, bad code hash, out of gas are coded errors", async () => {
    const load = host.ecall("loadCode", wasm);
    assert.ok("ok" in load);
    const info = JSON.parse(utf8.decode(load.ok)) as { code_hash: string; interface: string };
    assert.equal(info.interface, "v1");
    const codeHash = fromHex(info.code_hash);
    const base = { codeHash, wasm: new Uint8Array(), env, msgCounter: 0n, queryDepth: 0 };
    const gasLimit = 100_000_000n;

    const initMsg = await sjs.encrypt(info.code_hash, { count: 7 });
    const initSig = signTx(SK, [msgInstantiate(user.canonical, 1n, "counter", initMsg, [])]);
    const init = host.ecall(
      "instantiate",
      encodeContractRequest({ ...base, msg: initMsg, sigInfo: initSig }),
      {
        ocalls,
        gasLimit,
      },
    );
    assert.ok("ok" in init, "error" in init ? init.error.message : "");
    assert.ok(init.gasUsed > 0n);
    const initOut = JSON.parse(utf8.decode(init.ok)) as { contract_key: string };
    const contractKey = { ogContractKey: fromBase64(initOut.contract_key) };

    const execute = async (codeHashHex: string, limit: bigint, signed = true) => {
      const msg = await sjs.encrypt(codeHashHex, { increment: {} });
      const sigInfo = signed ? signTx(SK, [msgExecute(user.canonical, CONTRACT, msg, [])]) : undefined;
      return host.ecall("execute", encodeContractRequest({ ...base, contractKey, msg, sigInfo }), {
        ocalls,
        gasLimit: limit,
      });
    };
    const exec = await execute(info.code_hash, gasLimit);
    assert.ok("ok" in exec);
    const unsigned = await execute(info.code_hash, gasLimit, false);
    assert.ok("error" in unsigned);
    assert.equal(unsigned.error.message, "failed to verify transaction signature");

    const qMsg = await sjs.encrypt(info.code_hash, { get_count: {} });
    const q = host.ecall("query", encodeContractRequest({ ...base, contractKey, msg: qMsg }), {
      ocalls,
      gasLimit,
    });
    assert.ok("ok" in q);
    const answer = (JSON.parse(utf8.decode(q.ok)) as { ok: string }).ok;
    const b64 = utf8.decode(await sjs.decrypt(fromBase64(answer), qMsg.slice(0, 32)));
    assert.deepEqual(JSON.parse(utf8.decode(fromBase64(b64))), { count: 8 });

    const wrong = await execute("00".repeat(32), gasLimit);
    assert.ok("error" in wrong);
    assert.equal(wrong.error.message, "failed to validate transaction");

    const oog = await execute(info.code_hash, 10_000n);
    assert.ok("error" in oog);
    assert.equal(oog.error.message, "execution ran out of gas");
    assert.equal(oog.gasUsed, 10_000n);
  });

  test("code not loaded, or bytes not matching the code hash: InvalidWasm", async () => {
    const unknown = { codeHash: new Uint8Array(32).fill(0xee), env, msgCounter: 0n, queryDepth: 0 };
    const msg = await sjs.encrypt("ee".repeat(32), { count: 1 });
    const sigInfo = signTx(SK, [msgInstantiate(user.canonical, 1n, "x", msg, [])]);
    const notLoaded = host.ecall(
      "instantiate",
      encodeContractRequest({ ...unknown, wasm: new Uint8Array(), msg, sigInfo }),
      { ocalls, gasLimit: 1_000_000n },
    );
    assert.ok("error" in notLoaded && /code not loaded/.test(notLoaded.error.message));
    const mismatch = host.ecall("instantiate", encodeContractRequest({ ...unknown, wasm, msg, sigInfo }), {
      ocalls,
      gasLimit: 1_000_000n,
    });
    assert.ok("error" in mismatch && /code hash mismatch/.test(mismatch.error.message));
  });
});
