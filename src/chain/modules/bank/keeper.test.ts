// Bank keeper invariants under seeded random operation sequences, the send-only view, and MsgSend/MultiSend
// failure modes through the real handlers.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { MemoryOverlay } from "../../store/memory.js";
import { isError, SdkErrors } from "../../errors.js";
import { toBech32 } from "../../address.js";
import { makeTestChain } from "../../tx/testdata/testHarness.js";
import { BankErrors } from "./errors.js";
import { decodeAmount, sendOnlyView } from "./keeper.js";
import { parseAmount } from "../../tx/coins.js";
import { utf8 } from "../../../util/bytes.js";
import { handleMsgMultiSend, handleMsgSend } from "./msgServer.js";

const addrs = [1, 2, 3, 4].map((i) => new Uint8Array(20).fill(i));
const bech = addrs.map((a) => toBech32(a));
const denoms = ["uscrt", "uatom"];

test("random sends/mints/burns keep supply == sum of balances and never go negative", () => {
  const c = makeTestChain({ [bech[0]!]: 1000n, [bech[1]!]: 500n });
  const k = c.bank.keeper;
  const op = fc.tuple(fc.nat(4), fc.nat(3), fc.nat(3), fc.nat(1), fc.bigInt({ min: 1n, max: 2000n }));
  fc.assert(
    fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
      const s = new MemoryOverlay(c.state);
      const ctx = c.ctx(s);
      for (const [kind, i, j, d, amount] of ops) {
        const amt = [{ denom: denoms[d]!, amount }];
        const before = s.pendingWrites().length;
        try {
          if (kind === 0) k.sendCoins(ctx, addrs[i]!, addrs[j]!, amt);
          else if (kind === 1) k.mintCoins(ctx, "mint", amt);
          else if (kind === 2) k.sendCoinsFromModuleToAccount(ctx, "mint", addrs[i]!, amt);
          else if (kind === 3) k.sendCoinsFromAccountToModule(ctx, addrs[i]!, "fee_collector", amt);
          else
            k.inputOutputCoins(ctx, { address: addrs[i]!, coins: amt }, [{ address: addrs[j]!, coins: amt }]);
        } catch (e) {
          assert.ok(isError(e, SdkErrors.InsufficientFunds), String(e));
          assert.equal(s.pendingWrites().length, before, "a failed transfer wrote nothing");
        }
        assert.equal(k.checkSupplyInvariant(ctx), undefined);
      }
    }),
    { seed: 42, numRuns: 300 },
  );
});

test("burn needs the burner permission; mint needs minter; the send-only view has neither", () => {
  const c = makeTestChain({ [bech[0]!]: 10n });
  const ctx = c.ctx(new MemoryOverlay(c.state));
  assert.throws(() => {
    c.bank.keeper.burnCoins(ctx, "mint", [{ denom: "uscrt", amount: 1n }]);
  }, /burn/);
  assert.throws(() => {
    c.bank.keeper.mintCoins(ctx, "fee_collector", [{ denom: "uscrt", amount: 1n }]);
  }, /mint/);
  const view = sendOnlyView(c.bank.keeper) as unknown as Record<string, unknown>;
  assert.deepEqual(Object.keys(view).sort(), [
    "blockedAddr",
    "getAllBalances",
    "getBalance",
    "isSendEnabledCoins",
    "sendCoins",
  ]);
  assert.ok(Object.isFrozen(view));
});

test("MsgSend/MultiSend fail as the SDK does", () => {
  const c = makeTestChain({ [bech[0]!]: 100n });
  const k = c.bank.keeper;
  const ctx = c.ctx(new MemoryOverlay(c.state));
  const coin = (amount: string, denom = "uscrt") => [{ denom, amount }];
  const send = (to: string, amount: ReturnType<typeof coin>) =>
    handleMsgSend(k, ctx, { fromAddress: bech[0]!, toAddress: to, amount });
  assert.ok(send(bech[1]!, coin("5")));
  assert.equal(k.getBalance(ctx, addrs[1]!, "uscrt").amount, 5n);
  assert.ok(c.auth.keeper.hasAccount(ctx, addrs[1]!), "recipient account created");
  const fc_ = toBech32(c.auth.keeper.getModuleAddress("fee_collector"));
  const cases: [() => unknown, (e: unknown) => boolean][] = [
    [() => send(fc_, coin("1")), (e) => isError(e, SdkErrors.Unauthorized)],
    [() => send("secret1xyz", coin("1")), (e) => isError(e, SdkErrors.InvalidAddress)],
    [() => send(bech[1]!, coin("0")), (e) => isError(e, SdkErrors.InvalidCoins)],
    [() => send(bech[1]!, []), (e) => isError(e, SdkErrors.InvalidCoins)],
    [
      () => send(bech[1]!, [...coin("1", "uscrt"), ...coin("1", "uatom")]),
      (e) => isError(e, SdkErrors.InvalidCoins),
    ],
    [() => send(bech[1]!, coin("1000")), (e) => isError(e, SdkErrors.InsufficientFunds)],
    [() => handleMsgMultiSend(k, ctx, { inputs: [], outputs: [] }), (e) => isError(e, BankErrors.NoInputs)],
    [
      () =>
        handleMsgMultiSend(k, ctx, {
          inputs: [{ address: bech[0]!, coins: coin("2") }],
          outputs: [{ address: bech[1]!, coins: coin("1") }],
        }),
      (e) => isError(e, BankErrors.InputOutputMismatch),
    ],
  ];
  for (const [f, ok] of cases) assert.throws(f, ok);
  k.setSendEnabled(ctx, "uscrt", false);
  assert.throws(
    () => send(bech[1]!, coin("1")),
    (e) => isError(e, BankErrors.SendDisabled),
  );
  assert.equal(k.checkSupplyInvariant(ctx), undefined);
});

test("decodeAmount: the short-digit fast path answers exactly as the session-11 decoder (values and errors)", () => {
  // The session-11 decoder, kept as the reference: every stored amount went through a string and parseAmount.
  const reference = (b: Uint8Array): bigint => {
    let s = "";
    for (let i = 0; i < b.length; i++) {
      const c = b[i]!;
      if (c >= 0x80) return parseAmount(utf8.decode(b), "stored amount");
      s += String.fromCharCode(c);
    }
    return parseAmount(s, "stored amount");
  };
  const outcome = (f: () => bigint): string => {
    try {
      return `ok ${f()}`;
    } catch (e) {
      const c = e as { code?: number; message?: string };
      return `err ${c.code} ${c.message}`;
    }
  };
  const digit = fc.integer({ min: 0x30, max: 0x39 });
  const near = fc.oneof(digit, digit, digit, fc.constantFrom(0x2f, 0x3a, 0x2d, 0x20, 0x00, 0x80, 0xff));
  const bytes = fc.oneof(
    fc.array(digit, { minLength: 0, maxLength: 20 }),
    fc.array(near, { minLength: 0, maxLength: 18 }),
    fc.array(digit, { minLength: 14, maxLength: 90 }),
    fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 20 }),
  );
  fc.assert(
    fc.property(bytes, (xs) => {
      const b = Uint8Array.from(xs);
      assert.equal(
        outcome(() => decodeAmount(b)),
        outcome(() => reference(b)),
      );
    }),
    { seed: 12, numRuns: 20_000 },
  );
  // The edges of the fast path: 15 digits (fast), 16 (string path), max safe neighbours, leading zeros.
  for (const s of ["0", "000", "999999999999999", "9999999999999999", "9007199254740993", "0000000000000001"])
    assert.equal(decodeAmount(utf8.encode(s)), BigInt(s));
});
