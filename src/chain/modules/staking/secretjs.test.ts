// The official client against these modules: secretjs 1.22 builds and signs MsgCreateValidator, MsgDelegate,
// MsgUndelegate and MsgWithdrawDelegatorReward; they go through decode, ante and the handlers via runTx.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  MsgCreateValidator,
  MsgDelegate,
  MsgFundCommunityPool,
  MsgSetWithdrawAddress,
  MsgUndelegate,
  MsgUnjail,
  MsgWithdrawDelegatorReward,
  MsgWithdrawValidatorCommission,
  type Msg,
} from "secretjs";
import { MsgUndelegateResponse } from "cosmjs-types/cosmos/staking/v1beta1/tx";
import { TxMsgData } from "cosmjs-types/cosmos/base/abci/v1beta1/abci";
import { fromBech32, toBech32 } from "../../address.js";
import { parseGasPrices } from "../../tx/fees.js";
import { runTx, type TxEnv } from "../../tx/runTx.js";
import { makeAminoSigner, makeSigner } from "../../tx/testdata/secretjsSigner.js";
import { MNEMONIC_A } from "../../tx/testdata/testHarness.js";
import { VALOPER_PREFIX } from "./keys.js";
import { BondStatus } from "./types.js";
import { Dec } from "./dec.js";
import { SEC, consKey, makePosChain } from "./testdata/posHarness.js";

const a = makeSigner(MNEMONIC_A);

test("secretjs-signed staking and distribution messages are delivered", async () => {
  const c = makePosChain({ 9: 1n }, { [a.address]: 1_000_000_000n });
  const env: TxEnv = {
    registry: c.registry,
    keepers: { accounts: c.auth.keeper, bank: c.bank.keeper },
    ante: { minGasPrices: parseGasPrices("0.0125uscrt") },
  };
  const accNum = Number(c.auth.keeper.getAccount(c.ctx(0n, 0n), fromBech32(a.address))!.accountNumber);
  let seq = 0;
  let height = 1n;
  const deliver = async (msgs: Msg[]) => {
    const raw = await a.sign(
      msgs,
      { accountNumber: accNum, sequence: seq++, chainId: "secretdev-1" },
      { gasLimit: 300_000 },
    );
    return runTx(env, c.state, raw, "deliver", {
      chainId: "secretdev-1",
      height: height++,
      timeNs: 1000n * SEC,
    });
  };
  const valoper = toBech32(fromBech32(a.address), VALOPER_PREFIX);
  const created = await deliver([
    new MsgCreateValidator({
      delegator_address: a.address,
      commission: { rate: 0.1, max_rate: 0.2, max_change_rate: 0.01 },
      description: { moniker: "shroud", identity: "", website: "", security_contact: "", details: "" },
      pubkey: Buffer.from(consKey(5)).toString("base64"),
      min_self_delegation: "1",
      initial_delegation: { denom: "uscrt", amount: "10000000" },
    }),
  ]);
  assert.equal(created.code, 0, created.log);
  const k = c.staking.keeper;
  const v = k.getValidator(c.ctx(1n, 0n), fromBech32(a.address))!;
  assert.equal(v.commission.maxChangeRate.toString(), "0.010000000000000000");
  assert.equal(c.endBlock(c.ctx(1n, 1000n * SEC))[0]!.power, 10n);
  assert.equal(k.getValidator(c.ctx(1n, 0n), v.operator)!.status, BondStatus.Bonded);
  const delegated = await deliver([
    new MsgDelegate({
      delegator_address: a.address,
      validator_address: valoper,
      amount: { denom: "uscrt", amount: "5000000" },
    }),
  ]);
  assert.equal(delegated.code, 0, delegated.log);
  const und = await deliver([
    new MsgUndelegate({
      delegator_address: a.address,
      validator_address: valoper,
      amount: { denom: "uscrt", amount: "1000000" },
    }),
  ]);
  assert.equal(und.code, 0, und.log);
  const resp = MsgUndelegateResponse.decode(TxMsgData.decode(und.data).msgResponses[0]!.value);
  assert.equal(resp.completionTime.seconds, 1090n);
  assert.equal(resp.amount.amount, "1000000");
  const wd = await deliver([
    new MsgWithdrawDelegatorReward({ delegator_address: a.address, validator_address: valoper }),
  ]);
  assert.equal(wd.code, 0, wd.log);
  assert.ok(wd.events.some((e) => e.type === "withdraw_rewards"));
  const bad = await deliver([
    new MsgDelegate({
      delegator_address: a.address,
      validator_address: valoper,
      amount: { denom: "uatom", amount: "1" },
    }),
  ]);
  assert.equal(bad.code, 18);
  // LEGACY_AMINO_JSON: our toAmino must reproduce secretjs' sign bytes exactly or the signature fails (sdk 4).
  const amino = makeAminoSigner(MNEMONIC_A);
  const aminoCases: [Msg, number][] = [
    [
      new MsgDelegate({
        delegator_address: a.address,
        validator_address: valoper,
        amount: { denom: "uscrt", amount: "7" },
      }),
      0,
    ],
    [
      new MsgUndelegate({
        delegator_address: a.address,
        validator_address: valoper,
        amount: { denom: "uscrt", amount: "7" },
      }),
      0,
    ],
    [new MsgWithdrawDelegatorReward({ delegator_address: a.address, validator_address: valoper }), 0],
    [new MsgWithdrawValidatorCommission({ validator_address: valoper }), 0],
    [new MsgSetWithdrawAddress({ delegator_address: a.address, withdraw_address: a.address }), 0],
    [new MsgFundCommunityPool({ depositor: a.address, amount: [{ denom: "uscrt", amount: "3" }] }), 0],
    // Signature accepted, then the handler refuses: slashing 5 (not jailed) proves the amino bytes matched.
    [new MsgUnjail({ validator_addr: valoper }), 5],
  ];
  // Some commission must exist for MsgWithdrawValidatorCommission to succeed.
  c.distr.keeper.allocateTokensToValidator(c.ctx(height, 0n), fromBech32(a.address), [
    { denom: "uscrt", amount: Dec.fromInt(100n) },
  ]);
  c.bank.keeper.mintCoins(c.ctx(height, 0n), "mint", [{ denom: "uscrt", amount: 100n }]);
  c.bank.keeper.sendCoinsFromModuleToModule(c.ctx(height, 0n), "mint", "distribution", [
    { denom: "uscrt", amount: 100n },
  ]);
  for (const [msg, code] of aminoCases) {
    const raw = await amino.sign(
      [msg],
      { accountNumber: accNum, sequence: seq++, chainId: "secretdev-1" },
      { gasLimit: 300_000 },
    );
    const r = runTx(env, c.state, raw, "deliver", {
      chainId: "secretdev-1",
      height: height++,
      timeNs: 1000n * SEC,
    });
    assert.equal(r.code, code, r.log);
  }
  assert.match(bad.log, /invalid coin denomination: got uatom, expected uscrt/);
});
