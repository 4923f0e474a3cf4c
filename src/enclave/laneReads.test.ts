// Query lanes' committed-state read memo: the cache alone (per height, per contract, bounded, private copies),
// then through the real wall — a query lane answers a repeated query at one height without readDb OCALLs and
// with the same answer and gas, reads again at a new height, and the main isolate never memoizes.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EncryptionUtilsImpl } from "secretjs";
import { EnclaveHost, type EcallResult, type OcallHandler } from "./api.js";
import { fromBase64, fromHex, utf8 } from "../util/bytes.js";
import { encodeContractRequest } from "./contract/wire.js";
import { accountOf, msgInstantiate, signTx } from "./contract/testing/signedTx.js";
import { humanize } from "./vm/addressApi.js";
import { mapOcalls } from "./testing/mapOcalls.js";
import { LaneReadCache } from "./laneReads.js";

describe("LaneReadCache", () => {
  const counting = () => {
    let n = 0;
    const read = (k: Uint8Array) => {
      n++;
      return { value: k[0] === 0 ? undefined : Uint8Array.of(k[0]!, 9), gasUsed: BigInt(k[0]!) };
    };
    return { read, count: () => n };
  };

  test("one read per (height, contract, key); absent keys remembered too; a new height starts over", () => {
    const c = new LaneReadCache();
    const src = counting();
    const r = c.scope(5n, "a", src.read);
    assert.deepEqual(r(Uint8Array.of(1)), { value: Uint8Array.of(1, 9), gasUsed: 1n });
    assert.deepEqual(r(Uint8Array.of(1)), { value: Uint8Array.of(1, 9), gasUsed: 1n });
    assert.deepEqual(r(Uint8Array.of(0)), { value: undefined, gasUsed: 0n });
    assert.deepEqual(r(Uint8Array.of(0)), { value: undefined, gasUsed: 0n });
    assert.equal(src.count(), 2);
    c.scope(5n, "b", src.read)(Uint8Array.of(1));
    assert.equal(src.count(), 3, "another contract's key is another entry");
    c.scope(5n, "a", src.read)(Uint8Array.of(1));
    assert.equal(src.count(), 3);
    c.scope(6n, "a", src.read)(Uint8Array.of(1));
    assert.equal(src.count(), 4, "height 6 reads again");
    assert.equal(c.size, 1);
    const zero = c.scope(0n, "a", src.read);
    zero(Uint8Array.of(1));
    zero(Uint8Array.of(1));
    assert.equal(src.count(), 6, "height 0 (before the first commit) is never remembered");
  });

  test("answers are private copies: a caller scribbling on one does not change the next", () => {
    const c = new LaneReadCache();
    const src = counting();
    const r = c.scope(1n, "a", src.read);
    r(Uint8Array.of(3)).value!.fill(0);
    const again = r(Uint8Array.of(3));
    again.value!.fill(0);
    assert.deepEqual(r(Uint8Array.of(3)).value, Uint8Array.of(3, 9));
  });

  test("bounded by entries and bytes: past a bound it starts over; an oversize value is not kept", () => {
    const src = counting();
    const byCount = new LaneReadCache(3, 1 << 20);
    const r = byCount.scope(1n, "a", src.read);
    for (let i = 1; i <= 10; i++) r(Uint8Array.of(i));
    assert.ok(byCount.size <= 3);
    const bySize = new LaneReadCache(100, 200);
    const big = bySize.scope(1n, "a", () => ({ value: new Uint8Array(500), gasUsed: 0n }));
    big(Uint8Array.of(1));
    assert.equal(bySize.size, 0);
  });
});

const wasm = new Uint8Array(readFileSync(new URL("../../contracts/build/counter.wasm", import.meta.url)));

describe("query lanes memoize committed reads", () => {
  let host: EnclaveHost;
  let dir: string;
  let sjs: EncryptionUtilsImpl;
  const store = new Map<string, Uint8Array>();
  let reads = 0;
  const ocalls: OcallHandler = mapOcalls(() => store, {
    readGas: 3n,
    onRead: () => {
      reads++;
    },
  });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "shroud-lane-reads-"));
    host = await EnclaveHost.start({
      dataDir: join(dir, "data"),
      platformSecretPath: join(dir, "ps"),
      ecallTimeoutMs: 60_000,
      queryLanes: 1,
    });
    const keys = host.initBootstrap();
    sjs = new EncryptionUtilsImpl("http://unused.invalid", new Uint8Array(32).fill(5));
    (sjs as unknown as { consensusIoPubKey: Uint8Array }).consensusIoPubKey = keys.ioExchangePublicKey;
  });
  after(async () => {
    await host.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test("a repeated query at one height skips readDb on a lane, same answer and gas; the main isolate reads", async () => {
    const SK = new Uint8Array(32).fill(0x31);
    const user = accountOf(SK);
    const env = (height: bigint) => ({
      block: { height, timeNanos: 1_700_000_000_000_000_000n, chainId: "shroud-1" },
      message: { sender: humanize(user.canonical), funds: [] },
      contract: { address: humanize(new Uint8Array(20).fill(2)) },
    });
    const load = host.ecall("loadCode", wasm);
    assert.ok("ok" in load);
    const codeHashHex = (JSON.parse(utf8.decode(load.ok)) as { code_hash: string }).code_hash;
    const base = { codeHash: fromHex(codeHashHex), msgCounter: 0n, queryDepth: 0 };
    const initMsg = await sjs.encrypt(codeHashHex, { count: 41 });
    const sigInfo = signTx(SK, [msgInstantiate(user.canonical, 1n, "counter", initMsg, [])]);
    const init = host.ecall(
      "instantiate",
      encodeContractRequest({ ...base, wasm: new Uint8Array(), env: env(5n), msg: initMsg, sigInfo }),
      { ocalls, gasLimit: 100_000_000n },
    );
    assert.ok("ok" in init, "error" in init ? init.error.message : "");
    const contractKey = {
      ogContractKey: fromBase64((JSON.parse(utf8.decode(init.ok)) as { contract_key: string }).contract_key),
    };

    const query = async (height: bigint, onLane: boolean) => {
      const msg = await sjs.encrypt(codeHashHex, { get_count: {} });
      const req = (w: Uint8Array) =>
        encodeContractRequest({ ...base, wasm: w, env: env(height), contractKey, msg });
      const opts = { ocalls, gasLimit: 100_000_000n };
      const run = (w: Uint8Array): Promise<EcallResult> =>
        onLane ? host.ecallQueryAsync(req(w), opts) : Promise.resolve(host.ecall("query", req(w), opts));
      let r = await run(new Uint8Array());
      if ("error" in r && r.error.message.includes("code not loaded")) r = await run(wasm);
      assert.ok("ok" in r, "error" in r ? r.error.message : "");
      const answer = (JSON.parse(utf8.decode(r.ok)) as { ok: string }).ok;
      const b64 = utf8.decode(await sjs.decrypt(fromBase64(answer), msg.slice(0, 32)));
      return { value: JSON.parse(utf8.decode(fromBase64(b64))) as unknown, gas: r.gasUsed };
    };
    const counted = async (height: bigint, onLane: boolean) => {
      const r0 = reads;
      const out = await query(height, onLane);
      return { ...out, reads: reads - r0 };
    };

    const first = await counted(7n, true);
    assert.deepEqual(first.value, { count: 41 });
    assert.ok(first.reads > 0, "the first query at a height reads through the host");
    const second = await counted(7n, true);
    assert.deepEqual(second, { ...first, reads: 0 }, "same answer and gas, no readDb");
    const next = await counted(8n, true);
    assert.equal(next.reads, first.reads, "a new height reads again");
    assert.equal(next.gas, first.gas);
    const main1 = await counted(8n, false);
    const main2 = await counted(8n, false);
    assert.ok(main1.reads > 0 && main2.reads === main1.reads, "the main isolate never memoizes");
    assert.deepEqual(main2.value, first.value);
  });
});
