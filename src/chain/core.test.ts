// Error registry, addresses, gas meter / gas-metered store, coins and fee arithmetic.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ChainError, SdkErrors, isError, listErrors, lookupError, registerError } from "./errors.js";
import {
  fromBech32,
  isSecp256k1PubkeyAddress,
  moduleAddress,
  moduleAddressShared,
  secp256k1PubkeyToAddress,
  toBech32,
} from "./address.js";
import { GasKVStore, GasMeter, SECRET_KV_GAS_CONFIG } from "./gas.js";
import { MemoryKVStore } from "./store/memory.js";
import { addCoins, coinsToString, parseCoins } from "./tx/coins.js";
import { checkMinGasPrice, parseGasPrice, requiredFees } from "./tx/fees.js";
import { Wallet } from "secretjs";
import { bech32 } from "@scure/base";
import fc from "fast-check";
import "./modules/bank/errors.js";

test("error registry: SDK numbers, unique, append-only", () => {
  const expected: [number, string][] = [
    [2, "tx parse error"],
    [3, "invalid sequence"],
    [4, "unauthorized"],
    [5, "insufficient funds"],
    [11, "out of gas"],
    [12, "memo too large"],
    [13, "insufficient fee"],
    [18, "invalid request"],
    [19, "tx already in mempool"],
    [21, "tx too large"],
    [22, "key not found"],
    [32, "incorrect account sequence"],
  ];
  for (const [code, msg] of expected) assert.equal(lookupError("sdk", code)?.message, msg);
  assert.equal(lookupError("bank", 9)?.message, "multiple senders not allowed");
  assert.throws(() => registerError("sdk", 2, "again"), /already registered/);
  const ids = listErrors().map((e) => `${e.codespace}/${e.code}`);
  assert.equal(new Set(ids).size, ids.length);
  const e = new ChainError(SdkErrors.WrongSequence, "account sequence mismatch, expected 1, got 0");
  assert.equal(e.message, "account sequence mismatch, expected 1, got 0: incorrect account sequence");
  assert.ok(isError(e, SdkErrors.WrongSequence));
});

test("addresses: secretjs wallet address = ripemd160(sha256(pubkey)); bech32 strictness", () => {
  const w = new Wallet(
    "grant rice replace explain federal release fix clever romance raise often wild taxi quarter soccer fiber love must tape steak together observe swap guitar",
  );
  assert.equal(toBech32(secp256k1PubkeyToAddress(w.publicKey)), w.address);
  assert.equal(w.address, "secret1ap26qrlp8mcq2pg6r47w43l0y8zkqm8a450s03"); // LocalSecret account a
  assert.deepEqual(fromBech32(w.address), secp256k1PubkeyToAddress(w.publicKey));
  assert.throws(
    () => fromBech32("cosmos1ap26qrlp8mcq2pg6r47w43l0y8zkqm8a450s03"),
    (x) => isError(x, SdkErrors.InvalidAddress),
  );
  assert.throws(
    () => fromBech32(w.address.slice(0, -1) + "4"),
    (x) => isError(x, SdkErrors.InvalidAddress),
  );
  assert.throws(
    () => fromBech32(""),
    (x) => isError(x, SdkErrors.InvalidAddress),
  );
  // SDK authtypes.NewModuleAddress("fee_collector"): the well-known Cosmos Hub fee collector address.
  assert.equal(
    toBech32(moduleAddress("fee_collector"), "cosmos"),
    "cosmos17xpfvakm2amg962yls6f84z3kell8c5lserqta",
  );
});

test("gas meter and gas KV store charge Secret's schedule", () => {
  const meter = new GasMeter(10_000n);
  const s = new GasKVStore(new MemoryKVStore(), meter);
  s.set(Uint8Array.of(1, 2), Uint8Array.of(3, 4, 5));
  assert.equal(meter.consumed, SECRET_KV_GAS_CONFIG.writeCostFlat + 5n * 5n);
  s.get(Uint8Array.of(1, 2));
  assert.equal(meter.consumed, 225n + 100n + 2n + 3n);
  s.has(Uint8Array.of(9));
  s.delete(Uint8Array.of(1, 2));
  assert.equal(meter.consumed, 330n + 100n + 100n);
  assert.throws(
    () => {
      meter.consume(10_000n, "big");
    },
    (e) => isError(e, SdkErrors.OutOfGas) && /gasWanted: 10000, gasUsed: 10530/.test((e as Error).message),
  );
  assert.equal(new GasMeter(undefined).remaining, undefined);
});

test("coins and fees: validation, ordering, ceil(price × gas)", () => {
  assert.equal(
    coinsToString(addCoins(parseCoins([{ denom: "uatom", amount: "2" }]), [{ denom: "uscrt", amount: 3n }])),
    "2uatom,3uscrt",
  );
  assert.throws(
    () =>
      parseCoins([
        { denom: "uscrt", amount: "1" },
        { denom: "uatom", amount: "1" },
      ]),
    (e) => isError(e, SdkErrors.InvalidCoins),
  );
  assert.throws(
    () => parseCoins([{ denom: "u", amount: "1" }]),
    (e) => isError(e, SdkErrors.InvalidCoins),
  );
  assert.throws(
    () => parseCoins([{ denom: "uscrt", amount: "-1" }]),
    (e) => isError(e, SdkErrors.InvalidCoins),
  );
  assert.throws(
    () => parseCoins([{ denom: "uscrt", amount: "1".repeat(80) }]),
    (e) => isError(e, SdkErrors.InvalidCoins),
  );
  const p = parseGasPrice("0.0125uscrt");
  assert.deepEqual(requiredFees([p], 25_000n), [{ denom: "uscrt", amount: 313n }]); // 312.5 rounds up
  checkMinGasPrice([{ denom: "uscrt", amount: 2500n }], [p], 25_000n); // secretjs default fee passes
  assert.throws(
    () => {
      checkMinGasPrice([{ denom: "uscrt", amount: 312n }], [p], 25_000n);
    },
    (e) => isError(e, SdkErrors.InsufficientFee),
  );
  assert.throws(() => parseGasPrice("0.1"), RangeError);
});

test("bech32 memo: same answers as @scure/base both ways, fresh copies, errors never remembered", () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 1, maxLength: 40 }),
      fc.constantFrom("secret", "secretvaloper"),
      (b, p) => {
        const s = toBech32(b, p);
        assert.equal(s, bech32.encode(p, bech32.toWords(b), false));
        assert.equal(toBech32(b, p), s, "memo hit");
        const view = Uint8Array.of(7, ...b, 9).subarray(1, b.length + 1);
        assert.equal(toBech32(view, p), s, "a view with an offset");
        const mine = b.slice();
        toBech32(mine, p);
        mine[0]! ^= 1;
        assert.equal(
          toBech32(mine, p),
          bech32.encode(p, bech32.toWords(mine), false),
          "changed after a call",
        );
        assert.equal(toBech32(b, p), s, "a caller's change does not reach the memo");
        assert.deepEqual(fromBech32(s, "f", p), b);
        const copy = fromBech32(s, "f", p);
        copy.fill(0);
        assert.deepEqual(fromBech32(s, "f", p), b, "a caller's change does not reach the memo");
      },
    ),
    { seed: 42, numRuns: 5000 }, // > the memo bound: it is cleared and refilled on the way
  );
  const good = toBech32(new Uint8Array(20).fill(3));
  assert.throws(() => fromBech32(good, "x", "cosmos"), /expected cosmos, got secret/);
  assert.deepEqual(fromBech32(good), new Uint8Array(20).fill(3));
  assert.throws(() => fromBech32(good.slice(0, -1) + (good.endsWith("q") ? "p" : "q"), "mine"), /mine/);
  const m = moduleAddress("fee_collector");
  m.fill(0);
  assert.notDeepEqual(moduleAddress("fee_collector"), m);
});

test("isSecp256k1PubkeyAddress = comparing with secp256k1PubkeyToAddress; moduleAddressShared = moduleAddress", () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 0, maxLength: 70 }),
      fc.uint8Array({ minLength: 0, maxLength: 22 }),
      fc.boolean(),
      (pk, other, own) => {
        const real = secp256k1PubkeyToAddress(pk);
        const addr = own ? real.slice() : other;
        const same = real.length === addr.length && real.every((b, i) => b === addr[i]);
        assert.equal(isSecp256k1PubkeyAddress(pk, addr), same);
        // The memo hands out copies: writing to one does not change the next answer.
        real.fill(0);
        assert.equal(isSecp256k1PubkeyAddress(pk, addr), same);
      },
    ),
    { seed: 7, numRuns: 2000 },
  );
  for (const n of ["fee_collector", "mint", "bonded_tokens_pool"])
    assert.deepEqual(moduleAddressShared(n), moduleAddress(n));
});
