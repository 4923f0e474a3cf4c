// Simulate and the tx's gas limit, as SDK v0.50 treats them: the simulation runs on an infinite gas meter (the
// limit is never a ceiling: secretjs simulates with its 25,000 default and then sets the limit from the answer), but
// SetUpContextDecorator still refuses a limit above consensus_params.block.max_gas (sdk 41), because
// getContextForTx sets the consensus params in every mode, simulate included.
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { ConsensusParams } from "cosmjs-types/tendermint/types/params";
import { SimulateRequest, SimulateResponse } from "cosmjs-types/cosmos/tx/v1beta1/service";
import { QueryAccountRequest, QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query";
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { MsgSend } from "secretjs";
import { ShroudApp } from "../../src/chain/app.js";
import { SIMULATE_PATH } from "../../src/chain/app/query.js";
import { devSigners, tempStore, testGenesis, type TempStore } from "./fixtures.js";
import { atHeight1 } from "./lifecycle.js";

const G = testGenesis();
const { a, b } = devSigners();
const temps: TempStore[] = [];
after(() => {
  for (const t of temps) t.close();
});

/** A fresh app after InitChain with this max_gas and an empty committed height 1. */
function chain(maxGas: bigint): ShroudApp {
  const t = tempStore();
  temps.push(t);
  const cp = ConsensusParams.fromPartial({
    block: { maxBytes: 22_020_096n, maxGas },
    validator: { pubKeyTypes: ["ed25519"] },
    version: { app: 0n },
  });
  return atHeight1(new ShroudApp({ store: t.store }), G, cp);
}

async function send(app: ShroudApp, gasLimit: number): Promise<Uint8Array> {
  const r = app.query({
    path: "/cosmos.auth.v1beta1.Query/Account",
    data: QueryAccountRequest.encode({ address: a.address }).finish(),
    height: 0n,
    prove: false,
  });
  const acc = BaseAccount.decode(QueryAccountResponse.decode(r.value).account?.value ?? new Uint8Array());
  const msg = new MsgSend({
    from_address: a.address,
    to_address: b.address,
    amount: [{ denom: "uscrt", amount: "1" }],
  });
  return a.signDeterministic(
    [msg],
    { accountNumber: Number(acc.accountNumber), sequence: Number(acc.sequence), chainId: G.chain_id },
    { gasLimit },
  );
}

const simulate = (app: ShroudApp, tx: Uint8Array) =>
  app.query({
    path: SIMULATE_PATH,
    data: SimulateRequest.encode({ txBytes: tx }).finish(),
    height: 0n,
    prove: false,
  });

describe("simulate and the tx's gas limit (SDK v0.50)", () => {
  test("a gas limit above max_gas: sdk 41 as at CheckTx, nothing run", async () => {
    const app = chain(60_000n);
    const r = simulate(app, await send(app, 100_000));
    assert.deepEqual(
      [r.codespace, r.code, r.log],
      ["sdk", 41, "tx gas limit 100000 exceeds block max gas 60000: invalid gas limit"],
    );
  });

  test("a limit at max_gas is accepted; a limit below the gas used is no ceiling (infinite meter)", async () => {
    const app = chain(60_000n);
    const atMax = simulate(app, await send(app, 60_000));
    assert.equal(atMax.code, 0, atMax.log);
    const used = SimulateResponse.decode(atMax.value).gasInfo?.gasUsed ?? 0n;
    assert.ok(used > 1_000n);
    const tiny = simulate(app, await send(app, 1_000));
    assert.equal(tiny.code, 0, tiny.log);
    const info = SimulateResponse.decode(tiny.value).gasInfo;
    assert.ok(info !== undefined);
    assert.equal(info.gasWanted, 1_000n);
    assert.ok(info.gasUsed > 10n * 1_000n, "used ten times the limit, no out of gas");
  });

  test("max_gas -1 (unlimited): any limit up to the SDK's MaxGasWanted simulates", async () => {
    const app = chain(-1n);
    const r = simulate(app, await send(app, 50_000_000));
    assert.equal(r.code, 0, r.log);
  });
});
