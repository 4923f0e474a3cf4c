// The CheckTx-log fast path: whenever PrepareProposal's answers, its block equals the full check's block (ante
// re-run on a candidate overlay), for seeded sequences of passing and failing txs, byte and gas limits, and
// CheckTx at another block time than the proposal. ProcessProposal: only the gas bound and misplaced randoms.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { MsgSend } from "secretjs";
import { MemoryOverlay } from "../store/memory.js";
import { decodeTx } from "../tx/decode.js";
import { runTx } from "../tx/runTx.js";
import { makeSigner } from "../tx/testdata/secretjsSigner.js";
import { MNEMONIC_A, TEST_CHAIN_ID, makeTestChain, type TestChain } from "../tx/testdata/testHarness.js";
import {
  CHECKED_LOG_MAX,
  CheckedTxLog,
  checkProposal,
  fromCheckedLog,
  prepareTxs,
  proposalDigest,
  type ProposalEnv,
} from "./proposal.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { concatBytes, u32be, u64be } from "../../util/bytes.js";

const a = makeSigner(MNEMONIC_A);
/** A tx's gas limit, or undefined when it does not decode. */
const gasOf = (tx: Uint8Array, registry: TestChain["env"]["registry"]): bigint | undefined => {
  try {
    return decodeTx(tx, registry).fee.gasLimit;
  } catch {
    return undefined;
  }
};
const B = "secret1fc3fzy78ttp0lwuujw7e52rhspxn8uj52zfyne";
const HEIGHT = 7n;

/** Sends from a: sequences 0..5, each at a fee that passes and one under the min gas price; plus garbage. */
async function pool(): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [new Uint8Array([10, 1, 2])];
  for (let seq = 0; seq < 6; seq++) {
    const msg = new MsgSend({
      from_address: a.address,
      to_address: B,
      amount: [{ denom: "uscrt", amount: "3" }],
    });
    const sd = { accountNumber: 0, sequence: seq, chainId: TEST_CHAIN_ID };
    out.push(await a.signDeterministic([msg], sd, { gasLimit: 30_000 + seq * 1000 }));
    out.push(await a.signDeterministic([msg], sd, { gasLimit: 30_000, gasPriceInFeeDenom: 0.001 }));
  }
  return out;
}

/**
 * prepareTxs' full check as it was written before session 14 (runTx "check", events built), without a block
 * random: the reference its "recheck" run must select exactly as.
 */
function selectByCheck(p: ProposalEnv, txs: readonly Uint8Array[], maxTxBytes: bigint): Uint8Array[] {
  const candidate = new MemoryOverlay(p.base);
  const out: Uint8Array[] = [];
  let size = 0n;
  let gas = 0n;
  for (const tx of txs) {
    if (size + BigInt(tx.length) > maxTxBytes) continue;
    if (p.maxGas !== undefined) {
      const wanted = gasOf(tx, p.env.registry);
      if (wanted === undefined || gas + wanted > p.maxGas) continue;
    }
    const r = runTx(p.env, candidate, tx, "check", {
      chainId: p.chainId,
      height: p.height,
      timeNs: p.timeNs,
      txIndex: out.length,
    });
    if (r.code !== 0) continue;
    out.push(tx);
    size += BigInt(tx.length);
    gas += r.gasWanted;
    if (p.maxGas !== undefined && gas >= p.maxGas) break;
  }
  return out;
}

describe("PrepareProposal from the CheckTx log", () => {
  test("equals the full check whenever it answers (seeded), and answers for the mempool itself", async () => {
    const txs = await pool();
    // Enough for ~4 fees of 30,000 gas at 0.1 uscrt/gas (3,000 each): later txs fail on insufficient funds.
    const chain = makeTestChain({ [a.address]: 13_000n });
    let fast = 0;
    let accepts = 0;
    fc.assert(
      fc.property(
        fc.array(fc.nat(txs.length - 1), { maxLength: 14 }),
        fc.nat(4),
        fc.option(fc.bigInt({ min: 30_000n, max: 200_000n }), { nil: undefined }),
        fc.integer({ min: 200, max: 3000 }),
        (picks, variant, maxGas, maxBytes) => {
          const checkState = new MemoryOverlay(chain.state);
          const log = new CheckedTxLog(HEIGHT);
          const mempool: Uint8Array[] = [];
          for (const i of picks) {
            const r = runTx(chain.env, checkState, txs[i]!, "check", {
              chainId: TEST_CHAIN_ID,
              height: HEIGHT,
            });
            if (r.code === 0 && r.tx !== undefined) {
              log.add(r.tx.raw, r.gasWanted);
              mempool.push(txs[i]!);
            }
          }
          // The proposal's candidates: the mempool, a prefix, a copy of its bytes, a reordering, or an extra tx.
          const candidates =
            variant === 0
              ? mempool
              : variant === 1
                ? mempool.slice(0, mempool.length >> 1)
                : variant === 2
                  ? mempool.map((t) => new Uint8Array(t))
                  : variant === 3
                    ? [...mempool].reverse()
                    : [...mempool, txs[picks.length % txs.length]!];
          const p: ProposalEnv = {
            env: chain.env,
            base: chain.state,
            chainId: TEST_CHAIN_ID,
            height: HEIGHT,
            timeNs: 123_000_000_000n, // CheckTx ran at time 0: ante must not depend on it
            checks: "full",
            enclave: undefined,
            ref: { height: HEIGHT, blockHash: new Uint8Array(32), validatorSetHash: new Uint8Array(32) },
            maxGas,
          };
          const full = prepareTxs(p, candidates, BigInt(maxBytes));
          // The full check runs ante as runTx "recheck" (no events): it selects what "check" selects.
          assert.deepEqual(full, selectByCheck(p, candidates, BigInt(maxBytes)));
          const quick = fromCheckedLog(p, log, candidates, 0n, BigInt(maxBytes));
          if (quick !== undefined) {
            fast++;
            assert.deepEqual(quick, full);
          }
          assert.deepEqual(prepareTxs(p, candidates, BigInt(maxBytes), log), full);
          // ProcessProposal (SN: no re-run of ante) refuses only a gas-wanted sum past max_gas; the proposer's
          // own block always passes it.
          const sum = candidates.reduce((g, t) => g + (gasOf(t, chain.env.registry) ?? 0n), 0n);
          assert.equal(checkProposal(p, candidates) === undefined, maxGas === undefined || sum <= maxGas);
          assert.equal(checkProposal(p, full), undefined);
          if (checkProposal(p, candidates) === undefined) accepts++;
          // The mempool in order within the limits is always answered from the log.
          if (variant === 0 && maxGas === undefined && maxBytes >= 3000) assert.notEqual(quick, undefined);
          // Another height, or "decode" checks: never from the log.
          assert.equal(
            fromCheckedLog({ ...p, height: HEIGHT + 1n }, log, candidates, 0n, 1n << 40n),
            undefined,
          );
          assert.equal(fromCheckedLog({ ...p, checks: "decode" }, log, candidates, 0n, 1n << 40n), undefined);
        },
      ),
      { seed: 42, numRuns: 300 },
    );
    assert.ok(fast > 100, `fast path answered ${fast} of 300`);
    assert.ok(accepts > 100 && accepts < 300, `ProcessProposal accepted ${accepts} of 300`);
  });

  test("the full check (ante as runTx recheck) selects what CheckTx's ante selects (seeded)", async () => {
    const txs = await pool();
    // Sequences in order, each as its passing or its under-priced variant, some dropped, garbage between:
    // the candidates' fees run past the account's funds, so insufficient funds, wrong sequences and the
    // minimum gas price all leave txs out.
    const candidateList = fc.array(fc.tuple(fc.nat(2), fc.boolean()), { minLength: 6, maxLength: 6 });
    let left = 0;
    fc.assert(
      fc.property(
        candidateList,
        fc.bigInt({ min: 1n, max: 20_000n }),
        fc.option(fc.bigInt({ min: 30_000n, max: 200_000n }), { nil: undefined }),
        (choice, funds, maxGas) => {
          const chain = makeTestChain({ [a.address]: funds });
          const candidates: Uint8Array[] = [];
          choice.forEach(([v, garbage], seq) => {
            if (garbage) candidates.push(txs[0]!);
            if (v < 2) candidates.push(txs[1 + 2 * seq + v]!);
          });
          const p: ProposalEnv = {
            env: chain.env,
            base: chain.state,
            chainId: TEST_CHAIN_ID,
            height: HEIGHT,
            timeNs: 0n,
            checks: "full",
            enclave: undefined,
            ref: { height: HEIGHT, blockHash: new Uint8Array(32), validatorSetHash: new Uint8Array(32) },
            maxGas,
          };
          const want = selectByCheck(p, candidates, 1n << 40n);
          assert.deepEqual(prepareTxs(p, candidates, 1n << 40n), want);
          if (want.length < candidates.length) left++;
        },
      ),
      { seed: 14, numRuns: 200 },
    );
    assert.ok(left > 150, `txs left out in ${left} of 200 runs`);
  });

  test("an invalidated or overfull log answers nothing", () => {
    const tx = new Uint8Array([1, 2, 3]);
    const log = new CheckedTxLog(1n);
    log.add(tx, 5n);
    assert.equal(log.gasAt(0, new Uint8Array(tx)), 5n);
    assert.equal(log.gasAt(0, new Uint8Array([1, 2, 4])), undefined);
    log.invalidate();
    assert.equal(log.gasAt(0, tx), undefined);
    log.add(tx, 5n);
    assert.equal(log.gasAt(0, tx), undefined, "stays invalid until replaced");
    const big = new CheckedTxLog(1n);
    for (let i = 0; i <= CHECKED_LOG_MAX; i++) big.add(tx, 1n);
    assert.equal(big.gasAt(0, tx), undefined);
  });
});

describe("proposalDigest", () => {
  test("is sha256 over height ‖ len ‖ app hash ‖ len ‖ validators hash ‖ (len ‖ tx)… (pinned against noble)", () => {
    const txs = [new Uint8Array([1, 2, 3]), new Uint8Array(0), new Uint8Array(700).fill(9)];
    const appHash = new Uint8Array(32).fill(4);
    const valHash = new Uint8Array(32).fill(5);
    const parts = [u64be(12n), u32be(32), appHash, u32be(32), valHash];
    for (const t of txs) parts.push(u32be(t.length), t);
    assert.deepEqual(proposalDigest(12n, appHash, valHash, txs), sha256(concatBytes(...parts)));
    assert.notDeepEqual(
      proposalDigest(13n, appHash, valHash, txs),
      proposalDigest(12n, appHash, valHash, txs),
    );
  });
});
