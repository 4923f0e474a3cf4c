// Mint: the inflation step toward the bonded goal (SDK formula), clamping, the block provision landing in
// fee_collector with supply growing by exactly that, the mint event, queries and genesis round trip.
import { test } from "node:test";
import assert from "node:assert/strict";
import { MemoryOverlay } from "../../store/memory.js";
import { Dec } from "../staking/dec.js";
import { SEC, createValidator, makePosChain } from "../staking/testdata/posHarness.js";
import { exportMintGenesis, initMintGenesis } from "./genesis.js";
import { DEFAULT_MINT_PARAMS, nextInflationRate } from "./keeper.js";

const U = 1_000_000n;

function setup(bondedU: bigint) {
  const c = makePosChain({ 1: 100n * U, 2: 900n * U });
  const ctx = c.ctx(1n, 1000n * SEC, new MemoryOverlay(c.state));
  createValidator(c, ctx, 1, bondedU * U);
  c.endBlock(ctx);
  return { c, ctx };
}

test("one block: inflation moves by (1 − ratio/goal)·rate_change/blocks_per_year; provision minted to fee_collector", () => {
  const { c, ctx } = setup(10n);
  const k = c.mint.keeper;
  assert.equal(k.bondedRatio(ctx).toString(), "0.010000000000000000");
  const supply0 = c.bank.keeper.getSupply(ctx, "uscrt").amount;
  const minted = c.mint.beginBlock(ctx);
  // 0.13 + (1 − 0.01/0.67)·0.13/6311520, each step rounded half-even at 18 decimals as LegacyDec does.
  const change = Dec.ONE.sub(Dec.fromString("0.01").quo(Dec.fromString("0.67"))).mul(Dec.fromString("0.13"));
  const expected = Dec.fromString("0.13").add(change.quo(Dec.fromInt(6_311_520n)));
  const m = k.getMinter(ctx);
  assert.equal(m.inflation.toString(), expected.toString());
  assert.ok(m.inflation.gt(Dec.fromString("0.13")), "below goal: inflation rises");
  assert.equal(m.annualProvisions.toString(), m.inflation.mulInt(supply0).toString());
  assert.equal(minted, m.annualProvisions.quo(Dec.fromInt(6_311_520n)).truncateInt());
  assert.ok(minted > 0n);
  assert.equal(c.bank.keeper.getSupply(ctx, "uscrt").amount, supply0 + minted);
  const fc = c.auth.keeper.getModuleAddress("fee_collector");
  assert.equal(c.bank.keeper.getBalance(ctx, fc, "uscrt").amount, minted);
  const ev = ctx.events.events.find((e) => e.type === "mint")!;
  assert.deepEqual(
    ev.attributes.map((a) => a.key),
    ["bonded_ratio", "inflation", "annual_provisions", "amount"],
  );
  assert.equal(c.bank.keeper.checkSupplyInvariant(ctx), undefined);
  const q = c.mint.query.inflation(ctx);
  assert.equal(Buffer.from(q.inflation as string, "base64").toString(), m.inflation.toAtomics());
});

test("above the goal inflation falls; it never leaves [min, max]", () => {
  const p = DEFAULT_MINT_PARAMS;
  const hi = nextInflationRate({ inflation: p.inflationMax, annualProvisions: Dec.ZERO }, p, Dec.ZERO);
  assert.ok(hi.eq(p.inflationMax));
  const lo = nextInflationRate({ inflation: p.inflationMin, annualProvisions: Dec.ZERO }, p, Dec.ONE);
  assert.ok(lo.eq(p.inflationMin));
  const mid = nextInflationRate(
    { inflation: Dec.fromString("0.1"), annualProvisions: Dec.ZERO },
    p,
    Dec.fromString("0.9"),
  );
  assert.ok(mid.lt(Dec.fromString("0.1")));
  const fast = { ...p, blocksPerYear: 1n };
  assert.ok(
    nextInflationRate({ inflation: Dec.fromString("0.1"), annualProvisions: Dec.ZERO }, fast, Dec.ZERO).eq(
      p.inflationMax,
    ),
  );
});

test("genesis round trip and params query", () => {
  const { c, ctx } = setup(10n);
  c.mint.beginBlock(ctx);
  const g = exportMintGenesis(ctx, c.mint.keeper);
  const other = makePosChain({ 1: 1n });
  const octx = other.ctx(0n, 0n);
  initMintGenesis(octx, other.mint.keeper, g);
  assert.deepEqual(exportMintGenesis(octx, other.mint.keeper), g);
  assert.deepEqual(c.mint.query.params(ctx), {
    params: {
      mint_denom: "uscrt",
      inflation_rate_change: "0.130000000000000000",
      inflation_max: "0.200000000000000000",
      inflation_min: "0.070000000000000000",
      goal_bonded: "0.670000000000000000",
      blocks_per_year: "6311520",
    },
  });
});
