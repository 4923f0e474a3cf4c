// prepareCall through the real wall (a worker-thread enclave, counter.wasm from contracts/build, secretjs
// encrypting): an execute after a prepareCall of the same call answers byte for byte what it answers without
// one (good, unsigned, other signer, flipped ciphertext, wrong code hash, out of gas), leaving the same store;
// a prepare riding on the ECALL before (FRAME.ecallRequestThen) is taken the same way; a prepare of another call
// is not taken; malformed prepares are refused and kept nowhere.
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EncryptionUtilsImpl } from "secretjs";
import { ECALL, EnclaveHost, encodePrepareCall, type EcallResult, type OcallHandler } from "../api.js";
import { fromBase64, fromHex, toHex, utf8 } from "../../util/bytes.js";
import { encodeContractRequest, type ContractRequest } from "../contract/wire.js";
import { accountOf, msgExecute, msgInstantiate, signTx } from "../contract/testing/signedTx.js";
import { humanize } from "../vm/addressApi.js";
import { mapOcalls } from "../testing/mapOcalls.js";

const wasm = new Uint8Array(readFileSync(new URL("../../../contracts/build/counter.wasm", import.meta.url)));
let host: EnclaveHost;
let dir: string;
let sjs: EncryptionUtilsImpl;

let store = new Map<string, Uint8Array>();
const ocalls: OcallHandler = mapOcalls(() => store);

const SK = new Uint8Array(32).fill(0x31);
const OTHER_SK = new Uint8Array(32).fill(0x32);
const user = accountOf(SK);
const CONTRACT = new Uint8Array(20).fill(2);
const env = {
  block: { height: 5n, timeNanos: 1_700_000_000_000_000_000n, chainId: "shroud-1" },
  message: { sender: humanize(user.canonical), funds: [] },
  contract: { address: humanize(CONTRACT) },
};
let base: Omit<ContractRequest, "msg">;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "shroud-prepare-ecall-"));
  host = await EnclaveHost.start({
    dataDir: join(dir, "data"),
    platformSecretPath: join(dir, "ps"),
    ecallTimeoutMs: 60_000,
  });
  const keys = host.initBootstrap();
  sjs = new EncryptionUtilsImpl("http://unused.invalid", new Uint8Array(32).fill(5));
  (sjs as unknown as { consensusIoPubKey: Uint8Array }).consensusIoPubKey = keys.ioExchangePublicKey;
  const load = host.ecall("loadCode", wasm);
  assert.ok("ok" in load);
  const hashHex = (JSON.parse(utf8.decode(load.ok)) as { code_hash: string }).code_hash;
  const codeHash = fromHex(hashHex);
  const initMsg = await sjs.encrypt(hashHex, { count: 7 });
  const initSig = signTx(SK, [msgInstantiate(user.canonical, 1n, "counter", initMsg, [])]);
  const common = { codeHash, wasm: new Uint8Array(), env, msgCounter: 3n, queryDepth: 0 };
  const init = host.ecall(
    "instantiate",
    encodeContractRequest({ ...common, msg: initMsg, sigInfo: initSig }),
    {
      ocalls,
      gasLimit: 100_000_000n,
    },
  );
  assert.ok("ok" in init);
  const og = fromBase64((JSON.parse(utf8.decode(init.ok)) as { contract_key: string }).contract_key);
  base = { ...common, contractKey: { ogContractKey: og } };
});
after(async () => {
  await host.stop();
  rmSync(dir, { recursive: true, force: true });
});

type Kind = "good" | "unsigned" | "otherSigner" | "flipped" | "wrongHash" | "outOfGas";

async function requestOf(kind: Kind, n: number): Promise<{ payload: Uint8Array; gasLimit: bigint }> {
  const hashHex = kind === "wrongHash" ? "00".repeat(32) : toHex(base.codeHash);
  const sealed = await sjs.encrypt(hashHex, { increment: {}, n });
  const msg = kind === "flipped" ? sealed.map((b, i) => (i === sealed.length - 1 ? b ^ 1 : b)) : sealed;
  const sigInfo =
    kind === "unsigned"
      ? undefined
      : signTx(kind === "otherSigner" ? OTHER_SK : SK, [msgExecute(user.canonical, CONTRACT, msg, [])]);
  return {
    payload: encodeContractRequest({ ...base, msg, sigInfo }),
    gasLimit: kind === "outOfGas" ? 10_000n : 100_000_000n,
  };
}

/** Runs `f` over a copy of the store as it is now; returns what it answered and the store it left. */
function isolated(f: () => EcallResult) {
  const saved = store;
  store = new Map([...saved].map(([k, v]) => [k, v.slice()]));
  try {
    const res = f();
    return { res, stored: [...store.entries()].sort(([a], [b]) => (a < b ? -1 : 1)) };
  } finally {
    store = saved;
  }
}

/** The enclave's count of taken prepares, as reported by a (well-formed, never executed) probe prepare. */
async function takenSoFar(): Promise<number> {
  const probe = await requestOf("good", 999_999);
  assert.ok(host.prepareCall("execute", probe.payload));
  host.ecall("health", new Uint8Array(0)); // reads the probe's answer
  return host.prepareStats.taken;
}

describe("prepareCall over the wall", () => {
  test("an execute answers the same with and without a prepare of it, and takes it", async () => {
    const kinds: Kind[] = ["good", "unsigned", "otherSigner", "flipped", "wrongHash", "outOfGas"];
    for (const [i, kind] of kinds.entries()) {
      const { payload, gasLimit } = await requestOf(kind, i);
      const plain = isolated(() => host.ecall("execute", payload, { ocalls, gasLimit }));
      const before = await takenSoFar();
      const prepared = isolated(() => {
        assert.ok(host.prepareCall("execute", payload));
        return host.ecall("execute", payload, { ocalls, gasLimit });
      });
      assert.deepEqual(prepared, plain, kind);
      assert.equal(await takenSoFar(), before + 1, `${kind}: the prepare was taken`);
      if (kind === "good") assert.ok("ok" in plain.res);
      else assert.ok("error" in plain.res, kind);
    }
  });

  test("a prepare riding on the ECALL before (FRAME.ecallRequestThen) is taken; only prepareCall may ride", async () => {
    for (const [i, kind] of (["good", "flipped", "otherSigner"] as const).entries()) {
      const first = await requestOf("good", 200 + i);
      const next = await requestOf(kind, 300 + i);
      const plainFirst = isolated(() =>
        host.ecall("execute", first.payload, { ocalls, gasLimit: first.gasLimit }),
      );
      const plainNext = isolated(() =>
        host.ecall("execute", next.payload, { ocalls, gasLimit: next.gasLimit }),
      );
      const before = await takenSoFar();
      const rode0 = host.prepareStats.rode;
      const both = isolated(() => {
        const a = host.ecall("execute", first.payload, {
          ocalls,
          gasLimit: first.gasLimit,
          then: { id: ECALL.prepareCall, payload: encodePrepareCall("execute", next.payload) },
        });
        assert.deepEqual(a, plainFirst.res);
        return host.ecall("execute", next.payload, { ocalls, gasLimit: next.gasLimit });
      });
      assert.equal(host.prepareStats.rode, rode0 + 1);
      assert.deepEqual(both.res, plainNext.res, kind);
      assert.equal(await takenSoFar(), before + 1, `${kind}: the riding prepare was taken`);
    }
    // Anything but a prepareCall riding along is ignored (here: a keychain ECALL that would otherwise refuse).
    const seeds = host.health().seedCount;
    const h = host.ecall("health", new Uint8Array(0), {
      then: { id: ECALL.initBootstrap, payload: new Uint8Array(0) },
    });
    assert.ok("ok" in h);
    assert.equal(host.health().seedCount, seeds);
  });

  test("a prepare of another call is not taken; malformed prepares are refused", async () => {
    const a = await requestOf("good", 100);
    const b = await requestOf("good", 101);
    const plain = isolated(() => host.ecall("execute", b.payload, { ocalls, gasLimit: b.gasLimit }));
    const before = await takenSoFar();
    const other = isolated(() => {
      assert.ok(host.prepareCall("execute", a.payload));
      return host.ecall("execute", b.payload, { ocalls, gasLimit: b.gasLimit });
    });
    assert.deepEqual(other, plain);
    assert.equal(await takenSoFar(), before);
    const refused0 = host.prepareStats.refused;
    assert.ok(host.prepareCall("execute", Uint8Array.of(1, 2, 3)));
    host.ecall("health", new Uint8Array(0));
    assert.equal(host.prepareStats.refused, refused0 + 1);
    assert.ok(host.prepareCall("execute", a.payload));
    // A prepare still in flight is answered before the next call, even an async one.
    const q = await host.ecallQueryAsync(encodeContractRequest({ ...base, msg: a.payload.subarray(0, 0) }), {
      ocalls,
      gasLimit: 1_000_000n,
    });
    assert.ok("error" in q);
  });
});
