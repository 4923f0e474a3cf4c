// SNIP-20 through the real wall (worker enclave, OCALLs answered from a Map): the host must see the same store
// operations in the same order (kind, key and value sizes, presence), the same gas for each and every ECALL, and
// the same results, whatever round trips carry them. Keys are fresh per run, so bytes differ; sizes and gas do
// not. The pin was produced by the tree before the round-trip savers (readDbFirst, writes on the ECALL response,
// raw envelope tail: commit c0648c1's src/enclave), so those must leave the host's view where it was.
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EncryptionUtilsImpl } from "secretjs";
import { EnclaveHost, type OcallHandler } from "../api.js";
import { fromBase64, fromHex, toHex, utf8 } from "../../util/bytes.js";
import { encodeContractRequest } from "../contract/wire.js";
import { accountOf, msgExecute, msgInstantiate, signTx } from "../contract/testing/signedTx.js";
import { humanize } from "../vm/addressApi.js";

const PINNED = "f9b3dbb16749725e97236d5b4165ad6b759f063b5af8d545c14c040f070cb832";

const wasm = new Uint8Array(readFileSync(new URL("../../../contracts/build/snip20.wasm", import.meta.url)));
const SK = new Uint8Array(32).fill(0x41);
const user = accountOf(SK);
const CONTRACT = new Uint8Array(20).fill(3);
const GAS = 100_000_000n;
let host: EnclaveHost;
let dir: string;
let sjs: EncryptionUtilsImpl;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "shroud-wall-shape-"));
  host = await EnclaveHost.start({ dataDir: join(dir, "data"), platformSecretPath: join(dir, "ps") });
  const keys = host.initBootstrap();
  sjs = new EncryptionUtilsImpl("http://unused.invalid", new Uint8Array(32).fill(6));
  (sjs as unknown as { consensusIoPubKey: Uint8Array }).consensusIoPubKey = keys.ioExchangePublicKey;
});
after(async () => {
  await host.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A Map store whose gas depends on sizes; every call goes into `log` as sizes only. */
function shapeStore(log: string[]): OcallHandler {
  const map = new Map<string, Uint8Array>();
  return {
    readDb: (k) => {
      const v = map.get(toHex(k));
      log.push(`r${k.length}:${v === undefined ? "-" : v.length}`);
      return { value: v, gasUsed: 3n + BigInt(k.length + (v?.length ?? 0)) };
    },
    writeDb: (k, v) => {
      log.push(`w${k.length}:${v.length}`);
      map.set(toHex(k), v.slice());
      return { gasUsed: 7n + BigInt(k.length + v.length) };
    },
    removeDb: (k) => {
      log.push(`d${k.length}`);
      map.delete(toHex(k));
      return { gasUsed: 5n + BigInt(k.length) };
    },
    queryChain: () => ({ result: utf8.encode('{"Err":{"unsupported_request":{"kind":"t"}}}'), gasUsed: 0n }),
  };
}

describe("SNIP-20 over the wall: the host's view", () => {
  test("store operations, gas and results by size equal the pinned run", async () => {
    const log: string[] = [];
    const ocalls = shapeStore(log);
    const load = host.ecall("loadCode", wasm);
    assert.ok("ok" in load);
    const hashHex = (JSON.parse(utf8.decode(load.ok)) as { code_hash: string }).code_hash;
    const env = (height: bigint) => ({
      block: { height, timeNanos: 1_700_000_000_000_000_000n + height, chainId: "shroud-1" },
      message: { sender: humanize(user.canonical), funds: [] },
      contract: { address: humanize(CONTRACT) },
    });
    const base = { codeHash: fromHex(hashHex), wasm: new Uint8Array(), queryDepth: 0 };
    const record = (what: string, r: ReturnType<EnclaveHost["ecall"]>): void => {
      log.push(`${what}:${"ok" in r ? `ok${r.ok.length}` : `err${r.error.code}`}:gas${r.gasUsed}`);
    };
    const holders = [{ address: humanize(user.canonical), amount: "1000000" }];
    for (let i = 0; i < 5; i++)
      holders.push({ address: humanize(new Uint8Array(20).fill(50 + i)), amount: "10" });
    const initMsg = await sjs.encrypt(hashHex, {
      name: "Shape",
      symbol: "SHP",
      decimals: 6,
      initial_balances: holders,
      prng_seed: "c2VlZA==",
    });
    const init = host.ecall(
      "instantiate",
      encodeContractRequest({
        ...base,
        env: env(1n),
        msg: initMsg,
        msgCounter: 0n,
        sigInfo: signTx(SK, [msgInstantiate(user.canonical, 1n, "shape", initMsg, [])]),
      }),
      { ocalls, gasLimit: GAS },
    );
    record("init", init);
    assert.ok("ok" in init);
    const contractKey = {
      ogContractKey: fromBase64((JSON.parse(utf8.decode(init.ok)) as { contract_key: string }).contract_key),
    };
    // Transfers: to new holders (missing keys: new-then-old reads), to an existing one, one over the balance.
    for (let i = 0; i < 8; i++) {
      const recipient = humanize(new Uint8Array(20).fill(i === 3 ? 51 : 100 + i));
      const amount = i === 5 ? "999999999" : String(i + 1);
      const msg = await sjs.encrypt(hashHex, { transfer: { recipient, amount } });
      const r = host.ecall(
        "execute",
        encodeContractRequest({
          ...base,
          env: env(2n + BigInt(i)),
          msg,
          msgCounter: BigInt(i),
          contractKey,
          sigInfo: signTx(SK, [msgExecute(user.canonical, CONTRACT, msg, [])]),
        }),
        { ocalls, gasLimit: GAS },
      );
      record(`transfer${i}`, r);
    }
    const q = await sjs.encrypt(hashHex, { token_info: {} });
    record(
      "query",
      host.ecall(
        "query",
        encodeContractRequest({ ...base, env: env(20n), msg: q, msgCounter: 0n, contractKey }),
        {
          ocalls,
          gasLimit: GAS,
        },
      ),
    );
    const digest = createHash("sha256").update(log.join("\n")).digest("hex");
    assert.equal(digest, PINNED, log.join(" "));
  });
});
