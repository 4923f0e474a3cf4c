// consensus_params.block.max_gas: PrepareProposal keeps the sum of gas wanted within it, ProcessProposal rejects
// a proposal over it, FinalizeBlock's block gas meter fails the tx that passes it (SDK v0.50 runTx) and every
// tx after it; Info's app_version comes from the stored consensus params.
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  CheckTxType,
  ResponseProcessProposal_ProposalStatus,
  type ExecTxResult,
  type RequestFinalizeBlock,
} from "cosmjs-types/tendermint/abci/types";
import { ConsensusParams } from "cosmjs-types/tendermint/types/params";
import { QueryBalanceRequest, QueryBalanceResponse } from "cosmjs-types/cosmos/bank/v1beta1/query";
import { QueryAccountRequest, QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query";
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { ShroudApp } from "../../src/chain/app.js";
import { devSigners, signedSend, tempStore, testGenesis, type TempStore } from "./fixtures.js";
import { atHeight1, PROPOSER, timeOf, VALSET_HASH } from "./lifecycle.js";

const G = testGenesis();
const { a, b } = devSigners();
const temps: TempStore[] = [];
after(() => {
  for (const t of temps) t.close();
});

const ts = (ns: bigint) => ({ seconds: ns / 1_000_000_000n, nanos: Number(ns % 1_000_000_000n) });
const INFO = { version: "", blockVersion: 0n, p2pVersion: 0n, abciVersion: "" };

function params(maxGas: bigint, app = 0n): ConsensusParams {
  return ConsensusParams.fromPartial({
    block: { maxBytes: 22_020_096n, maxGas },
    validator: { pubKeyTypes: ["ed25519"] },
    version: { app },
  });
}

/** A fresh app after InitChain (with these consensus params) and an empty committed height 1. */
function chain(cp: ConsensusParams | undefined): ShroudApp {
  const t = tempStore();
  temps.push(t);
  return atHeight1(new ShroudApp({ store: t.store }), G, cp);
}

function req(height: bigint, txs: Uint8Array[]): RequestFinalizeBlock {
  return {
    height,
    time: ts(timeOf(G, height)),
    nextValidatorsHash: VALSET_HASH,
    proposerAddress: PROPOSER,
    misbehavior: [],
    txs,
    decidedLastCommit: { round: 0, votes: [] },
    hash: new Uint8Array(32).fill(Number(height)),
  };
}

function q<T>(app: ShroudApp, path: string, data: Uint8Array, decode: (b: Uint8Array) => T): T {
  const r = app.query({ path, data, height: 0n, prove: false });
  assert.equal(r.code, 0, r.log);
  return decode(r.value);
}
const balance = (app: ShroudApp, address: string): bigint =>
  BigInt(
    q(
      app,
      "/cosmos.bank.v1beta1.Query/Balance",
      QueryBalanceRequest.encode({ address, denom: "uscrt" }).finish(),
      (v) => QueryBalanceResponse.decode(v).balance?.amount ?? "0",
    ),
  );
const account = (app: ShroudApp, address: string): BaseAccount =>
  q(app, "/cosmos.auth.v1beta1.Query/Account", QueryAccountRequest.encode({ address }).finish(), (v) =>
    BaseAccount.decode(QueryAccountResponse.decode(v).account?.value ?? new Uint8Array()),
  );

/** Four secretjs sends a → b (25,000 gas wanted each, secretjs' default), sequences 0..3. */
async function sends(app: ShroudApp): Promise<Uint8Array[]> {
  const num = Number(account(app, a.address).accountNumber);
  return Promise.all([1, 2, 3, 4].map((amt, i) => signedSend(a, b.address, String(amt), num, i, G.chain_id)));
}

function prepare(app: ShroudApp, txs: Uint8Array[]): Uint8Array[] {
  const { height, time, nextValidatorsHash, proposerAddress, misbehavior } = req(2n, []);
  return app.prepareProposal({
    height,
    time,
    nextValidatorsHash,
    proposerAddress,
    misbehavior,
    txs,
    maxTxBytes: 1n << 20n,
    localLastCommit: { round: 0, votes: [] },
  }).txs;
}

function process(app: ShroudApp, txs: Uint8Array[]): ResponseProcessProposal_ProposalStatus {
  const r = req(2n, txs);
  return app.processProposal({ ...r, proposedLastCommit: r.decidedLastCommit }).status;
}

const codes = (rs: ExecTxResult[]) => rs.map((r) => `${r.codespace}/${r.code}`);

describe("block gas limit (consensus_params.block.max_gas)", () => {
  test("PrepareProposal keeps Σ gas wanted ≤ max_gas; ProcessProposal rejects a proposal over it", async () => {
    const limited = chain(params(60_000n));
    const txs = await sends(limited);
    const picked = prepare(limited, txs);
    assert.equal(picked.length, 2, "2 × 25,000 fit in 60,000; a third would not");
    assert.deepEqual(picked, txs.slice(0, 2));
    assert.equal(process(limited, txs.slice(0, 2)), ResponseProcessProposal_ProposalStatus.ACCEPT);
    assert.equal(process(limited, txs.slice(0, 3)), ResponseProcessProposal_ProposalStatus.REJECT);
    // Exactly at the limit is allowed (SDK: reject only when the sum is greater).
    const exact = chain(params(75_000n));
    const three = (await sends(exact)).slice(0, 3);
    assert.equal(process(exact, three), ResponseProcessProposal_ProposalStatus.ACCEPT);
    assert.equal(prepare(exact, txs).length, 3);
    for (const unlimited of [-1n, 0n]) {
      const app = chain(params(unlimited));
      assert.equal(prepare(app, txs).length, 4, `max_gas ${unlimited} is unlimited`);
      assert.equal(process(app, txs), ResponseProcessProposal_ProposalStatus.ACCEPT);
    }
  });

  test("FinalizeBlock: the tx that passes the block gas meter fails (ante kept), later txs are not run", async () => {
    // The gas each send uses, from an unlimited run of the same block.
    const free = chain(undefined);
    const txs = await sends(free);
    const used = free.finalizeBlock(req(2n, txs)).txResults.map((r) => r.gasUsed);
    const limit = used[0]! + used[1]! + used[2]! - 1n; // the third send goes over
    const app = chain(params(limit));
    const aBefore = balance(app, a.address);
    const bBefore = balance(app, b.address);
    const res = app.finalizeBlock(req(2n, txs));
    app.commit();
    assert.deepEqual(codes(res.txResults), ["/0", "/0", "sdk/11", "sdk/11"]);
    const third = res.txResults[2]!;
    assert.equal(
      third.log,
      `out of gas in location: block gas meter; gasWanted: 25000, gasUsed: ${used[2]}: out of gas`,
    );
    assert.deepEqual([third.gasWanted, third.gasUsed], [25_000n, used[2]]);
    assert.ok(
      third.events.some((e) => e.type === "tx"),
      "the ante events (fee, sequence) stay",
    );
    const fourth = res.txResults[3]!;
    assert.equal(fourth.log, "no block gas left to run tx: out of gas");
    assert.deepEqual([fourth.gasWanted, fourth.gasUsed, fourth.events.length], [0n, 0n, 0]);
    // b got sends 1 and 2 only; a paid three fees (the third tx's ante ran) and its sequence is 3.
    assert.equal(balance(app, b.address), bBefore + 3n);
    const fee = aBefore - balance(app, a.address) - 3n;
    assert.equal(fee % 3n, 0n);
    assert.ok(fee > 0n);
    assert.equal(account(app, a.address).sequence, 3n);
  });

  test("a tx wanting more than max_gas: sdk 41 at CheckTx and FinalizeBlock (SetUpContextDecorator)", async () => {
    const app = chain(params(60_000n));
    const num = Number(account(app, a.address).accountNumber);
    const { MsgSend } = await import("secretjs");
    const msg = new MsgSend({
      from_address: a.address,
      to_address: b.address,
      amount: [{ denom: "uscrt", amount: "1" }],
    });
    const big = await a.signDeterministic(
      [msg],
      { accountNumber: num, sequence: 0, chainId: G.chain_id },
      {
        gasLimit: 100_000,
      },
    );
    const log = "tx gas limit 100000 exceeds block max gas 60000: invalid gas limit";
    const c = app.checkTx({ tx: big, type: CheckTxType.NEW });
    assert.deepEqual([c.codespace, c.code, c.log, c.gasWanted, c.gasUsed], ["sdk", 41, log, 100_000n, 0n]);
    assert.deepEqual(prepare(app, [big]), [], "never proposed");
    const aBefore = balance(app, a.address);
    const res = app.finalizeBlock(req(2n, [big]));
    app.commit();
    const r = res.txResults[0]!;
    assert.deepEqual([r.codespace, r.code, r.log, r.gasUsed], ["sdk", 41, log, 0n]);
    assert.equal(balance(app, a.address), aBefore, "no fee");
    assert.equal(account(app, a.address).sequence, 0n, "no sequence bump");
  });

  test("Info: app_version is consensus params' version.app from state (0 when none)", () => {
    assert.equal(chain(params(-1n, 7n)).info(INFO).appVersion, 7n);
    assert.equal(chain(undefined).info(INFO).appVersion, 0n);
  });

  test("a genesis with max_gas below -1 cannot start", () => {
    assert.throws(() => chain(params(-2n)), /invalid maximum block gas: -2/);
  });
});
