// OCALL prefetch through the real worker: a SNIP-20 run against two hosts, one that offers the keys the last
// call read and one that offers nothing, must show each host the same store operations in the same order (a
// prefetched read appears when the host charges it, before the next OCALL or the response), the same gas on a
// simulated SDK meter, and the same results — also when the meter runs out at any read, prefetched or not.
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EncryptionUtilsImpl } from "secretjs";
import { EnclaveHost, OcallFailure, type OcallHandler } from "../api.js";
import { fromBase64, fromHex, toHex, utf8 } from "../../util/bytes.js";
import { encodeContractRequest, type ContractRequest } from "../contract/wire.js";
import { accountOf, msgExecute, msgInstantiate, signTx } from "../contract/testing/signedTx.js";
import { humanize } from "../vm/addressApi.js";
import type { PrefetchSet } from "../prefetch.js";

const wasm = new Uint8Array(readFileSync(new URL("../../../contracts/build/snip20.wasm", import.meta.url)));
const SK = new Uint8Array(32).fill(0x42);
const user = accountOf(SK);
const CONTRACT = new Uint8Array(20).fill(4);
const GAS = 100_000_000n;
let host: EnclaveHost;
let dir: string;
let sjs: EncryptionUtilsImpl;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "shroud-prefetch-"));
  host = await EnclaveHost.start({ dataDir: join(dir, "data"), platformSecretPath: join(dir, "ps") });
  const keys = host.initBootstrap();
  sjs = new EncryptionUtilsImpl("http://unused.invalid", new Uint8Array(32).fill(8));
  (sjs as unknown as { consensusIoPubKey: Uint8Array }).consensusIoPubKey = keys.ioExchangePublicKey;
});
after(async () => {
  await host.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A Map store behind a gaskv-like meter (flat 100 + 1 per key and value byte; fails past the limit). */
class MeteredStore {
  readonly map: Map<string, Uint8Array>;
  readonly log: string[] = [];
  /** Keys read by the last call (what a prefetching host offers next). */
  reads: Uint8Array[] = [];
  used = 0n;
  limit: bigint | undefined = undefined;
  /** Answer `chargedPeek` OCALLs (predicted reads); counts of keys peeked and of peeked keys charged. */
  peeking = false;
  peeked = 0;
  peekedCharged = 0;

  constructor(from?: MeteredStore) {
    this.map = new Map(from?.map);
  }

  /** The current value and exact charge of `key`, charging nothing and logging nothing (a probe). */
  private probe(key: Uint8Array): { key: Uint8Array; value: Uint8Array | undefined; charge: bigint } {
    const value = this.map.get(toHex(key));
    return {
      key: key.slice(),
      value: value?.slice(),
      charge: 100n + BigInt(key.length + (value?.length ?? 0)),
    };
  }

  private charge(n: bigint): void {
    this.used += n;
    if (this.limit !== undefined && this.used > this.limit) throw new OcallFailure("out of gas", 0n);
  }

  read(k: Uint8Array): Uint8Array | undefined {
    this.log.push(`r${toHex(k)}`);
    this.reads.push(k);
    this.charge(100n);
    const v = this.map.get(toHex(k));
    this.charge(BigInt(k.length + (v?.length ?? 0)));
    return v;
  }

  /** The offer of the given keys at this moment (values and exact charges). */
  offer(keys: readonly Uint8Array[]): PrefetchSet {
    const entries = keys.map((key) => {
      const value = this.map.get(toHex(key));
      return { key, value, charge: 100n + BigInt(key.length + (value?.length ?? 0)) };
    });
    const remaining =
      this.limit === undefined ? undefined : this.used >= this.limit ? 0n : this.limit - this.used;
    return { remaining, entries };
  }

  handler(offer: PrefetchSet | undefined): OcallHandler {
    // The offer's entries, then the keys peeked during the call (charged by index alike).
    const entries = [...(offer?.entries ?? [])];
    const peekRead = (key: Uint8Array) => {
      const e = this.probe(key);
      entries.push(e);
      this.peeked++;
      return { index: entries.length - 1, value: e.value, charge: e.charge };
    };
    return {
      ...(this.peeking ? { peekRead } : {}),
      readDb: (k) => ({ value: this.read(k), gasUsed: 0n }),
      writeDb: (k, v) => {
        this.log.push(`w${toHex(k)}:${toHex(v)}`);
        this.charge(200n + 5n * BigInt(k.length + v.length));
        this.map.set(toHex(k), v.slice());
        return { gasUsed: 0n };
      },
      removeDb: (k) => {
        this.log.push(`d${toHex(k)}`);
        this.charge(100n);
        this.map.delete(toHex(k));
        return { gasUsed: 0n };
      },
      queryChain: () => ({
        result: utf8.encode('{"Err":{"unsupported_request":{"kind":"t"}}}'),
        gasUsed: 0n,
      }),
      chargePrefetched: (i) => {
        const e = entries[i];
        if (e === undefined) throw new OcallFailure("no entry", 0n);
        if (i >= (offer?.entries.length ?? 0)) this.peekedCharged++;
        const v = this.read(e.key);
        assert.equal(
          v === undefined ? undefined : toHex(v),
          e.value === undefined ? undefined : toHex(e.value),
        );
      },
      remainingGas: () =>
        this.limit === undefined ? undefined : this.used >= this.limit ? 0n : this.limit - this.used,
    };
  }
}

let hashHex = "";
const base = () => ({ codeHash: fromHex(hashHex), wasm: new Uint8Array(), queryDepth: 0 });
const env = (height: bigint) => ({
  block: { height, timeNanos: 1_700_000_000_000_000_000n + height, chainId: "shroud-1" },
  message: { sender: humanize(user.canonical), funds: [] },
  contract: { address: humanize(CONTRACT) },
});

/** One ECALL against `store`, offering `offerKeys` when given; its outcome and the host's view as a string. */
function call(
  store: MeteredStore,
  name: "instantiate" | "execute" | "query",
  req: ContractRequest,
  offerKeys?: readonly Uint8Array[],
): string {
  const offer = offerKeys === undefined ? undefined : store.offer(offerKeys);
  store.reads = [];
  const logAt = store.log.length;
  const usedAt = store.used;
  const r = host.ecall(name, encodeContractRequest({ ...req, prefetch: offer }), {
    ocalls: store.handler(offer),
    gasLimit: GAS,
  });
  const out = "ok" in r ? `ok:${toHex(r.ok)}` : `err${r.error.code}:${r.error.message}`;
  return `${out} gas${r.gasUsed} used${store.used - usedAt} ops:${store.log.slice(logAt).join(",")}`;
}

describe("OCALL prefetch through the real worker", () => {
  test("SNIP-20: the same host view with and without an offer, and at every out-of-gas point", async () => {
    const load = host.ecall("loadCode", wasm);
    assert.ok("ok" in load);
    hashHex = (JSON.parse(utf8.decode(load.ok)) as { code_hash: string }).code_hash;
    const plain = new MeteredStore();
    const initMsg = await sjs.encrypt(hashHex, {
      name: "Pre",
      symbol: "PRE",
      decimals: 6,
      initial_balances: [{ address: humanize(user.canonical), amount: "1000000" }],
      prng_seed: "c2VlZA==",
    });
    const init = call(plain, "instantiate", {
      ...base(),
      env: env(1n),
      msg: initMsg,
      msgCounter: 0n,
      sigInfo: signTx(SK, [msgInstantiate(user.canonical, 1n, "pre", initMsg, [])]),
    });
    assert.match(init, /^ok:/);
    const okJson = JSON.parse(utf8.decode(fromHex(init.slice(3, init.indexOf(" "))))) as {
      contract_key: string;
    };
    const contractKey = { ogContractKey: fromBase64(okJson.contract_key) };
    const transfer = async (i: number, to: number, amount: string): Promise<ContractRequest> => {
      const msg = await sjs.encrypt(hashHex, {
        transfer: { recipient: humanize(new Uint8Array(20).fill(to)), amount },
      });
      return {
        ...base(),
        env: env(2n + BigInt(i)),
        msg,
        msgCounter: BigInt(i),
        contractKey,
        sigInfo: signTx(SK, [msgExecute(user.canonical, CONTRACT, msg, [])]),
      };
    };
    // Unlimited meter: transfers to new and existing holders and one over the balance, each offered what the
    // call before read (hot keys hit, the last recipient's keys are offered absent and not read).
    // A third host also answers peeks (a new holder's second key predicted from its first, ../companionReads.ts):
    // its view (probes are not reads) must be the same too.
    const offering = new MeteredStore(plain);
    const peeking = new MeteredStore(plain);
    peeking.peeking = true;
    let hot: Uint8Array[] = [];
    for (let i = 0; i < 6; i++) {
      const req = await transfer(i, i === 3 ? 100 : 100 + i, i === 4 ? "999999999" : "5");
      const off = call(plain, "execute", req);
      const on = call(offering, "execute", req, hot);
      const peek = call(peeking, "execute", req, hot);
      assert.equal(on, off, `transfer ${i}`);
      assert.equal(peek, off, `transfer ${i} (peeks)`);
      hot = offering.reads;
    }
    assert.deepEqual([...offering.map], [...plain.map], "same stored bytes");
    assert.deepEqual([...peeking.map], [...plain.map], "same stored bytes (peeks)");
    assert.ok(peeking.peekedCharged > 0, `peeked reads taken: ${peeking.peekedCharged} of ${peeking.peeked}`);
    // A limited meter at every few units across the reads' charges: the same failure point and gas either way.
    const req = await transfer(10, 200, "1");
    const warm = new MeteredStore(plain);
    call(warm, "execute", req, hot);
    const need = warm.used;
    const ends = new Set<string>();
    const limits: bigint[] = [need];
    // Reads come first (every 23 units across them), then the flush's removes and writes (coarser).
    for (let limit = 0n; limit < need; limit += limit < 3000n ? 23n : 257n) limits.push(limit);
    for (const limit of limits) {
      const a = new MeteredStore(plain);
      const b = new MeteredStore(plain);
      const c = new MeteredStore(plain);
      c.peeking = true;
      a.limit = b.limit = c.limit = limit;
      const off = call(a, "execute", req);
      const on = call(b, "execute", req, hot);
      const peek = call(c, "execute", req, hot);
      assert.equal(on, off, `limit ${limit}`);
      assert.equal(peek, off, `limit ${limit} (peeks)`);
      ends.add(off.slice(0, 8));
    }
    assert.ok(ends.size >= 2, "reached both out of gas and success");
  });
});
