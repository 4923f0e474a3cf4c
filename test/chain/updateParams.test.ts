// MsgUpdateParams of auth, bank, staking, distribution, mint, slashing and compute through ShroudApp: all seven
// executed by one passed gov proposal (secretjs-signed submit and vote, 90 s voting period of block time); sent directly by a
// user they are refused (wrong authority → the SDK's error; gov as authority → the user cannot sign for it);
// invalid params are refused as each module's Params.Validate refuses them.
/* eslint-disable @typescript-eslint/no-deprecated -- full Params messages carry the deprecated fields too */
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { MsgSend, MsgVote, VoteOption, type Msg } from "secretjs";
import type { Any } from "cosmjs-types/google/protobuf/any";
import { MsgSubmitProposal } from "cosmjs-types/cosmos/gov/v1/tx";
import { ProposalStatus } from "cosmjs-types/cosmos/gov/v1/gov";
import * as authTx from "cosmjs-types/cosmos/auth/v1beta1/tx";
import * as bankTx from "cosmjs-types/cosmos/bank/v1beta1/tx";
import * as stakingTx from "cosmjs-types/cosmos/staking/v1beta1/tx";
import * as distrTx from "cosmjs-types/cosmos/distribution/v1beta1/tx";
import * as mintTx from "cosmjs-types/cosmos/mint/v1beta1/tx";
import * as slashingTx from "cosmjs-types/cosmos/slashing/v1beta1/tx";
import { CheckTxType } from "cosmjs-types/tendermint/abci/types";
import { ShroudApp } from "../../src/chain/app.js";
import { appContext } from "../../src/chain/app/context.js";
import { MemoryOverlay } from "../../src/chain/store/memory.js";
import { GOV_AUTHORITY } from "../../src/chain/modules/gov/authority.js";
import * as sjsComputeQuery from "secretjs/dist/protobuf/secret/compute/v1beta1/query.js";
import { encodeMsgUpdateParams as encodeComputeUpdateParams } from "../../src/chain/modules/compute/params.js";
import { Dec } from "../../src/chain/modules/staking/dec.js";
import { DEV_MNEMONICS } from "../../src/cli/devGenesis.js";
import { makeSigner, type Signer } from "../../src/chain/tx/testdata/secretjsSigner.js";
import { utf8 } from "../../src/util/bytes.js";
import { fromBech32 } from "../../src/chain/address.js";
import { GENESIS_TIME_NS, signNext, tempStore, type TempStore } from "./fixtures.js";
import { initChain, runHeight } from "./lifecycle.js";
import { GOV_GENESIS, SEC } from "./govChain.js";

// The dev genesis with its validator bonded, shared with the gov tests.
const G = GOV_GENESIS;
const val = makeSigner(DEV_MNEMONICS.validator);
const a = makeSigner(DEV_MNEMONICS.a);
const temps: TempStore[] = [];
after(() => {
  for (const t of temps) t.close();
});

const atoms = (d: string): string => Dec.fromString(d).toAtomics();
const any = (typeUrl: string, value: Uint8Array): Any => ({ typeUrl, value });

/** The seven messages with one visible change each, as a gov proposal carries them. */
function updates(authority: string): Any[] {
  return [
    any(
      "/cosmos.auth.v1beta1.MsgUpdateParams",
      authTx.MsgUpdateParams.encode({
        authority,
        params: {
          maxMemoCharacters: 512n,
          txSigLimit: 7n,
          txSizeCostPerByte: 10n,
          sigVerifyCostEd25519: 590n,
          sigVerifyCostSecp256k1: 1000n,
        },
      }).finish(),
    ),
    any(
      "/cosmos.bank.v1beta1.MsgUpdateParams",
      bankTx.MsgUpdateParams.encode({
        authority,
        params: { sendEnabled: [], defaultSendEnabled: false },
      }).finish(),
    ),
    any(
      "/cosmos.staking.v1beta1.MsgUpdateParams",
      stakingTx.MsgUpdateParams.encode({
        authority,
        params: {
          unbondingTime: { seconds: 90n, nanos: 0 },
          maxValidators: 50,
          maxEntries: 7,
          historicalEntries: 10_000,
          bondDenom: "uscrt",
          minCommissionRate: atoms("0.05"),
        },
      }).finish(),
    ),
    any(
      "/cosmos.distribution.v1beta1.MsgUpdateParams",
      distrTx.MsgUpdateParams.encode({
        authority,
        params: {
          communityTax: atoms("0.1"),
          baseProposerReward: "",
          bonusProposerReward: "",
          withdrawAddrEnabled: false,
        },
      }).finish(),
    ),
    any(
      "/cosmos.mint.v1beta1.MsgUpdateParams",
      mintTx.MsgUpdateParams.encode({ authority, params: mintParams() }).finish(),
    ),
    any(
      "/cosmos.slashing.v1beta1.MsgUpdateParams",
      slashingTx.MsgUpdateParams.encode({ authority, params: slashingParams() }).finish(),
    ),
    // secret.compute.v1beta1.MsgUpdateParams (SN proto msg.proto; Params from params.proto).
    any(
      "/secret.compute.v1beta1.MsgUpdateParams",
      encodeComputeUpdateParams({
        authority,
        params: { compileCost: Dec.fromString("1.5"), maxContractSize: 1_000_000n },
      }),
    ),
  ];
}

function mintParams(over: Partial<mintTx.MsgUpdateParams["params"] & object> = {}) {
  return {
    mintDenom: "uscrt",
    inflationRateChange: atoms("0.13"),
    inflationMax: atoms("0.2"),
    inflationMin: atoms("0.07"),
    goalBonded: atoms("0.67"),
    blocksPerYear: 1000n,
    ...over,
  };
}

function slashingParams() {
  return {
    signedBlocksWindow: 200n,
    minSignedPerWindow: utf8.encode(atoms("0.5")),
    downtimeJailDuration: { seconds: 600n, nanos: 0 },
    slashFractionDoubleSign: utf8.encode(atoms("0.05")),
    slashFractionDowntime: utf8.encode(atoms("0.0001")),
  };
}

/** secretjs has no class for these messages; its Msg interface is all prepareAndSign needs. */
function raw(m: Any): Msg {
  return {
    toProto: () => Promise.resolve({ type_url: m.typeUrl, value: {}, encode: () => m.value }),
    toAmino: () => Promise.reject(new Error("no amino form")),
  };
}

class Chain {
  readonly t = tempStore();
  readonly app = new ShroudApp({ store: this.t.store });
  height = 1n;
  timeNs = GENESIS_TIME_NS;
  private readonly seq = new Map<string, number>();
  constructor() {
    temps.push(this.t);
  }
  async start(): Promise<this> {
    await initChain(this.app, G);
    await this.block([]);
    return this;
  }
  async block(txs: Uint8Array[], advanceNs = SEC) {
    this.timeNs += advanceNs;
    return (await runHeight(this.app, this.height++, this.timeNs, txs)).finalize;
  }
  async sign(s: Signer, msg: Msg, gasLimit = 400_000): Promise<Uint8Array> {
    return signNext(this.app, this.seq, s, msg, G.chain_id, gasLimit);
  }
  /** Modules' keepers over the committed state. */
  ctx() {
    return appContext(new MemoryOverlay(this.t.store.committed), G.chain_id, this.height, this.timeNs);
  }
}

describe("MsgUpdateParams of auth, bank, staking, distribution, mint, slashing, compute", () => {
  test("all seven run through one passed gov proposal", async () => {
    const c = await new Chain().start();
    const submit = MsgSubmitProposal.encode({
      messages: updates(GOV_AUTHORITY),
      initialDeposit: [{ denom: "uscrt", amount: "10000000" }],
      proposer: val.address,
      metadata: "",
      title: "params",
      summary: "every module's params",
      expedited: false,
    }).finish();
    const sub = await c.block([
      await c.sign(val, raw(any("/cosmos.gov.v1.MsgSubmitProposal", submit)), 2_000_000),
    ]);
    assert.equal(sub.txResults[0]?.code, 0, sub.txResults[0]?.log);
    const voteTx = await c.sign(
      val,
      new MsgVote({ proposal_id: "1", voter: val.address, option: VoteOption.VOTE_OPTION_YES, metadata: "" }),
    );
    const v = await c.block([voteTx]);
    assert.equal(v.txResults[0]?.code, 0, v.txResults[0]?.log);
    const m = c.app.modules;
    assert.equal(
      m.auth.keeper.getParams(c.ctx()).maxMemoCharacters,
      256n,
      "nothing before the end of voting",
    );
    await c.block([], 90n * SEC);
    const ctx = c.ctx();
    assert.equal(m.pos.gov.keeper.getProposal(ctx, 1n)?.status, ProposalStatus.PROPOSAL_STATUS_PASSED);
    assert.equal(m.auth.keeper.getParams(ctx).maxMemoCharacters, 512n);
    assert.equal(m.auth.keeper.getParams(ctx).txSigLimit, 7n);
    assert.equal(m.bank.keeper.getParams(ctx).defaultSendEnabled, false);
    assert.equal(m.pos.staking.keeper.getParams(ctx).maxValidators, 50);
    assert.equal(m.pos.staking.keeper.getParams(ctx).minCommissionRate.toString(), "0.050000000000000000");
    assert.equal(m.pos.distribution.keeper.getParams(ctx).communityTax.toString(), "0.100000000000000000");
    assert.equal(m.pos.distribution.keeper.getParams(ctx).withdrawAddrEnabled, false);
    assert.equal(m.pos.mint.keeper.getParams(ctx).blocksPerYear, 1000n);
    assert.equal(m.pos.slashing.keeper.getParams(ctx).signedBlocksWindow, 200n);
    assert.equal(m.pos.slashing.keeper.getParams(ctx).minSignedPerWindow.toString(), "0.500000000000000000");
    assert.deepEqual(m.compute.query.params(ctx), {
      params: { compile_cost: "1.500000000000000000", max_contract_size: "1000000" },
    });
    // The same over ABCI gRPC, decoded with secretjs' generated ParamsResponse.
    const q = c.app.query({
      path: "/secret.compute.v1beta1.Query/Params",
      data: new Uint8Array(),
      height: 0n,
      prove: false,
    });
    assert.equal(q.code, 0, q.log);
    assert.deepEqual(sjsComputeQuery.ParamsResponse.decode(q.value), {
      params: { compile_cost: "1500000000000000000", max_contract_size: "1000000" },
    });
  });

  test("auth params changed by gov: ante uses the new ones from the block after the proposal's end block on", async () => {
    // Ante decodes the params once per distinct stored value (the auth keeper's memo): CheckTx and FinalizeBlock
    // before the change fill it with the old value, and the change must still take effect exactly when it did
    // before the memo — after the EndBlock that executes the proposal, not earlier, not later.
    const c = await new Chain().start();
    const params = {
      maxMemoCharacters: 100n,
      txSigLimit: 7n,
      txSizeCostPerByte: 20n,
      sigVerifyCostEd25519: 590n,
      sigVerifyCostSecp256k1: 1000n,
    };
    const submit = MsgSubmitProposal.encode({
      messages: [
        any(
          "/cosmos.auth.v1beta1.MsgUpdateParams",
          authTx.MsgUpdateParams.encode({ authority: GOV_AUTHORITY, params }).finish(),
        ),
      ],
      initialDeposit: [{ denom: "uscrt", amount: "10000000" }],
      proposer: val.address,
      metadata: "",
      title: "auth params",
      summary: "shorter memos, dearer bytes",
      expedited: false,
    }).finish();
    const sub = await c.block([
      await c.sign(val, raw(any("/cosmos.gov.v1.MsgSubmitProposal", submit)), 2_000_000),
    ]);
    assert.equal(sub.txResults[0]?.code, 0, sub.txResults[0]?.log);
    const vote = new MsgVote({
      proposal_id: "1",
      voter: val.address,
      option: VoteOption.VOTE_OPTION_YES,
      metadata: "",
    });
    const acc = c.app.modules.auth.keeper.getAccount(c.ctx(), fromBech32(a.address))!;
    const send = (sequence: bigint, memo: string) =>
      a.signDeterministic(
        [
          new MsgSend({
            from_address: a.address,
            to_address: val.address,
            amount: [{ denom: "uscrt", amount: "1" }],
          }),
        ],
        {
          accountNumber: Number(acc.accountNumber),
          sequence: Number(acc.sequence + sequence),
          chainId: G.chain_id,
        },
        { gasLimit: 100_000, memo },
      );
    // a's first tx (stores its pubkey: later txs of a write accounts of one size).
    const voted = await c.block([await c.sign(val, vote), await send(0n, "")]);
    assert.deepEqual(
      voted.txResults.map((r) => r.code),
      [0, 0],
    );
    const long = "m".repeat(200);
    const short = "m".repeat(100);
    // The proposal's last block: its txs run before EndBlock, under the old params (memo ≤ 256, 10 gas/byte).
    const [tx1, tx2] = [await send(1n, long), await send(2n, short)];
    const end = await c.block([tx1, tx2], 90n * SEC);
    assert.deepEqual(
      end.txResults.map((r) => r.code),
      [0, 0],
      end.txResults[0]?.log,
    );
    assert.equal(
      c.app.modules.pos.gov.keeper.getProposal(c.ctx(), 1n)?.status,
      ProposalStatus.PROPOSAL_STATUS_PASSED,
    );
    // The next CheckTx and block: the new params.
    const refused = c.app.checkTx({ tx: await send(3n, long), type: CheckTxType.NEW });
    assert.deepEqual([refused.codespace, refused.code], ["sdk", 12], refused.log);
    assert.match(refused.log, /maximum number of characters is 100 but received 200 characters/);
    const tx3 = await send(3n, short);
    const next = await c.block([tx3]);
    assert.equal(next.txResults[0]?.code, 0, next.txResults[0]?.log);
    // tx_size_cost_per_byte 10 → 20: the same-shaped tx pays 10 gas more per byte of its bytes (± a few gas of
    // reads whose values changed length: the params themselves, the fee collector's balance).
    assert.equal(tx3.length, tx2.length);
    const more = next.txResults[0].gasUsed - end.txResults[1]!.gasUsed - 10n * BigInt(tx3.length);
    assert.ok(more > -20n && more < 20n, `${more}`);
  });

  test("sent by a user: wrong authority → the SDK's error; gov as authority → cannot be signed", async () => {
    const c = await new Chain().start();
    const own = updates(a.address);
    const txs: Uint8Array[] = [];
    for (const u of own) txs.push(await c.sign(a, raw(u)));
    const res = await c.block(txs);
    const expected = `invalid authority; expected ${GOV_AUTHORITY}, got ${a.address}`;
    const [authRes, ...rest] = res.txResults;
    // x/auth: a plain Go error (undefined/1); the others wrap gov's ErrInvalidSigner (gov 13).
    assert.deepEqual([authRes?.codespace, authRes?.code], ["undefined", 1]);
    assert.match(authRes?.log ?? "", new RegExp(`expected authority account as only signer .*${expected}`));
    for (const r of rest) {
      assert.deepEqual([r.codespace, r.code], ["gov", 13]);
      assert.ok(
        r.log.includes(`${expected}: expected gov account as only signer for proposal message`),
        r.log,
      );
    }
    const ctx = c.ctx();
    assert.equal(c.app.modules.auth.keeper.getParams(ctx).maxMemoCharacters, 256n);
    assert.equal(c.app.modules.pos.staking.keeper.getParams(ctx).maxValidators, 100);
    // The gov account as authority: the user's signature is not the signer's (ante refuses, nothing runs).
    const forged = await c.sign(a, raw(updates(GOV_AUTHORITY)[2]!));
    const r = c.app.checkTx({ tx: forged, type: CheckTxType.NEW });
    assert.notEqual(r.code, 0);
  });

  test("invalid params are refused as the SDK's Params.Validate refuses them", async () => {
    const c = await new Chain().start();
    const ctx = appContext(new MemoryOverlay(c.t.store.committed), G.chain_id, 2n, c.timeNs);
    const run = (typeUrl: string, value: unknown) => {
      const h = c.app.modules.registry.handler(typeUrl);
      assert.ok(h !== undefined, typeUrl);
      return () => {
        h(ctx, value);
      };
    };
    const bad = (f: () => unknown, re: RegExp, code = 1): void => {
      assert.throws(f, (e: unknown) => {
        const ce = e as { code: number; message: string };
        assert.equal(ce.code, code, ce.message);
        assert.match(ce.message, re);
        return true;
      });
    };
    const mint = "/cosmos.mint.v1beta1.MsgUpdateParams";
    bad(
      run(mint, { authority: GOV_AUTHORITY, params: mintParams({ inflationMax: atoms("0.05") }) }),
      /max inflation \(0.05/,
    );
    bad(
      run(mint, { authority: GOV_AUTHORITY, params: mintParams({ goalBonded: "" }) }),
      /goal bonded must be positive/,
    );
    bad(
      run(mint, { authority: GOV_AUTHORITY, params: mintParams({ mintDenom: "" }) }),
      /mint denom cannot be blank/,
    );
    bad(
      run("/cosmos.bank.v1beta1.MsgUpdateParams", {
        authority: GOV_AUTHORITY,
        params: { sendEnabled: [{ denom: "uscrt", enabled: false }], defaultSendEnabled: true },
      }),
      /send_enabled in params is no longer supported/,
    );
    const distr = {
      communityTax: atoms("1.5"),
      baseProposerReward: "",
      bonusProposerReward: "",
      withdrawAddrEnabled: true,
    };
    bad(
      run("/cosmos.distribution.v1beta1.MsgUpdateParams", { authority: GOV_AUTHORITY, params: distr }),
      /community tax too large/,
    );
    bad(
      run("/cosmos.distribution.v1beta1.MsgUpdateParams", {
        authority: GOV_AUTHORITY,
        params: { ...distr, communityTax: atoms("0.02"), baseProposerReward: atoms("0.01") },
      }),
      /deprecated fields/,
      18,
    );
    bad(
      run("/cosmos.slashing.v1beta1.MsgUpdateParams", {
        authority: GOV_AUTHORITY,
        params: { ...slashingParams(), slashFractionDowntime: utf8.encode(atoms("2")) },
      }),
      /downtime slash fraction too large/,
    );
    const staking = stakingTx.MsgUpdateParams.decode(updates(GOV_AUTHORITY)[2]!.value);
    bad(
      run("/cosmos.staking.v1beta1.MsgUpdateParams", {
        ...staking,
        params: { ...staking.params, maxValidators: 0 },
      }),
      /max validators must be positive/,
    );
    const auth = authTx.MsgUpdateParams.decode(updates(GOV_AUTHORITY)[0]!.value);
    bad(
      run("/cosmos.auth.v1beta1.MsgUpdateParams", { ...auth, params: { ...auth.params, txSigLimit: 0n } }),
      /invalid tx signature limit: 0/,
    );
  });
});
