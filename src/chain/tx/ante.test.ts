// Ante + runTx against txs signed by secretjs itself (LocalSecret mnemonic a), through real auth and bank.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { MsgSend, MsgExecuteContract } from "secretjs";
import { TxMsgData } from "cosmjs-types/cosmos/base/abci/v1beta1/abci";
import { MemoryOverlay } from "../store/memory.js";
import { fromBech32 } from "../address.js";
import { MAX_TX_BYTES } from "./decode.js";
import { makeSigner } from "./testdata/secretjsSigner.js";
import { MNEMONIC_A, TEST_CHAIN_ID, makeTestChain } from "./testdata/testHarness.js";
import { txResponseJson, txToAnyJson } from "./json.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { decodeTx } from "./decode.js";
import { txSigners } from "./ante.js";
import { deepFreeze } from "./txCache.js";
import { fromBase64, fromHex } from "../../util/bytes.js";

const a = makeSigner(MNEMONIC_A);
// A second fixed key (LocalSecret account "b").
const b = makeSigner(
  "jelly shadow frog dirt dragon use armed praise universe win jungle close inmate rain oil canvas beauty pioneer chef soccer icon dizzy thunder meadow",
);
const signerData = (sequence: number, chainId = TEST_CHAIN_ID) => ({ accountNumber: 0, sequence, chainId });
const send = (amount: string, to = b.address) =>
  new MsgSend({ from_address: a.address, to_address: to, amount: [{ denom: "uscrt", amount }] });

function balance(c: ReturnType<typeof makeTestChain>, addr: string): bigint {
  return c.bank.keeper.getBalance(c.ctx(), fromBech32(addr), "uscrt").amount;
}

describe("runTx with secretjs-signed txs", () => {
  test("MsgSend with secretjs defaults succeeds within 25,000 gas and charges the full fee", async () => {
    const c = makeTestChain({ [a.address]: 1_000_000n });
    const raw = await a.sign([send("1")], signerData(0));
    const r = c.run(raw);
    assert.equal(r.code, 0, r.log);
    assert.equal(r.log, "");
    assert.equal(r.gasWanted, 25_000n);
    assert.ok(r.gasUsed <= 25_000n, `gas used ${r.gasUsed}`);
    console.log(`MsgSend (new recipient): tx ${raw.length} bytes, gas used ${r.gasUsed}`);
    assert.equal(balance(c, a.address), 1_000_000n - 1n - 2_500n);
    assert.equal(balance(c, b.address), 1n);
    const acc = c.auth.keeper.getAccount(c.ctx(), fromBech32(a.address))!;
    assert.equal(acc.sequence, 1n);
    assert.equal(acc.pubKey?.length, 33);
    assert.equal(c.bank.keeper.checkSupplyInvariant(c.ctx()), undefined);
    const types = r.events.map((e) => e.type);
    for (const t of ["tx", "coin_spent", "coin_received", "transfer", "message"])
      assert.ok(types.includes(t), t);
    const msgEvent = r.events.find(
      (e) => e.type === "message" && e.attributes.some((x) => x.key === "action"),
    )!;
    const attr = (k: string) => msgEvent.attributes.find((x) => x.key === k)?.value;
    assert.equal(attr("action"), "/cosmos.bank.v1beta1.MsgSend");
    assert.equal(attr("sender"), a.address);
    assert.equal(attr("module"), "bank");
    assert.equal(attr("msg_index"), "0");
    const resp = txResponseJson(r, { height: 5n, timestamp: "2026-01-01T00:00:00Z" });
    assert.equal(resp.code, 0);
    assert.equal(resp.raw_log, "");
    assert.equal(resp.txhash, Buffer.from(sha256(raw)).toString("hex").toUpperCase());
    assert.deepEqual(fromHex(resp.data as string), r.data);
    const data = TxMsgData.decode(r.data);
    assert.equal(data.msgResponses[0]?.typeUrl, "/cosmos.bank.v1beta1.MsgSendResponse");

    // Second send to an existing account, same gas budget.
    const r2 = c.run(await a.sign([send("2")], signerData(1)));
    assert.equal(r2.code, 0, r2.log);
    console.log(`MsgSend (existing recipient): gas used ${r2.gasUsed}`);
  });

  test("replay, wrong chain id, wrong account number are rejected with nothing written", async () => {
    const c = makeTestChain({ [a.address]: 1_000_000n });
    const raw = await a.sign([send("1")], signerData(0));
    assert.equal(c.run(raw).code, 0);
    const cases: [Uint8Array, number][] = [
      [raw, 32],
      [await a.sign([send("1")], signerData(1, "other-chain")), 4],
      [await a.sign([send("1")], { accountNumber: 7, sequence: 1, chainId: TEST_CHAIN_ID }), 4],
    ];
    for (const [tx, code] of cases) {
      const s = new MemoryOverlay(c.state);
      const r = c.run(tx, "deliver", s);
      assert.equal(r.code, code, r.log);
      assert.equal(r.codespace, "sdk");
      assert.equal(s.size, 0, "a failed ante writes nothing");
    }
  });

  test("fees: min gas price in CheckTx (13), insufficient funds for fee (5), unknown signer (9)", async () => {
    const c = makeTestChain({ [a.address]: 1_000_000n });
    const cheap = await a.sign([send("1")], signerData(0), { gasPriceInFeeDenom: 0.001 });
    assert.equal(c.run(cheap, "check", new MemoryOverlay(c.state)).code, 13);
    assert.equal(
      c.run(cheap, "deliver", new MemoryOverlay(c.state)).code,
      0,
      "min gas price is CheckTx-only",
    );
    const poor = makeTestChain({ [a.address]: 100n });
    assert.equal(poor.run(await a.sign([send("1")], signerData(0))).code, 5);
    const none = makeTestChain({ [b.address]: 100n });
    assert.equal(none.run(await a.sign([send("1")], signerData(0))).code, 9);
  });

  test("memo too large (12), out of gas (11), message failure keeps fee and sequence", async () => {
    const c = makeTestChain({ [a.address]: 1_000_000n });
    const memo = await a.sign([send("1")], signerData(0), { memo: "x".repeat(257) });
    const tooLong = c.run(memo, "deliver", new MemoryOverlay(c.state));
    assert.equal(tooLong.code, 12);
    assert.match(tooLong.log, /^maximum number of characters is 256 but received 257 characters/);
    // Multi-byte and lone-surrogate memos are measured in UTF-8 bytes as the encoder writes them (U+FFFD: 3).
    const wide = await a.sign([send("1")], signerData(0), { memo: "é".repeat(128) + "\ud800" });
    assert.match(c.run(wide, "check", new MemoryOverlay(c.state)).log, /received 259 characters/);
    fc.assert(
      fc.property(
        fc.string({ unit: "binary", maxLength: 40 }),
        fc.string({ unit: "grapheme", maxLength: 8 }),
        (x, y) => {
          const memoText = x + "\udc00" + y;
          assert.equal(Buffer.byteLength(memoText, "utf8"), new TextEncoder().encode(memoText).length);
        },
      ),
      { seed: 3, numRuns: 2000 },
    );
    const s = new MemoryOverlay(c.state);
    const oog = c.run(await a.sign([send("1")], signerData(0), { gasLimit: 3_000 }), "deliver", s);
    assert.equal(oog.code, 11);
    assert.match(oog.log, /out of gas in location/);
    assert.equal(s.size, 0);
    const big = c.run(await a.sign([send("999999999")], signerData(0)));
    assert.equal(big.code, 5);
    assert.match(big.log, /^failed to execute message; message index: 0: /);
    assert.equal(balance(c, a.address), 1_000_000n - 2_500n, "fee kept");
    assert.equal(c.auth.keeper.getAccount(c.ctx(), fromBech32(a.address))!.sequence, 1n);
    assert.equal(c.bank.keeper.checkSupplyInvariant(c.ctx()), undefined);
  });

  test("simulate runs without a signature and writes nothing", async () => {
    const c = makeTestChain({ [a.address]: 1_000_000n });
    const s = new MemoryOverlay(c.state);
    const sim = await a.simulate([send("5")], signerData(0));
    const r = c.run(sim, "simulate", s);
    assert.equal(r.code, 0, r.log);
    assert.ok(r.gasUsed > 0n);
    assert.equal(s.size, 0);
    assert.equal(c.run(sim, "deliver", s).code, 4, "the zero signature does not verify");
    // The estimate equals what the signed tx then uses (same size, same reads/writes): secretjs' 1.25× is margin.
    const real = c.run(await a.sign([send("5")], signerData(0)), "deliver", new MemoryOverlay(c.state));
    assert.equal(real.code, 0, real.log);
    assert.equal(real.gasUsed, r.gasUsed);
  });

  test("oversized and garbage txs are coded errors (21, 2)", () => {
    const c = makeTestChain({ [a.address]: 1n });
    assert.equal(c.run(new Uint8Array(MAX_TX_BYTES + 1)).code, 21);
    assert.equal(c.run(new Uint8Array([0xff, 0xff, 0xff])).code, 2);
    assert.equal(c.run(new Uint8Array()).code, 2);
  });

  test("compute execute decodes (canonical sender/contract) and renders msg as base64 JSON", async () => {
    const c = makeTestChain({ [a.address]: 1_000_000n });
    const codeHash = "ab".repeat(32);
    const raw = await a.sign(
      [
        new MsgExecuteContract({
          sender: a.address,
          contract_address: b.address,
          code_hash: codeHash,
          msg: { ping: {} },
          sent_funds: [],
        }),
      ],
      signerData(0),
    );
    const tx = decodeTx(raw, c.registry);
    const json = txToAnyJson(tx) as {
      body: { messages: { "@type": string; msg: string; sender: string; contract: string }[] };
    };
    const m = json.body.messages[0]!;
    assert.equal(m["@type"], "/secret.compute.v1beta1.MsgExecuteContract");
    assert.equal(m.sender, a.address);
    assert.equal(m.contract, b.address);
    assert.equal(Buffer.from(fromBase64(m.msg)).toString(), codeHash + JSON.stringify({ ping: {} }));
    // No compute handler is registered in this harness: ante passes, the message fails with unknown request (6).
    const r = c.run(raw);
    assert.equal(r.code, 6);
    assert.equal(c.auth.keeper.getAccount(c.ctx(), fromBech32(a.address))!.sequence, 1n);
  });

  test("txSigners: remembered per frozen (cached) tx, callers get their own list", async () => {
    const c = makeTestChain({ [a.address]: 1_000_000n });
    const raw = await a.sign([send("1"), send("2")], signerData(0));
    assert.ok(Object.isFrozen(c.run(raw, "check", new MemoryOverlay(c.state)).tx));
    const frozen = deepFreeze(decodeTx(raw, c.registry)); // as the tx cache keeps it; not asked for yet
    const first = txSigners(frozen);
    assert.deepEqual(first, [fromBech32(a.address)]);
    first.push(new Uint8Array(20));
    assert.deepEqual(txSigners(frozen), [fromBech32(a.address)], "a caller's change does not reach the memo");
    assert.deepEqual(txSigners(decodeTx(raw, c.registry)), [fromBech32(a.address)], "an unfrozen tx");
  });

  test("determinism: the same genesis and txs give byte-identical state writes", async () => {
    const txs = [
      await a.sign([send("1")], signerData(0)),
      await a.sign([send("2"), send("3")], signerData(1)),
    ];
    const runAll = () => {
      const c = makeTestChain({ [a.address]: 1_000_000n });
      const s = new MemoryOverlay(c.state);
      const results = txs.map((t) => c.run(t, "deliver", s));
      return {
        writes: s.pendingWrites(),
        results: results.map((r) => [r.code, r.gasUsed, r.events, r.data]),
      };
    };
    const x = runAll();
    const y = runAll();
    assert.deepEqual(x, y);
    assert.ok(x.results.every((r) => r[0] === 0));
  });
});

describe("results pinned to the session-11 tree (08475fb)", () => {
  // Two successful txs (a MsgSend; a MsgSend + MsgMultiSend with a memo) and a failing one (insufficient funds),
  // each through CheckTx and deliver: code, log, gas, every event attribute in order, data. The digest was taken
  // with the same code on 08475fb, before session 12's allocation cuts in ante, events, runMsgs and bank (K1):
  // those cuts must leave every byte as it was.
  test("CheckTx and deliver results of fixed txs are byte-identical to the pinned ones", async () => {
    const { MsgMultiSend } = await import("secretjs");
    const { createHash } = await import("node:crypto");
    const c = makeTestChain({ [a.address]: 1_000_000n });
    const s = (i: number) => ({ accountNumber: 0, sequence: i, chainId: TEST_CHAIN_ID });
    const coin = (amount: string) => [{ denom: "uscrt", amount }];
    const txs = [
      await a.signDeterministic([send("7")], s(0)),
      await a.signDeterministic(
        [
          send("8"),
          new MsgMultiSend({
            inputs: [{ address: a.address, coins: coin("6") }],
            outputs: [
              { address: b.address, coins: coin("2") },
              { address: a.address, coins: coin("4") },
            ],
          }),
        ],
        s(1),
        { memo: "hello" },
      ),
      await a.signDeterministic([send("999999999")], s(2)),
    ];
    const out: string[] = [];
    const check = new MemoryOverlay(c.state);
    for (const t of txs)
      for (const mode of ["check", "deliver"] as const) {
        const r = c.run(t, mode, mode === "check" ? check : c.state);
        out.push(
          JSON.stringify([
            mode,
            r.code,
            r.codespace,
            r.log,
            r.gasWanted.toString(),
            r.gasUsed.toString(),
            r.events,
            Buffer.from(r.data).toString("hex"),
          ]),
        );
      }
    assert.equal(
      createHash("sha256").update(out.join("\n")).digest("hex"),
      "89455fd6c9d7986b56fc5943c8bb1f295a3005d665dd3f70cf68bcc5936d356d",
      out.join("\n"),
    );
  });
});
