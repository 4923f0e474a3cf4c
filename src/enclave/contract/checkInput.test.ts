// Prepared input checks (./checkInput.ts, ../ecalls/prepare.ts) against running them inline: over seeded cases
// (good, bad signatures, bad ciphertexts, plaintext, wrong code hash or contract key, out of gas) a call that
// takes a prepared outcome answers exactly as one that does not (output, gas, error, stored bytes); a prepare
// for another binding is never taken; the slots are bounded.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { utf8 } from "../../util/bytes.js";
import { x25519PublicKey } from "../crypto/x25519.js";
import { TxCrypto } from "../io.js";
import { humanize } from "../vm/testing/mockApi.js";
import { MAX_PREPARED_CALLS, PreparedCalls } from "../ecalls/prepare.js";
import { bindingOf, checkAhead, sameBinding } from "./checkInput.js";
import { OperationError, runContract } from "./operations.js";
import { MemStore, baseEnv, keys, loadWat, noQuery } from "./testing/harness.js";
import { accountOf, msgExecute, signTx } from "./testing/signedTx.js";
import type { ContractCallInput } from "./types.js";

const code = await loadWat("harness.wat");
const SK = new Uint8Array(32).fill(0x21);
const OTHER_SK = new Uint8Array(32).fill(0x22);
const user = accountOf(SK);
const SENDER = humanize(user.canonical);
const CONTRACT_CANON = new Uint8Array(20).fill(6);
const EMPTY = '{"Ok":{"messages":[],"attributes":[],"events":[],"data":null}}';

function seal(raw: string, nonceByte: number): Uint8Array {
  return new TxCrypto(
    keys,
    new Uint8Array(32).fill(nonceByte),
    x25519PublicKey(new Uint8Array(32).fill(9)),
  ).seal(utf8.encode(code.hex + raw)).message;
}

const init = runContract(
  { keys, store: new MemStore(), query: noQuery, verifyTxSignatures: false },
  {
    op: "instantiate",
    module: code.module,
    codeHash: code.codeHash,
    env: baseEnv({ sender: SENDER }),
    msg: seal(EMPTY, 1),
    msgCounter: 0n,
    queryDepth: 0,
    gasLimit: 50_000_000n,
  },
);

interface Case {
  readonly msg: "good" | "echo" | "flipped" | "plaintext" | "wrongHash";
  readonly sig: "good" | "otherKey" | "none" | "otherMsg";
  readonly key: "good" | "bad" | "none";
  readonly funds: "none" | "some";
  readonly gas: "plenty" | "tiny";
  readonly nonce: number;
}

function inputOf(c: Case): ContractCallInput {
  const sealed = seal(c.msg === "echo" ? EMPTY : "!", c.nonce);
  const msg =
    c.msg === "flipped"
      ? sealed.map((b, i) => (i === sealed.length - 1 ? b ^ 1 : b))
      : c.msg === "plaintext"
        ? utf8.encode(code.hex + "!")
        : c.msg === "wrongHash"
          ? new TxCrypto(
              keys,
              new Uint8Array(32).fill(c.nonce),
              x25519PublicKey(new Uint8Array(32).fill(9)),
            ).seal(utf8.encode("00".repeat(32) + "!")).message
          : sealed;
  const funds = c.funds === "some" ? [{ denom: "uscrt", amount: "10" }] : [];
  const signed = c.sig === "otherMsg" ? seal("!", c.nonce + 1) : msg;
  const sigInfo =
    c.sig === "none"
      ? undefined
      : signTx(c.sig === "otherKey" ? OTHER_SK : SK, [
          msgExecute(user.canonical, CONTRACT_CANON, signed, funds),
        ]);
  const og = init.contractKey!;
  return {
    op: "execute",
    module: code.module,
    codeHash: code.codeHash,
    env: baseEnv({ sender: SENDER, funds }),
    msg,
    contractKey:
      c.key === "none" ? undefined : { ogContractKey: c.key === "good" ? og : og.map((b) => b ^ 0x55) },
    sigInfo,
    msgCounter: 1n,
    queryDepth: 0,
    gasLimit: c.gas === "plenty" ? 50_000_000n : 1_000n,
  };
}

/** One run over a copy of `base`: what the caller sees (output, keys, gas, or the coded error) and the store. */
function outcome(input: ContractCallInput, base: MemStore, prepared?: PreparedCalls) {
  const store = new MemStore();
  for (const [k, v] of base.map) store.map.set(k, v.slice());
  const svc = {
    keys,
    store,
    query: noQuery,
    ...(prepared === undefined ? {} : { prepared: prepared.take.bind(prepared) }),
  };
  let result: unknown;
  try {
    result = { ok: runContract(svc, input) };
  } catch (e) {
    if (!(e instanceof OperationError)) throw e;
    result = { code: e.error.code, message: e.error.message, gas: e.gasUsed };
  }
  return { result, stored: [...store.map.entries()].sort(([a], [b]) => (a < b ? -1 : 1)) };
}

function prepareFor(store: PreparedCalls, input: ContractCallInput): void {
  const { binding, verdict } = bindingOf(input.op, input);
  store.add(keys, binding, true, checkAhead(keys, binding, verdict, true));
}

/** Mostly good fields (so whole calls succeed often), each failure kind reachable. */
const caseArb: fc.Arbitrary<Case> = fc.record({
  msg: fc.constantFrom("good", "good", "echo", "echo", "flipped", "plaintext", "wrongHash"),
  sig: fc.constantFrom("good", "good", "good", "otherKey", "none", "otherMsg"),
  key: fc.constantFrom("good", "good", "good", "bad", "none"),
  funds: fc.constantFrom("none", "some"),
  gas: fc.constantFrom("plenty", "plenty", "plenty", "tiny"),
  nonce: fc.integer({ min: 2, max: 200 }),
});

describe("prepared input checks", () => {
  test("prepared and inline calls answer identically (output, gas, errors, stored bytes) over seeded cases", () => {
    const kinds = new Set<string>();
    fc.assert(
      fc.property(caseArb, (c) => {
        const input = inputOf(c);
        const base = new MemStore();
        const inline = outcome(input, base);
        const store = new PreparedCalls();
        prepareFor(store, input);
        const ahead = outcome(input, base, store);
        assert.deepEqual(ahead, inline);
        assert.equal(store.taken, 1, "the prepared outcome was used");
        assert.equal(store.size, 0);
        const r = inline.result as { ok?: unknown; message?: string };
        kinds.add(r.ok !== undefined ? "ok" : String(r.message));
      }),
      { seed: 42, numRuns: 80 },
    );
    // The seeded cases reach success and each kind of failure the checks and the VM produce.
    for (const k of [
      "ok",
      "failed to verify transaction signature",
      "failed to validate transaction",
      "execution ran out of gas",
    ]) {
      assert.ok(kinds.has(k), `no case ended in: ${k} (${[...kinds].join(", ")})`);
    }
  });

  test("a prepare for another binding is never taken; the call runs its own checks", () => {
    fc.assert(
      fc.property(caseArb, caseArb, (a, b) => {
        const ia = inputOf(a);
        const ib = inputOf(b);
        const store = new PreparedCalls();
        prepareFor(store, ia);
        const same = sameBinding(bindingOf("execute", ia).binding, bindingOf("execute", ib).binding);
        const got = outcome(ib, new MemStore(), store);
        assert.deepEqual(got, outcome(ib, new MemStore()));
        assert.equal(store.taken, same ? 1 : 0);
      }),
      { seed: 43, numRuns: 40 },
    );
  });

  test("each binding field counts; the verdict token and state-dependent fields do not", () => {
    const input = inputOf({ msg: "good", sig: "good", key: "good", funds: "some", gas: "plenty", nonce: 7 });
    const b = bindingOf("execute", input).binding;
    const env = input.env;
    const variants: ContractCallInput[] = [
      { ...input, msg: seal("!", 8) },
      { ...input, codeHash: new Uint8Array(32) },
      {
        ...input,
        env: { ...env, message: { ...env.message, sender: humanize(new Uint8Array(20).fill(1)) } },
      },
      { ...input, env: { ...env, message: { ...env.message, funds: [{ denom: "uscrt", amount: "11" }] } } },
      { ...input, env: { ...env, contract: { address: humanize(new Uint8Array(20).fill(2)) } } },
      { ...input, env: { ...env, block: { ...env.block, height: env.block.height + 1n } } },
      { ...input, contractKey: { ogContractKey: new Uint8Array(64) } },
      { ...input, sigInfo: { ...input.sigInfo!, signature: new Uint8Array(64) } },
      { ...input, callbackSig: new Uint8Array(32) },
      { ...input, admin: new Uint8Array(20) },
      { ...input, adminProof: new Uint8Array(32) },
    ];
    for (const v of variants) assert.equal(sameBinding(b, bindingOf("execute", v).binding), false);
    assert.equal(sameBinding(b, bindingOf("instantiate", input).binding), false);
    const same: ContractCallInput[] = [
      { ...input, gasLimit: 1n, msgCounter: 9n, queryDepth: 2, blockRandom: new Uint8Array(32) },
      { ...input, env: { ...env, block: { ...env.block, timeNanos: 1n, chainId: "other" } } },
      { ...input, env: { ...env, transaction: { index: 3, hash: "AB" } } },
      { ...input, sigInfo: { ...input.sigInfo!, verdict: { token: new Uint8Array(32), mac: {} as never } } },
      { ...input, callbackSig: undefined },
    ];
    for (const v of same) assert.equal(sameBinding(b, bindingOf("execute", v).binding), true);
  });

  test("byte fields compare by value at every length (JS loop and native compare), views at any offset", () => {
    const input = inputOf({ msg: "good", sig: "good", key: "good", funds: "some", gas: "plenty", nonce: 7 });
    const fields = ["msg", "signBytes", "txBytes", "codeHash"] as const;
    /** `bytes` as a view at `offset` into a larger array (what a decoded frame hands out). */
    const viewOf = (bytes: Uint8Array, offset: number): Uint8Array => {
      const big = new Uint8Array(offset + bytes.length + 3).fill(0xee);
      big.set(bytes, offset);
      return big.subarray(offset, offset + bytes.length);
    };
    fc.assert(
      fc.property(
        fc.constantFrom(...fields),
        fc.uint8Array({ minLength: 0, maxLength: 200, size: "max" }),
        fc.nat(),
        fc.integer({ min: 0, max: 9 }),
        fc.boolean(),
        (field, bytes, at, offset, flip) => {
          const other = viewOf(bytes, offset);
          if (flip && other.length > 0) other[at % other.length]! ^= 1 << (at % 8);
          const expect = !flip || bytes.length === 0;
          const put = (x: Uint8Array): ContractCallInput =>
            field === "signBytes" || field === "txBytes"
              ? { ...input, sigInfo: { ...input.sigInfo!, [field]: x } }
              : { ...input, [field]: x };
          const left = bindingOf("execute", put(bytes.slice())).binding;
          const right = bindingOf("execute", put(other)).binding;
          assert.equal(sameBinding(left, right), expect);
          assert.equal(sameBinding(right, left), expect);
        },
      ),
      { seed: 44, numRuns: 600 },
    );
  });

  test("slots are bounded: the oldest is dropped (its tx key zeroed), the newest kept", () => {
    const store = new PreparedCalls();
    const inputs = Array.from({ length: MAX_PREPARED_CALLS + 3 }, (_, i) =>
      inputOf({ msg: "good", sig: "good", key: "good", funds: "none", gas: "plenty", nonce: 10 + i }),
    );
    for (const input of inputs) prepareFor(store, input);
    assert.equal(store.size, MAX_PREPARED_CALLS);
    assert.equal(store.dropped, 3);
    const oldest = bindingOf("execute", inputs[0]!).binding;
    assert.equal(store.take(keys, oldest, true), undefined);
    const newest = bindingOf("execute", inputs.at(-1)!).binding;
    assert.equal(store.take(keys, newest, false), undefined, "another signature setting is another key");
    assert.ok(store.take(keys, newest, true) !== undefined);
    assert.equal(store.take(keys, newest, true), undefined, "an outcome serves one call");
    store.clear();
    assert.equal(store.size, 0);
    assert.equal(store.dropped, 3 + MAX_PREPARED_CALLS - 1);
  });
});
