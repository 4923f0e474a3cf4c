// runTx "recheck" (session 13): a RECHECK runs CheckTx's ante without building events. Seeded txs that pass
// and fail ante in every way a RECHECK can see; each runs as "check" and as "recheck" over equal fresh states:
// code, codespace, log, gas wanted/used and every state write must be equal, and "recheck" returns no events.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { MsgExecuteContract, MsgSend, Wallet } from "secretjs";
import { MemoryOverlay } from "../store/memory.js";
import { makeSigner } from "./testdata/secretjsSigner.js";
import { MNEMONIC_A, TEST_CHAIN_ID, makeTestChain } from "./testdata/testHarness.js";
import type { TxResult } from "./runTx.js";

const a = makeSigner(MNEMONIC_A);
/** Never funded: its txs fail with sdk 9 (no account). */
const stranger = makeSigner(
  "bottom loan skill merry east cradle onion journey palm apology verb edit desert impose absurd oil bubble sweet glove shallow size build burst effort",
);
const contract = "secret1k0jntykt7e4g3y88ltc60czgjuqdy4c9e8fzek";

interface Case {
  exec: boolean;
  fromStranger: boolean;
  seqOffset: number;
  gasLimit: number;
  price: number;
  memo: number;
  chainId: string;
  flip: number; // -1: none; else the byte (from the end) to flip
  multi: number;
}

async function build(c: Case, to: string): Promise<Uint8Array> {
  const s = c.fromStranger ? stranger : a;
  const msgs = [];
  for (let i = 0; i < c.multi; i++)
    msgs.push(
      c.exec
        ? new MsgExecuteContract({
            sender: s.address,
            contract_address: contract,
            msg: { transfer: { recipient: to, amount: String(i + 1) } },
            code_hash: "af74387e276be8874f07bec3a87023ee49b0e7ebe08178c49d0a49c3c98ed60e",
            sent_funds: [],
          })
        : new MsgSend({ from_address: s.address, to_address: to, amount: [{ denom: "uscrt", amount: "7" }] }),
    );
  const raw = await s.signDeterministic(
    msgs,
    { accountNumber: 0, sequence: c.seqOffset, chainId: c.chainId },
    { gasLimit: c.gasLimit, gasPriceInFeeDenom: c.price, memo: "m".repeat(c.memo) },
  );
  if (c.flip >= 0) raw[raw.length - 1 - c.flip]! ^= 0x10;
  return raw;
}

const caseArb: fc.Arbitrary<Case> = fc.record({
  exec: fc.boolean(),
  fromStranger: fc.constantFrom(false, false, false, true),
  seqOffset: fc.constantFrom(0, 0, 0, 1),
  gasLimit: fc.constantFrom(200_000, 200_000, 5_000, 10_000_000),
  price: fc.constantFrom(0.1, 0.1, 0.001),
  memo: fc.constantFrom(0, 0, 12, 300),
  chainId: fc.constantFrom(TEST_CHAIN_ID, TEST_CHAIN_ID, TEST_CHAIN_ID, "other-1"),
  flip: fc.constantFrom(-1, -1, -1, 3, 70),
  multi: fc.constantFrom(1, 1, 2),
});

function answer(r: TxResult): unknown[] {
  return [r.code, r.codespace, r.log, r.gasWanted, r.gasUsed];
}

function writes(o: MemoryOverlay): string[] {
  return o
    .pendingWrites()
    .map(
      ([k, v]) =>
        `${Buffer.from(k).toString("hex")}=${v === undefined ? "-" : Buffer.from(v).toString("hex")}`,
    );
}

describe('runTx "recheck"', () => {
  test("same code, log, gas and state writes as check for seeded passing and failing txs; no events", async () => {
    const to = (new Wallet() as unknown as { address: string }).address;
    const chain = makeTestChain({ [a.address]: 10n ** 12n });
    const cases = fc.sample(caseArb, { seed: 1313, numRuns: 80 });
    const codes = new Set<number>();
    let i = 0;
    for (const c of cases) {
      const raw = await build(c, to);
      // Both orders: the first run verifies, the second finds the decoded tx's verdict.
      const modes = i++ % 2 === 0 ? (["check", "recheck"] as const) : (["recheck", "check"] as const);
      const got = new Map<string, { r: TxResult; o: MemoryOverlay }>();
      for (const m of modes) {
        const o = new MemoryOverlay(chain.state);
        got.set(m, { r: chain.run(raw.slice(), m, o), o });
      }
      const check = got.get("check")!;
      const recheck = got.get("recheck")!;
      assert.deepEqual(answer(recheck.r), answer(check.r), JSON.stringify(c));
      assert.deepEqual(writes(recheck.o), writes(check.o), JSON.stringify(c));
      assert.deepEqual(recheck.r.events, []);
      if (check.r.code === 0) assert.ok(check.r.events.length >= 6, "check keeps ante's events");
      codes.add(check.r.code);
    }
    // The sample reaches every outcome: success, bad signature, no account, out of gas, fee, memo, sequence.
    for (const code of [0, 4, 9, 11, 12, 13, 32]) assert.ok(codes.has(code), `no case with code ${code}`);
  });
});
