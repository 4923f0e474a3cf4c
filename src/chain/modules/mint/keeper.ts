// The mint keeper: the only code touching mint's store prefix. Minter state (inflation, annual provisions),
// params, and the begin-block inflation step (SDK v0.50 x/mint/abci.go, types/minter.go).
import type { KVStore } from "../../store/types.js";
import { PrefixStore, type Context } from "../../tx/context.js";
import { utf8 } from "../../../util/bytes.js";
import { FEE_COLLECTOR_NAME } from "../auth/keys.js";
import { Dec } from "../staking/dec.js";
import { emitMint } from "./events.js";
import type { MintBankKeeper, MintStakingKeeper } from "./expectedKeepers.js";
import { MINTER_KEY, MODULE_NAME, PARAMS_KEY, STORE_PREFIX } from "./keys.js";

export interface Minter {
  readonly inflation: Dec;
  readonly annualProvisions: Dec;
}

export interface MintParams {
  readonly mintDenom: string;
  readonly inflationRateChange: Dec;
  readonly inflationMax: Dec;
  readonly inflationMin: Dec;
  readonly goalBonded: Dec;
  readonly blocksPerYear: bigint;
}

/** SDK DefaultInitialMinter: 13% inflation, no provisions yet. */
export const DEFAULT_MINTER: Minter = Object.freeze({
  inflation: Dec.fromString("0.13"),
  annualProvisions: Dec.ZERO,
});

/** SDK v0.50 DefaultParams with Secret's denom (blocks per year = 60·60·8766/5). */
export const DEFAULT_MINT_PARAMS: MintParams = Object.freeze({
  mintDenom: "uscrt",
  inflationRateChange: Dec.fromString("0.13"),
  inflationMax: Dec.fromString("0.20"),
  inflationMin: Dec.fromString("0.07"),
  goalBonded: Dec.fromString("0.67"),
  blocksPerYear: 6_311_520n,
});

/** SDK Minter.NextInflationRate: moves toward the bonded goal by at most rate_change per year, clamped. */
export function nextInflationRate(m: Minter, p: MintParams, bondedRatio: Dec): Dec {
  const perYear = Dec.ONE.sub(bondedRatio.quo(p.goalBonded)).mul(p.inflationRateChange);
  const change = perYear.quo(Dec.fromInt(p.blocksPerYear));
  const next = m.inflation.add(change);
  if (next.gt(p.inflationMax)) return p.inflationMax;
  if (next.lt(p.inflationMin)) return p.inflationMin;
  return next;
}

/** SDK Minter.BlockProvision: annual provisions / blocks per year, truncated. */
export function blockProvision(m: Minter, p: MintParams): bigint {
  return m.annualProvisions.quo(Dec.fromInt(p.blocksPerYear)).truncateInt();
}

export class MintKeeper {
  constructor(
    private readonly bank: MintBankKeeper,
    private readonly staking: MintStakingKeeper,
    private readonly prefix: Uint8Array = STORE_PREFIX,
  ) {}

  private store(ctx: Context): KVStore {
    return new PrefixStore(ctx.store, this.prefix);
  }

  getMinter(ctx: Context): Minter {
    const b = this.store(ctx).get(MINTER_KEY);
    if (b === undefined) return DEFAULT_MINTER;
    const [i, a] = JSON.parse(utf8.decode(b)) as [string, string];
    return { inflation: Dec.fromAtomics(i), annualProvisions: Dec.fromAtomics(a) };
  }

  setMinter(ctx: Context, m: Minter): void {
    this.store(ctx).set(
      MINTER_KEY,
      utf8.encode(JSON.stringify([m.inflation.toAtomics(), m.annualProvisions.toAtomics()])),
    );
  }

  getParams(ctx: Context): MintParams {
    const b = this.store(ctx).get(PARAMS_KEY);
    if (b === undefined) return DEFAULT_MINT_PARAMS;
    const a = JSON.parse(utf8.decode(b)) as string[];
    return {
      mintDenom: a[0]!,
      inflationRateChange: Dec.fromAtomics(a[1]!),
      inflationMax: Dec.fromAtomics(a[2]!),
      inflationMin: Dec.fromAtomics(a[3]!),
      goalBonded: Dec.fromAtomics(a[4]!),
      blocksPerYear: BigInt(a[5]!),
    };
  }

  /** SDK Params.Validate essentials: positive blocks per year and goal, 0 ≤ min ≤ max ≤ 1. */
  setParams(ctx: Context, p: MintParams): void {
    if (p.blocksPerYear <= 0n || !p.goalBonded.isPositive() || p.goalBonded.gt(Dec.ONE)) {
      throw new RangeError("invalid mint params");
    }
    if (p.inflationMin.isNegative() || p.inflationMin.gt(p.inflationMax) || p.inflationMax.gt(Dec.ONE)) {
      throw new RangeError("invalid mint inflation bounds");
    }
    const row = [p.mintDenom, p.inflationRateChange, p.inflationMax, p.inflationMin, p.goalBonded].map((x) =>
      typeof x === "string" ? x : x.toAtomics(),
    );
    this.store(ctx).set(PARAMS_KEY, utf8.encode(JSON.stringify([...row, p.blocksPerYear.toString()])));
  }

  /** SDK BondedRatio: bonded pool tokens / staking token supply (0 when there is no supply). */
  bondedRatio(ctx: Context): Dec {
    const supply = this.staking.stakingTokenSupply(ctx);
    return supply > 0n ? Dec.fromInt(this.staking.totalBondedTokens(ctx)).quoInt(supply) : Dec.ZERO;
  }

  /** Mint BeginBlocker: recompute inflation and provisions, mint one block's worth into fee_collector. */
  beginBlock(ctx: Context): bigint {
    const p = this.getParams(ctx);
    const ratio = this.bondedRatio(ctx);
    const prev = this.getMinter(ctx);
    const inflation = nextInflationRate(prev, p, ratio);
    const minter: Minter = {
      inflation,
      annualProvisions: inflation.mulInt(this.staking.stakingTokenSupply(ctx)),
    };
    this.setMinter(ctx, minter);
    const amount = blockProvision(minter, p);
    if (amount > 0n) {
      const coins = [{ denom: p.mintDenom, amount }];
      this.bank.mintCoins(ctx, MODULE_NAME, coins);
      this.bank.sendCoinsFromModuleToModule(ctx, MODULE_NAME, FEE_COLLECTOR_NAME, coins);
    }
    emitMint(ctx.events, ratio, inflation, minter.annualProvisions, amount);
    return amount;
  }
}
