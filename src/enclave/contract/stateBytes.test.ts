// A pinned run of the real SNIP-20 contract through runContract: instantiate, 24 transfers (shuffled flushes with
// a block random and sorted ones without, one failing transfer, one send to a new account), balance queries.
// Every output, gas figure and host store call (with its bytes) goes into one digest. The pin was produced by the
// tree of commit 50d5eaf (before the session-3 speed work: state caches, AES-SIV scratch and batch seal, contract
// key and address memory, low-water reset), so caches and speed-ups must leave every byte where it was.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { toHex, utf8 } from "../../util/bytes.js";
import { sha256 } from "../crypto/hash.js";
import { x25519PublicKey } from "../crypto/x25519.js";
import { TxCrypto } from "../io.js";
import { humanize } from "../vm/testing/mockApi.js";
import { compileMetered } from "../vm/wasm/cache.js";
import { prepareCode } from "../vm/wasm/prepare.js";
import type { WasmModule } from "../vm/webassembly.js";
import { runContract } from "./operations.js";
import { CONTRACT_B, SENDER, baseEnv, keys, noQuery } from "./testing/harness.js";
import type { PlainStore } from "../encryptedStorage.js";

const PINNED = "8e116e18b854d3557be3f6faf05bc205924d9b9aad737ea874e74dddfefd905c";

const USER_PK = x25519PublicKey(new Uint8Array(32).fill(21));
const GAS = 10_000_000_000n;

/** A host store that feeds every call and its bytes into `h`. */
function loggingStore(h: ReturnType<typeof createHash>): PlainStore {
  const map = new Map<string, Uint8Array>();
  return {
    read(k) {
      h.update(`r${toHex(k)}`);
      return { value: map.get(toHex(k))?.slice(), gas: 10n };
    },
    write(k, v) {
      h.update(`w${toHex(k)}=${toHex(v)}`);
      map.set(toHex(k), v.slice());
      return { gas: 20n + BigInt(v.length) };
    },
    remove(k) {
      h.update(`d${toHex(k)}`);
      map.delete(toHex(k));
      return { gas: 5n };
    },
  };
}

/**
 * The same store with the production round-trip savers, answered as src/enclave/host.ts answers the OCALLs
 * (readDbFirst: read, then read the fallback only when missing; applyBatch: the ops in order), so the digest
 * shows the host sees exactly the calls it saw before them.
 */
function batchingStore(h: ReturnType<typeof createHash>): PlainStore {
  const s = loggingStore(h);
  return {
    ...s,
    readFirst(k, fallback) {
      const a = s.read(k);
      if (a.value !== undefined) return { value: a.value, fromFallback: false, gas: a.gas };
      const b = s.read(fallback);
      return { value: b.value, fromFallback: true, gas: a.gas + b.gas };
    },
    applyBatch(ops) {
      let gas = 0n;
      for (const op of ops)
        gas += (op.value === undefined ? s.remove(op.key) : s.write(op.key, op.value)).gas;
      return { gas };
    },
  };
}

const json = (o: unknown): string =>
  JSON.stringify(o, (_k, v: unknown) =>
    typeof v === "bigint" ? v.toString() : v instanceof Uint8Array ? toHex(v) : v,
  );

describe("SNIP-20 through runContract, byte for byte", () => {
  for (const [name, makeStore] of [
    ["one call per host operation", loggingStore],
    ["batched flush and new-then-old reads in one round trip", batchingStore],
  ] as const) {
    test(`outputs, gas and host store bytes equal the pinned run (${name})`, () => {
      pinnedRun(makeStore);
    });
  }
});

function pinnedRun(makeStore: (h: ReturnType<typeof createHash>) => PlainStore): void {
  const wasm = new Uint8Array(readFileSync(new URL("../../../contracts/build/snip20.wasm", import.meta.url)));
  const prepared = prepareCode(wasm);
  const module = compileMetered(prepared) as unknown as WasmModule;
  const hex = toHex(prepared.codeHash);
  const codeHash = sha256(prepared.wasm);
  const h = createHash("sha256");
  const svc = { keys, store: makeStore(h), query: noQuery, verifyTxSignatures: false };
  let n = 0;
  const seal = (msg: object): Uint8Array => {
    const nonce = new Uint8Array(32).fill(++n);
    return new TxCrypto(keys, nonce, USER_PK).seal(utf8.encode(hex + JSON.stringify(msg))).message;
  };
  const env = baseEnv({ sender: SENDER });
  const common = { module, codeHash, queryDepth: 0, gasLimit: GAS };
  let counter = 0n;
  const init = runContract(svc, {
    ...common,
    env,
    op: "instantiate",
    msg: seal({
      name: "Pinned",
      symbol: "PIN",
      decimals: 6,
      initial_balances: [{ address: SENDER, amount: "1000000" }],
      prng_seed: "c2VlZA==",
    }),
    msgCounter: counter++,
  });
  h.update(json(init));
  assert.ok(init.contractKey !== undefined);
  const contractKey = { ogContractKey: init.contractKey };
  const other = humanize(new Uint8Array(20).fill(77));
  let failed = 0;
  for (let i = 0; i < 24; i++) {
    const random = i % 3 === 0 ? undefined : new Uint8Array(32).fill(i + 1);
    const block = { ...env.block, height: env.block.height + BigInt(i), ...(random ? { random } : {}) };
    const amount = i === 7 ? "999999999" : String(i + 1); // #7 fails: insufficient funds
    const recipient = i === 11 ? other : CONTRACT_B;
    const out = runContract(svc, {
      ...common,
      env: { ...env, block },
      op: "execute",
      msg: seal({ transfer: { recipient, amount } }),
      contractKey,
      msgCounter: counter++,
    });
    h.update(json(out));
    if (out.output.ok === undefined) failed++;
  }
  assert.equal(failed, 1, "only the over-balance transfer fails");
  const q = runContract(svc, {
    ...common,
    env,
    op: "query",
    msg: seal({ token_info: {} }),
    contractKey,
    msgCounter: counter,
  });
  h.update(json(q));
  assert.ok(q.output.ok !== undefined, "the query answers");
  assert.equal(h.digest("hex"), PINNED);
}
