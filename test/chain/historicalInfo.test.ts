// staking HistoricalInfo through ShroudApp: each BeginBlock keeps the header (chain id, height, time, proposer,
// next validators hash, last app hash) and the bonded set for `historical_entries` heights; older ones are
// pruned; `/cosmos.staking.v1beta1.Query/HistoricalInfo` answers them or the SDK's gRPC errors.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import {
  QueryHistoricalInfoRequest,
  QueryHistoricalInfoResponse,
} from "cosmjs-types/cosmos/staking/v1beta1/query";
import { ShroudApp } from "../../src/chain/app.js";
import { appContext } from "../../src/chain/app/context.js";
import { MemoryOverlay } from "../../src/chain/store/memory.js";
import type { GenesisDoc } from "../../src/chain/genesis.js";
import { fromBech32, toBech32 } from "../../src/chain/address.js";
import { VALOPER_PREFIX } from "../../src/chain/modules/staking/keys.js";
import { buildDevGenesis, DEV_MNEMONICS } from "../../src/cli/devGenesis.js";
import { makeSigner } from "../../src/chain/tx/testdata/secretjsSigner.js";
import { Ed25519Signer } from "../../src/consensus/votes.js";
import { GENESIS_TIME_NS, tempStore, type TempStore } from "./fixtures.js";
import { initChain, PROPOSER, runHeight, timeOf, VALSET_HASH } from "./lifecycle.js";

const temps: TempStore[] = [];
after(() => {
  for (const t of temps) t.close();
});

const base = buildDevGenesis({
  genesisTimeNs: GENESIS_TIME_NS,
  nodeExchKey: new Uint8Array(32).fill(0xe1),
  ioExchKey: new Uint8Array(32).fill(0xe2),
  authorityPublicKeys: [],
  measurements: [],
  validatorPubKey: new Ed25519Signer(new Uint8Array(32).fill(9)).publicKey,
});
const staking = base.app_state.staking as Record<string, unknown>;
const params = {
  unbonding_time: "90s",
  max_validators: "100",
  max_entries: "7",
  historical_entries: "3",
  bond_denom: "uscrt",
  min_commission_rate: "0.000000000000000000",
};
const G: GenesisDoc = { ...base, app_state: { ...base.app_state, staking: { ...staking, params } } };

function historical(app: ShroudApp, height: bigint) {
  return app.query({
    path: "/cosmos.staking.v1beta1.Query/HistoricalInfo",
    data: QueryHistoricalInfoRequest.encode({ height }).finish(),
    height: 0n,
    prove: false,
  });
}

test("HistoricalInfo: kept for historical_entries heights, pruned below, SDK errors", async () => {
  const t = tempStore();
  temps.push(t);
  const app = new ShroudApp({ store: t.store });
  await initChain(app, G);
  const appHashes: Uint8Array[] = [];
  for (let h = 1n; h <= 6n; h++) appHashes.push((await runHeight(app, h, timeOf(G, h), [])).finalize.appHash);

  for (const h of [1n, 2n, 3n, 7n]) {
    const r = historical(app, h);
    assert.notEqual(r.code, 0, `height ${h}`);
    assert.match(r.log, new RegExp(`historical info for height ${h} not found`));
  }
  assert.match(historical(app, -1n).log, /height cannot be negative/);

  for (const h of [4n, 5n, 6n]) {
    const r = historical(app, h);
    assert.equal(r.code, 0, r.log);
    const hist = QueryHistoricalInfoResponse.decode(r.value).hist;
    assert.ok(hist?.header !== undefined);
    const hd = hist.header;
    assert.equal(hd.chainId, G.chain_id);
    assert.equal(hd.height, h);
    assert.equal(hd.time.seconds * 1_000_000_000n + BigInt(hd.time.nanos), timeOf(G, h));
    assert.deepEqual(hd.proposerAddress, PROPOSER);
    assert.deepEqual(hd.nextValidatorsHash, VALSET_HASH);
    assert.deepEqual(hd.appHash, appHashes[Number(h) - 2], "the last commit's app hash");
    const valoper = toBech32(fromBech32(makeSigner(DEV_MNEMONICS.validator).address), VALOPER_PREFIX);
    assert.deepEqual(
      hist.valset.map((v) => [v.operatorAddress, v.status]),
      [[valoper, 3]],
      "the bonded set",
    );
  }

  // The JSON form the REST route serves (StakingQueryServer.historicalInfo), gateway field names.
  const ctx = appContext(new MemoryOverlay(t.store.committed), G.chain_id, 7n, timeOf(G, 6n));
  const q = app.modules.pos.staking.query;
  const json = q.historicalInfo(ctx, 5n) as { hist: { header: Record<string, unknown>; valset: unknown[] } };
  assert.equal(json.hist.header.height, "5");
  assert.equal(json.hist.header.chain_id, G.chain_id);
  assert.equal(json.hist.header.app_hash, Buffer.from(appHashes[3]!).toString("base64"));
  const valoper = toBech32(fromBech32(makeSigner(DEV_MNEMONICS.validator).address), VALOPER_PREFIX);
  assert.deepEqual(
    json.hist.valset,
    [q.validator(ctx, valoper).validator],
    "same JSON as the Validator query",
  );
  assert.throws(() => q.historicalInfo(ctx, 2n), /historical info for height 2 not found/);
  assert.throws(() => q.historicalInfo(ctx, -1n), /height cannot be negative/);
});
