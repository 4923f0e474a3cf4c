// Seeded fuzz over tx decoding + ante + messages (≥100,000 cases): random bytes, random TxRaw framings and
// mutated real secretjs txs. Invariants: runTx never throws, every failure is a registered non-panic code,
// a failed ante writes nothing, a failed message keeps exactly ante's writes, simulate writes nothing, and bank's
// supply invariant always holds.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { MsgSend, MsgMultiSend, MsgExecuteContract } from "secretjs";
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { MemoryOverlay } from "../store/memory.js";
import { lookupError } from "../errors.js";
import type { RunMode } from "./runTx.js";
import { makeAminoSigner, makeSigner } from "./testdata/secretjsSigner.js";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { aminoSignBytes } from "./amino.js";
import { decodeTx } from "./decode.js";
import { MNEMONIC_A, TEST_CHAIN_ID, makeTestChain } from "./testdata/testHarness.js";

const a = makeSigner(MNEMONIC_A);
const B = "secret1fc3fzy78ttp0lwuujw7e52rhspxn8uj52zfyne";

/** secretjs' AminoWallet tx (sign mode 127), re-signed deterministically over our amino sign bytes. */
async function aminoDeterministic(msg: MsgSend): Promise<Uint8Array> {
  const c = makeTestChain({});
  const unsigned = await makeAminoSigner(MNEMONIC_A).simulate([msg], {
    accountNumber: 0,
    sequence: 0,
    chainId: TEST_CHAIN_ID,
  });
  const bytes = aminoSignBytes(decodeTx(unsigned, c.registry), TEST_CHAIN_ID, 0n, 0n);
  const raw = TxRaw.decode(unsigned);
  const wallet = makeAminoSigner(MNEMONIC_A).wallet;
  return TxRaw.encode({
    ...raw,
    signatures: [secp256k1.sign(bytes, wallet.privateKey, { prehash: true })],
  }).finish();
}

async function realTxs(): Promise<Uint8Array[]> {
  const sd = (sequence: number) => ({ accountNumber: 0, sequence, chainId: TEST_CHAIN_ID });
  const send = new MsgSend({
    from_address: a.address,
    to_address: B,
    amount: [{ denom: "uscrt", amount: "7" }],
  });
  const multi = new MsgMultiSend({
    inputs: [{ address: a.address, coins: [{ denom: "uscrt", amount: "3" }] }],
    outputs: [
      { address: B, coins: [{ denom: "uscrt", amount: "1" }] },
      { address: a.address, coins: [{ denom: "uscrt", amount: "2" }] },
    ],
  });
  const exec = new MsgExecuteContract({
    sender: a.address,
    contract_address: B,
    code_hash: "cd".repeat(32),
    msg: { x: 1 },
    sent_funds: [],
  });
  return [
    await a.signDeterministic([send], sd(0)),
    await a.signDeterministic([multi], sd(0)),
    await a.signDeterministic([send, multi], sd(0), { memo: "fuzz", gasLimit: 60_000 }),
    await a.signDeterministic([exec], sd(0)),
    await a.simulate([send], sd(0)),
    await aminoDeterministic(send),
  ];
}

function mutate(base: Uint8Array, edits: readonly [number, number, number][]): Uint8Array {
  let out = Uint8Array.from(base); // secretjs returns Buffers, whose slice() would alias
  for (const [kind, pos, byte] of edits) {
    const p = pos % Math.max(out.length, 1);
    if (kind === 0) out[p] = byte;
    else if (kind === 1) out = out.slice(0, p);
    else if (kind === 2) out = Uint8Array.from([...out.subarray(0, p), byte, ...out.subarray(p)]);
    else out = Uint8Array.from([...out.subarray(0, p), ...out.subarray(p + 1)]);
  }
  return out;
}

test("fuzz: 100,000 seeded cases over decode + ante + messages", { timeout: 120_000 }, async () => {
  const c = makeTestChain({ [a.address]: 10_000_000n });
  // Same keepers, no minimum gas price: "check" mode then runs exactly the ante part of a deliver.
  const anteOnly = makeTestChain({ [a.address]: 10_000_000n }, "");
  const bases = await realTxs();
  const codes = new Map<number, number>();
  let cases = 0;
  const check = (raw: Uint8Array, mode: RunMode): void => {
    const s = new MemoryOverlay(c.state);
    const r = c.run(raw, mode, s);
    cases++;
    codes.set(r.code, (codes.get(r.code) ?? 0) + 1);
    if (r.code !== 0) {
      assert.ok(lookupError(r.codespace, r.code), `unregistered ${r.codespace}/${r.code}`);
      assert.notEqual(r.codespace, "undefined", `panic: ${r.log}`);
      if (r.events.length === 0) assert.equal(s.size, 0, "failed ante left writes");
      else if (mode === "deliver") {
        // A failed message keeps exactly ante's writes (fee, sequence, pubkey): nothing half-applied.
        const s2 = new MemoryOverlay(c.state);
        assert.equal(anteOnly.run(raw, "check", s2).code, 0);
        assert.deepEqual(s.pendingWrites(), s2.pendingWrites());
      }
    }
    if (mode === "simulate") assert.equal(s.size, 0, "simulate left writes");
    if (s.size > 0) {
      const inv = c.bank.keeper.checkSupplyInvariant(c.ctx(s));
      assert.equal(inv, undefined, inv);
    }
  };
  const mode = fc.constantFrom<RunMode>("deliver", "check", "simulate");
  // 1. Random bytes (30,000).
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), mode, (raw, m) => {
      check(raw, m);
    }),
    { seed: 42, numRuns: 30_000 },
  );
  // 2. Well-framed TxRaw with random body / auth info / signatures (30,000).
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 120 }),
      fc.uint8Array({ maxLength: 120 }),
      fc.array(fc.uint8Array({ maxLength: 70 }), { maxLength: 2 }),
      (body, auth, sigs) => {
        check(TxRaw.encode({ bodyBytes: body, authInfoBytes: auth, signatures: sigs }).finish(), "deliver");
      },
    ),
    { seed: 43, numRuns: 30_000 },
  );
  // 3. Mutated real txs in simulate mode: signatures are not checked, so mutations reach the messages (32,000).
  // Mostly in-place byte replacements (they keep the framing, so the tx reaches ante and the messages).
  const kind = fc.constantFrom(0, 0, 0, 0, 0, 0, 1, 2, 3);
  const edits = fc.array(fc.tuple(kind, fc.nat(400), fc.nat(255)), { minLength: 1, maxLength: 3 });
  fc.assert(
    fc.property(fc.nat(bases.length - 1), edits, (i, e) => {
      check(mutate(bases[i]!, e), "simulate");
    }),
    { seed: 44, numRuns: 32_000 },
  );
  // 4. Mutated real txs in deliver/check mode, including signature verification (8,000).
  fc.assert(
    fc.property(fc.nat(bases.length - 1), edits, fc.constantFrom<RunMode>("deliver", "check"), (i, e, m) => {
      check(mutate(bases[i]!, e), m);
    }),
    { seed: 45, numRuns: 8_000 },
  );
  // The unmutated real txs themselves succeed (except the simulate one, whose zero signature must fail).
  for (const [i, raw] of bases.entries()) {
    const r = c.run(raw, "deliver", new MemoryOverlay(c.state));
    if (i === 3) assert.equal(r.code, 6, "no compute handler in this harness");
    else if (i === 5) assert.equal(r.code, 0, `amino base: ${r.log}`);
    else assert.equal(r.code, i === 4 ? 4 : 0, `base ${i}: ${r.log}`);
  }
  assert.ok(cases >= 100_000, `${cases} cases`);
  console.log("fuzz result codes:", JSON.stringify([...codes.entries()].sort((x, y) => x[0] - y[0])));
});
