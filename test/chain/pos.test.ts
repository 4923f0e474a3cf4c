// Proof of stake and governance wired into ShroudApp, driven by the embedded dev engine with an injected clock
// and secretjs-signed txs: the gentx validator is the engine's key (its votes keep it live and unjailed),
// delegate/undelegate (unbonding matures after 90 s of block time), rewards withdrawn, a text proposal passes,
// and two runs give the same app hash at every height.
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  MsgDelegate,
  MsgDeposit,
  MsgSubmitProposal,
  MsgUndelegate,
  MsgVote,
  MsgWithdrawDelegatorReward,
  VoteOption,
  type Msg,
} from "secretjs";
import { QueryAccountRequest, QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query";
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { QueryBalanceRequest, QueryBalanceResponse } from "cosmjs-types/cosmos/bank/v1beta1/query";
import { QueryProposalRequest, QueryProposalResponse } from "cosmjs-types/cosmos/gov/v1/query";
import { ProposalStatus } from "cosmjs-types/cosmos/gov/v1/gov";
import { QueryValidatorRequest, QueryValidatorResponse } from "cosmjs-types/cosmos/staking/v1beta1/query";
import { BondStatus } from "cosmjs-types/cosmos/staking/v1beta1/staking";
import {
  QuerySigningInfoRequest,
  QuerySigningInfoResponse,
} from "cosmjs-types/cosmos/slashing/v1beta1/query";
import type { ExecTxResult } from "cosmjs-types/tendermint/abci/types";
import { ShroudApp, validateGenesis } from "../../src/chain/app.js";
import type { GenesisDoc } from "../../src/chain/genesis.js";
import { openStore, type Store } from "../../src/chain/store/store.js";
import { toBech32 } from "../../src/chain/address.js";
import { consAddress } from "../../src/chain/modules/staking/keeper.js";
import { VALCONS_PREFIX, VALOPER_PREFIX } from "../../src/chain/modules/staking/keys.js";
import { fromBech32 } from "../../src/chain/address.js";
import { DevEngine } from "../../src/consensus/dev.js";
import { Ed25519Signer } from "../../src/consensus/votes.js";
import { buildDevGenesis, DEV_MNEMONICS, DEV_VALIDATOR_BOND } from "../../src/cli/devGenesis.js";
import { makeSigner, type Signer } from "../../src/chain/tx/testdata/secretjsSigner.js";
import { fromBase64, toBase64, utf8 } from "../../src/util/bytes.js";
import { appContext } from "../../src/chain/app/context.js";
import { MemoryOverlay } from "../../src/chain/store/memory.js";
import { QueryInflationResponse } from "cosmjs-types/cosmos/mint/v1beta1/query";
import {
  QueryDelegationRewardsRequest,
  QueryDelegationRewardsResponse,
} from "cosmjs-types/cosmos/distribution/v1beta1/query";

const SEC = 1_000_000_000n;
const GENESIS_NS = 1_750_000_000n * SEC;
const SEED = new Uint8Array(32).fill(9);
const signers = { val: makeSigner(DEV_MNEMONICS.validator), a: makeSigner(DEV_MNEMONICS.a) };
const VALOPER = toBech32(fromBech32(signers.val.address), VALOPER_PREFIX);

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** One dev node: app + engine on a temp folder, a clock the test moves, tx results by hash. */
class Node {
  nowNs = GENESIS_NS;
  readonly hashes: string[] = [];
  private readonly results = new Map<string, ExecTxResult>();
  private readonly seqs = new Map<string, number>();
  private readonly store: Store;
  readonly app: ShroudApp;
  readonly engine: DevEngine;
  readonly genesis: GenesisDoc;

  constructor() {
    const dir = mkdtempSync(join(tmpdir(), "shroud-pos-"));
    dirs.push(dir);
    const g = buildDevGenesis({
      genesisTimeNs: GENESIS_NS,
      nodeExchKey: new Uint8Array(32).fill(0xe1),
      ioExchKey: new Uint8Array(32).fill(0xe2),
      authorityPublicKeys: [],
      measurements: [],
      validatorPubKey: new Ed25519Signer(SEED).publicKey,
    });
    this.genesis = g;
    this.store = openStore(join(dir, "state"), { memDepth: 4 });
    this.app = new ShroudApp({ store: this.store });
    this.engine = new DevEngine({
      app: this.app,
      blockStorePath: join(dir, "blocks.sqlite"),
      chainId: g.chain_id,
      validatorSeed: SEED,
      blockTimeMs: 1_000_000_000, // blocks only when the test asks
      genesisTimeNs: GENESIS_NS,
      appStateBytes: utf8.encode(JSON.stringify(g.app_state)),
      nowNs: () => this.nowNs,
    });
    this.engine.on("tx", (e: { hash: Uint8Array; result: ExecTxResult }) => {
      this.results.set(Buffer.from(e.hash).toString("hex"), e.result);
    });
  }

  async start(): Promise<void> {
    await this.engine.start();
    await this.block();
  }

  async stop(): Promise<void> {
    await this.engine.stop();
    this.store.close();
  }

  /** One block `advance` after the last; records its app hash. */
  async block(advance = SEC): Promise<void> {
    this.nowNs += advance;
    await this.engine.produceBlock();
    this.hashes.push(Buffer.from(this.engine.appHash).toString("hex"));
  }

  query<T>(path: string, req: Uint8Array, decode: (b: Uint8Array) => T): T {
    const r = this.app.query({ path, data: req, height: 0n, prove: false });
    assert.equal(r.code, 0, `${path}: ${r.log}`);
    return decode(r.value);
  }

  balance(address: string): bigint {
    const req = QueryBalanceRequest.encode({ address, denom: "uscrt" }).finish();
    const r = this.query("/cosmos.bank.v1beta1.Query/Balance", req, (b) => QueryBalanceResponse.decode(b));
    return BigInt(r.balance!.amount);
  }

  accountNumber(address: string): number {
    const req = QueryAccountRequest.encode({ address }).finish();
    const r = this.query("/cosmos.auth.v1beta1.Query/Account", req, (b) => QueryAccountResponse.decode(b));
    return Number(BaseAccount.decode(r.account!.value).accountNumber);
  }

  /** A contract's `query_chain` request, answered as the compute engine answers the enclave's OCALL. */
  chainQuery(req: unknown): { Ok?: { Ok?: string; Err?: string }; Err?: unknown } {
    const height = BigInt(this.store.info().lastHeight);
    const ctx = appContext(new MemoryOverlay(this.store.committed), "secretdev-1", height, this.nowNs);
    const r = this.app.modules.compute.engine.queryChain(
      ctx,
      utf8.encode(JSON.stringify(req)),
      10_000_000n,
      1,
    );
    return JSON.parse(utf8.decode(r.result)) as { Ok?: { Ok?: string; Err?: string }; Err?: unknown };
  }

  /** The JSON a contract receives for `req` (fails unless the answer is Ok/Ok). */
  chainQueryOk(req: unknown): unknown {
    const r = this.chainQuery(req);
    assert.ok(r.Ok?.Ok !== undefined, JSON.stringify(r));
    return JSON.parse(utf8.decode(fromBase64(r.Ok.Ok)));
  }

  /** Signs (deterministically) and broadcasts; the tx lands in the next block. */
  async send(s: Signer, msg: Msg): Promise<string> {
    const seq = this.seqs.get(s.address) ?? 0;
    this.seqs.set(s.address, seq + 1);
    const tx = await s.signDeterministic(
      [msg],
      { accountNumber: this.accountNumber(s.address), sequence: seq, chainId: "secretdev-1" },
      { gasLimit: 200_000 },
    );
    const r = await this.engine.broadcastTx(tx);
    assert.equal(r.checkTx.code, 0, r.checkTx.log);
    return Buffer.from(r.hash).toString("hex");
  }

  /** The delivered result of a tx; fails the test unless code 0. */
  ok(hash: string): ExecTxResult {
    const r = this.results.get(hash);
    assert.ok(r !== undefined, "tx delivered");
    assert.equal(r.code, 0, r.log);
    return r;
  }
}

/** Fee of a tx signed above: secretjs' default 0.1 uscrt gas price × 200 000. */
const FEE = 20_000n;

/** The event attribute `key` of the first `type` event in a tx result. */
function attr(r: ExecTxResult, type: string, key: string): string {
  const v = r.events.find((e) => e.type === type)?.attributes.find((x) => x.key === key)?.value;
  assert.ok(v !== undefined, `${type}.${key}`);
  return v;
}

/**
 * Contract → chain queries (SN query_plugins.go shapes) after `a` delegated 5 SCRT to the dev validator and
 * rewards accrued: each answer is checked against the chain's own gRPC answer for the same fact.
 */
function contractStakingQueries(n: Node): void {
  const { a } = signers;
  const v = n.query(
    "/cosmos.staking.v1beta1.Query/Validator",
    QueryValidatorRequest.encode({ validatorAddr: VALOPER }).finish(),
    (b) => QueryValidatorResponse.decode(b),
  ).validator;
  const dec = (atomics: string) =>
    `${BigInt(atomics) / 10n ** 18n}.${(BigInt(atomics) % 10n ** 18n).toString().padStart(18, "0")}`;
  const rates = v.commission.commissionRates;
  const valJson = {
    address: VALOPER,
    commission: dec(rates.rate),
    max_commission: dec(rates.maxRate),
    max_change_rate: dec(rates.maxChangeRate),
  };
  assert.deepEqual(n.chainQueryOk({ staking: { bonded_denom: {} } }), { denom: "uscrt" });
  assert.deepEqual(n.chainQueryOk({ staking: { all_validators: {} } }), { validators: [valJson] });
  assert.deepEqual(n.chainQueryOk({ staking: { validators: {} } }), { validators: [valJson] });
  assert.deepEqual(n.chainQueryOk({ staking: { validator: { address: VALOPER } } }), { validator: valJson });
  const other = toBech32(new Uint8Array(20).fill(3), VALOPER_PREFIX);
  assert.deepEqual(n.chainQueryOk({ staking: { validator: { address: other } } }), { validator: null });
  const amount = { denom: "uscrt", amount: "5000000" };
  assert.deepEqual(n.chainQueryOk({ staking: { all_delegations: { delegator: a.address } } }), {
    delegations: [{ delegator: a.address, validator: VALOPER, amount }],
  });
  const rewards = n
    .query(
      "/cosmos.distribution.v1beta1.Query/DelegationRewards",
      QueryDelegationRewardsRequest.encode({
        delegatorAddress: a.address,
        validatorAddress: VALOPER,
      }).finish(),
      (b) => QueryDelegationRewardsResponse.decode(b),
    )
    .rewards.map((c) => ({ denom: c.denom, amount: (BigInt(c.amount) / 10n ** 18n).toString() }));
  assert.ok(rewards.length === 1 && BigInt(rewards[0]!.amount) > 0n, "rewards accrued");
  assert.deepEqual(
    n.chainQueryOk({ staking: { delegation: { delegator: a.address, validator: VALOPER } } }),
    {
      delegation: {
        delegator: a.address,
        validator: VALOPER,
        amount,
        accumulated_rewards: rewards,
        can_redelegate: amount,
      },
    },
  );
  assert.deepEqual(
    n.chainQueryOk({ staking: { delegation: { delegator: signers.val.address, validator: other } } }),
    {},
  );
  assert.deepEqual(n.chainQueryOk({ dist: { rewards: { delegator: a.address } } }), {
    rewards: [{ validator_address: VALOPER, reward: rewards }],
    total: rewards,
  });
  const inflation = n.query("/cosmos.mint.v1beta1.Query/Inflation", new Uint8Array(), (b) =>
    QueryInflationResponse.decode(b),
  ).inflation;
  assert.deepEqual(n.chainQueryOk({ mint: { inflation: {} } }), {
    inflation_rate: dec(utf8.decode(inflation)),
  });
  const ratio = n.chainQueryOk({ mint: { bonded_ratio: {} } }) as { bonded_ratio: string };
  assert.match(ratio.bonded_ratio, /^0\.\d{18}$/);
  // Stargate: an allow-listed path answers the gRPC bytes; others are refused as Secret refuses them.
  const balReq = QueryBalanceRequest.encode({ address: a.address, denom: "uscrt" }).finish();
  const sg = n.chainQuery({
    stargate: { path: "/cosmos.bank.v1beta1.Query/Balance", data: toBase64(balReq) },
  });
  assert.equal(
    BigInt(QueryBalanceResponse.decode(fromBase64(sg.Ok!.Ok!)).balance!.amount),
    n.balance(a.address),
  );
  const path = "/cosmos.bank.v1beta1.Query/AllBalances";
  assert.deepEqual(n.chainQuery({ stargate: { path, data: "" } }), {
    Err: { unsupported_request: { kind: `query path '${path}' is not allowed from the contract` } },
  });
  const notB64 = n.chainQuery({ stargate: { path: "/cosmos.bank.v1beta1.Query/Balance", data: "!!" } });
  assert.ok(notB64.Err !== undefined && "invalid_request" in (notB64.Err as object));
  assert.deepEqual(n.chainQuery({ staking: { redelegations: {} } }), {
    Err: { unsupported_request: { kind: "unknown Staking variant" } },
  });
  const bad = n.chainQuery({ staking: { all_delegations: { delegator: "secret1nope" } } });
  assert.match(bad.Ok?.Err ?? "", /invalid address/);
}

/** The whole scenario; returns the node (stopped) for its app hashes. */
async function scenario(): Promise<Node> {
  const n = new Node();
  await n.start();
  const { val, a } = signers;
  try {
    // The gentx validator is the engine's ed25519 key, with power = self-bond / 10^6.
    const ownKey = new Ed25519Signer(SEED).publicKey;
    assert.deepEqual(
      n.engine.validatorSet.map((v) => [Buffer.from(v.pubKey).toString("hex"), v.power]),
      [[Buffer.from(ownKey).toString("hex"), DEV_VALIDATOR_BOND / 1_000_000n]],
    );

    // Delegate 5 SCRT: the engine's validator power follows the staking end-block update.
    const a0 = n.balance(a.address);
    const delegate = new MsgDelegate({
      delegator_address: a.address,
      validator_address: VALOPER,
      amount: { denom: "uscrt", amount: "5000000" },
    });
    const hd = await n.send(a, delegate);
    await n.block();
    n.ok(hd);
    assert.equal(n.balance(a.address), a0 - 5_000_000n - FEE);
    assert.equal(n.engine.validatorSet[0]!.power, DEV_VALIDATOR_BOND / 1_000_000n + 5n);

    // A few blocks of inflation, then withdraw the rewards.
    for (let i = 0; i < 3; i++) await n.block();
    contractStakingQueries(n);
    const a1 = n.balance(a.address);
    const hw = await n.send(
      a,
      new MsgWithdrawDelegatorReward({ delegator_address: a.address, validator_address: VALOPER }),
    );
    await n.block();
    const reward = BigInt(attr(n.ok(hw), "withdraw_rewards", "amount").replace(/uscrt$/, ""));
    assert.ok(reward > 0n, "rewards accrued");
    assert.equal(n.balance(a.address), a1 + reward - FEE);

    // Undelegate 2 SCRT: nothing before 90 s of block time, exactly 2 SCRT at the first block after.
    const hu = await n.send(
      a,
      new MsgUndelegate({
        delegator_address: a.address,
        validator_address: VALOPER,
        amount: { denom: "uscrt", amount: "2000000" },
      }),
    );
    await n.block();
    n.ok(hu);
    assert.deepEqual(n.chainQueryOk({ staking: { unbonding_delegations: { delegator: a.address } } }), {
      delegations: [
        { delegator: a.address, validator: VALOPER, amount: { denom: "uscrt", amount: "2000000" } },
      ],
    });
    assert.equal(n.engine.validatorSet[0]!.power, DEV_VALIDATOR_BOND / 1_000_000n + 3n);
    const a2 = n.balance(a.address);
    await n.block(88n * SEC);
    assert.equal(n.balance(a.address), a2, "still unbonding at +89 s");
    await n.block(2n * SEC);
    assert.equal(n.balance(a.address), a2 + 2_000_000n, "matured at +91 s");

    // A text proposal: deposit below the minimum, a deposit reaching it, the validator votes yes.
    const hs = await n.send(
      val,
      new MsgSubmitProposal({
        messages: [],
        initial_deposit: [{ denom: "uscrt", amount: "1000000" }],
        proposer: val.address,
        metadata: "ipfs://shroud-text-proposal", // a text proposal (no messages) needs metadata (SDK v0.50)
        title: "Shroud",
        summary: "A text proposal on the dev chain",
        expedited: false,
      }),
    );
    await n.block();
    const id = attr(n.ok(hs), "submit_proposal", "proposal_id");
    const status = (): ProposalStatus =>
      n.query(
        "/cosmos.gov.v1.Query/Proposal",
        QueryProposalRequest.encode({ proposalId: BigInt(id) }).finish(),
        (b) => QueryProposalResponse.decode(b),
      ).proposal!.status;
    assert.equal(status(), ProposalStatus.PROPOSAL_STATUS_DEPOSIT_PERIOD);
    const a3 = n.balance(a.address);
    const hdep = await n.send(
      a,
      new MsgDeposit({
        proposal_id: id,
        depositor: a.address,
        amount: [{ denom: "uscrt", amount: "9000000" }],
      }),
    );
    await n.block();
    n.ok(hdep);
    assert.equal(status(), ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD);
    const start = Number(n.nowNs / SEC);
    assert.deepEqual(n.chainQueryOk({ gov: { proposals: {} } }), {
      proposals: [{ id: Number(id), voting_start_time: start, voting_end_time: start + 90 }],
    });
    const hv = await n.send(
      val,
      new MsgVote({ proposal_id: id, voter: val.address, option: VoteOption.VOTE_OPTION_YES, metadata: "" }),
    );
    await n.block();
    n.ok(hv);
    await n.block(80n * SEC);
    assert.equal(status(), ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD, "voting period is 90 s");
    await n.block(10n * SEC);
    assert.equal(status(), ProposalStatus.PROPOSAL_STATUS_PASSED);
    assert.equal(n.balance(a.address), a3 - FEE, "deposit refunded after passing");

    // The validator signed every block: bonded, not jailed, no missed block in its signing info.
    const v = n.query(
      "/cosmos.staking.v1beta1.Query/Validator",
      QueryValidatorRequest.encode({ validatorAddr: VALOPER }).finish(),
      (b) => QueryValidatorResponse.decode(b),
    ).validator;
    assert.equal(v.jailed, false);
    assert.equal(v.status, BondStatus.BOND_STATUS_BONDED);
    const consAddr = toBech32(consAddress(ownKey), VALCONS_PREFIX);
    const info = n.query(
      "/cosmos.slashing.v1beta1.Query/SigningInfo",
      QuerySigningInfoRequest.encode({ consAddress: consAddr }).finish(),
      (b) => QuerySigningInfoResponse.decode(b),
    ).valSigningInfo;
    assert.equal(info.missedBlocksCounter, 0n);
    assert.ok(info.indexOffset >= BigInt(n.hashes.length - 2), "every block's vote was counted");
    assert.equal(n.engine.validatorSet.length, 1);

    // The PoS state exports as a genesis that loads again (shroud export).
    validateGenesis({ ...n.genesis, app_state: n.app.exportAppState() });
    return n;
  } finally {
    await n.stop();
  }
}

describe("proof of stake and gov on the dev engine", () => {
  test("delegate, rewards, undelegate after 90 s, text proposal passes; validator live; deterministic", async () => {
    const r1 = await scenario();
    const r2 = await scenario();
    assert.ok(r1.hashes.length > 10);
    assert.deepEqual(r2.hashes, r1.hashes, "same app hash at every height");
    assert.equal(new Set(r1.hashes).size, r1.hashes.length, "every block changes the state (mint)");
  });
});
