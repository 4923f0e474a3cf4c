// MsgUpdateParams of auth, bank, staking, distribution, mint and slashing (cosmos-sdk v0.50 x/<module>/keeper/
// msg_server.go): signer = authority = the gov module account, so only a passed proposal can run one; the new
// params are validated as each module's Params.Validate does, then stored whole.
import * as authTx from "cosmjs-types/cosmos/auth/v1beta1/tx";
import * as bankTx from "cosmjs-types/cosmos/bank/v1beta1/tx";
import * as stakingTx from "cosmjs-types/cosmos/staking/v1beta1/tx";
import * as distrTx from "cosmjs-types/cosmos/distribution/v1beta1/tx";
import * as mintTx from "cosmjs-types/cosmos/mint/v1beta1/tx";
import * as slashingTx from "cosmjs-types/cosmos/slashing/v1beta1/tx";
import type { Duration } from "cosmjs-types/google/protobuf/duration";
import { ChainError, SdkErrors, UndefinedErrors } from "../errors.js";
import { isValidDenom } from "../tx/coins.js";
import type { MsgRegistry } from "../tx/msgRegistry.js";
import { utf8 } from "../../util/bytes.js";
import { Dec } from "../modules/staking/dec.js";
import { GOV_AUTHORITY, registerUpdateParams, updateParamsType } from "../modules/gov/authority.js";
import type { AuthKeeper } from "../modules/auth/keeper.js";
import type { BankKeeper } from "../modules/bank/keeper.js";
import type { PosModules } from "./pos.js";

/** A Params.Validate failure: a plain Go error in the SDK, so codespace "undefined", code 1. */
function invalid(msg: string): never {
  throw new ChainError(UndefinedErrors.Internal, msg);
}

/** LegacyDec from its proto form (atomics); a malformed one is an invalid param. */
function dec(atomics: string, field: string): Dec {
  try {
    return Dec.fromAtomics(atomics);
  } catch {
    return invalid(`invalid ${field}: ${atomics}`);
  }
}

/** x/mint and x/slashing style range check: 0 ≤ d ≤ 1 with the module's wording. */
function unitRange(d: Dec, what: string, negative = "cannot be negative"): void {
  if (d.isNegative()) invalid(`${what} ${negative}: ${d.toString()}`);
  if (d.gt(Dec.ONE)) invalid(`${what} too large: ${d.toString()}`);
}

function durationNs(d: Duration | undefined): bigint {
  return d === undefined ? 0n : d.seconds * 1_000_000_000n + BigInt(d.nanos);
}

function denom(d: string, what: string): string {
  if (d.trim() === "") invalid(`${what} cannot be blank`);
  if (!isValidDenom(d)) invalid(`invalid denom: ${d}`);
  return d;
}

const json =
  <T>(toJson: (m: T) => unknown) =>
  (m: T) =>
    toJson(m) as Record<string, unknown>;

function registerAuth(registry: MsgRegistry, auth: AuthKeeper): void {
  const type = updateParamsType<authTx.MsgUpdateParams>({
    typeUrl: "/cosmos.auth.v1beta1.MsgUpdateParams",
    responseTypeUrl: "/cosmos.auth.v1beta1.MsgUpdateParamsResponse",
    module: "auth",
    decode: (b) => authTx.MsgUpdateParams.decode(b),
    encode: (m) => authTx.MsgUpdateParams.encode(m).finish(),
    toJson: json((m) => authTx.MsgUpdateParams.toJSON(m)),
    apply: () => undefined,
  });
  registry.register<authTx.MsgUpdateParams>(type, (ctx, m) => {
    // x/auth answers a wrong authority with a plain error (undefined/1), not gov 13 like the others.
    if (m.authority !== GOV_AUTHORITY) {
      invalid(
        `expected authority account as only signer for proposal message; invalid authority; expected ${GOV_AUTHORITY}, got ${m.authority}`,
      );
    }
    const p = m.params;
    const checks: [bigint, string][] = [
      [p.txSigLimit, "invalid tx signature limit"],
      [p.sigVerifyCostEd25519, "invalid ED25519 signature verification cost"],
      [p.sigVerifyCostSecp256k1, "invalid SECK256k1 signature verification cost"],
      [p.maxMemoCharacters, "invalid max memo characters"],
      [p.txSizeCostPerByte, "invalid tx size cost per byte"],
    ];
    for (const [v, msg] of checks) if (v <= 0n) invalid(`${msg}: ${v}`);
    auth.setParams(ctx, {
      maxMemoCharacters: p.maxMemoCharacters,
      txSigLimit: p.txSigLimit,
      txSizeCostPerByte: p.txSizeCostPerByte,
      sigVerifyCostEd25519: p.sigVerifyCostEd25519,
      sigVerifyCostSecp256k1: p.sigVerifyCostSecp256k1,
    });
    return { responseTypeUrl: "/cosmos.auth.v1beta1.MsgUpdateParamsResponse", response: new Uint8Array() };
  });
}

function registerBank(registry: MsgRegistry, bank: BankKeeper): void {
  registerUpdateParams<bankTx.MsgUpdateParams>(registry, {
    typeUrl: "/cosmos.bank.v1beta1.MsgUpdateParams",
    responseTypeUrl: "/cosmos.bank.v1beta1.MsgUpdateParamsResponse",
    module: "bank",
    decode: (b) => bankTx.MsgUpdateParams.decode(b),
    encode: (m) => bankTx.MsgUpdateParams.encode(m).finish(),
    toJson: json((m) => bankTx.MsgUpdateParams.toJSON(m)),
    apply: (ctx, m) => {
      const p = m.params;
      // SDK v0.47+: per-denom flags moved out of params (MsgSetSendEnabled).
      // eslint-disable-next-line @typescript-eslint/no-deprecated -- the point: refuse the deprecated field
      if (p.sendEnabled.length > 0) invalid("use of send_enabled in params is no longer supported");
      bank.setParams(ctx, { defaultSendEnabled: p.defaultSendEnabled });
    },
  });
}

function registerStaking(registry: MsgRegistry, pos: PosModules): void {
  registerUpdateParams<stakingTx.MsgUpdateParams>(registry, {
    typeUrl: "/cosmos.staking.v1beta1.MsgUpdateParams",
    responseTypeUrl: "/cosmos.staking.v1beta1.MsgUpdateParamsResponse",
    module: "staking",
    decode: (b) => stakingTx.MsgUpdateParams.decode(b),
    encode: (m) => stakingTx.MsgUpdateParams.encode(m).finish(),
    toJson: json((m) => stakingTx.MsgUpdateParams.toJSON(m)),
    apply: (ctx, m) => {
      const p = m.params;
      const unbonding = durationNs(p.unbondingTime);
      if (unbonding <= 0n) invalid(`unbonding time must be positive: ${unbonding}`);
      if (p.maxValidators === 0) invalid("max validators must be positive");
      if (p.maxEntries === 0) invalid("max entries must be positive");
      const minRate = dec(p.minCommissionRate, "minimum commission rate");
      if (minRate.isNegative()) invalid(`minimum commission rate cannot be negative: ${minRate.toString()}`);
      if (minRate.gt(Dec.ONE))
        invalid(`minimum commission rate cannot be greater than 100%: ${minRate.toString()}`);
      pos.staking.keeper.setParams(ctx, {
        unbondingTimeNs: unbonding,
        maxValidators: p.maxValidators,
        maxEntries: p.maxEntries,
        historicalEntries: p.historicalEntries,
        bondDenom: denom(p.bondDenom, "bond denom"),
        minCommissionRate: minRate,
      });
    },
  });
}

function registerDistribution(registry: MsgRegistry, pos: PosModules): void {
  registerUpdateParams<distrTx.MsgUpdateParams>(registry, {
    typeUrl: "/cosmos.distribution.v1beta1.MsgUpdateParams",
    responseTypeUrl: "/cosmos.distribution.v1beta1.MsgUpdateParamsResponse",
    module: "distribution",
    decode: (b) => distrTx.MsgUpdateParams.decode(b),
    encode: (m) => distrTx.MsgUpdateParams.encode(m).finish(),
    toJson: json((m) => distrTx.MsgUpdateParams.toJSON(m)),
    apply: (ctx, m) => {
      const p = m.params;
      /* eslint-disable @typescript-eslint/no-deprecated -- refused unless empty or zero, as the SDK does */
      const base = dec(p.baseProposerReward, "base proposer reward");
      const bonus = dec(p.bonusProposerReward, "bonus proposer reward");
      /* eslint-enable @typescript-eslint/no-deprecated */
      if (!base.isZero() || !bonus.isZero()) {
        throw new ChainError(
          SdkErrors.InvalidRequest,
          "cannot update base or bonus proposer reward because these are deprecated fields",
        );
      }
      if (p.communityTax === "") invalid("community tax must be not nil");
      const tax = dec(p.communityTax, "community tax");
      if (tax.isNegative()) invalid(`community tax must be positive: ${tax.toString()}`);
      if (tax.gt(Dec.ONE)) invalid(`community tax too large: ${tax.toString()}`);
      pos.distribution.keeper.setParams(ctx, {
        communityTax: tax,
        withdrawAddrEnabled: p.withdrawAddrEnabled,
      });
    },
  });
}

function registerMint(registry: MsgRegistry, pos: PosModules): void {
  registerUpdateParams<mintTx.MsgUpdateParams>(registry, {
    typeUrl: "/cosmos.mint.v1beta1.MsgUpdateParams",
    responseTypeUrl: "/cosmos.mint.v1beta1.MsgUpdateParamsResponse",
    module: "mint",
    decode: (b) => mintTx.MsgUpdateParams.decode(b),
    encode: (m) => mintTx.MsgUpdateParams.encode(m).finish(),
    toJson: json((m) => mintTx.MsgUpdateParams.toJSON(m)),
    apply: (ctx, m) => {
      const p = m.params;
      const change = dec(p.inflationRateChange, "inflation rate change");
      const max = dec(p.inflationMax, "max inflation");
      const min = dec(p.inflationMin, "min inflation");
      const goal = dec(p.goalBonded, "goal bonded");
      unitRange(change, "inflation rate change");
      unitRange(max, "max inflation");
      unitRange(min, "min inflation");
      if (!goal.isPositive()) invalid(`goal bonded must be positive: ${goal.toString()}`);
      if (goal.gt(Dec.ONE)) invalid(`goal bonded too large: ${goal.toString()}`);
      if (p.blocksPerYear === 0n) invalid(`blocks per year must be positive: ${p.blocksPerYear}`);
      if (max.lt(min)) {
        invalid(
          `max inflation (${max.toString()}) must be greater than or equal to min inflation (${min.toString()})`,
        );
      }
      pos.mint.keeper.setParams(ctx, {
        mintDenom: denom(p.mintDenom, "mint denom"),
        inflationRateChange: change,
        inflationMax: max,
        inflationMin: min,
        goalBonded: goal,
        blocksPerYear: p.blocksPerYear,
      });
    },
  });
}

function registerSlashing(registry: MsgRegistry, pos: PosModules): void {
  registerUpdateParams<slashingTx.MsgUpdateParams>(registry, {
    typeUrl: "/cosmos.slashing.v1beta1.MsgUpdateParams",
    responseTypeUrl: "/cosmos.slashing.v1beta1.MsgUpdateParamsResponse",
    module: "slashing",
    decode: (b) => slashingTx.MsgUpdateParams.decode(b),
    encode: (m) => slashingTx.MsgUpdateParams.encode(m).finish(),
    toJson: json((m) => slashingTx.MsgUpdateParams.toJSON(m)),
    apply: (ctx, m) => {
      const p = m.params;
      // Slashing's LegacyDec fields are proto `bytes` holding the atomics as text.
      const bytesDec = (b: Uint8Array, f: string) => dec(utf8.decode(b), f);
      if (p.signedBlocksWindow <= 0n)
        invalid(`signed blocks window must be positive: ${p.signedBlocksWindow}`);
      const minSigned = bytesDec(p.minSignedPerWindow, "min signed per window");
      unitRange(minSigned, "min signed per window");
      const jail = durationNs(p.downtimeJailDuration);
      if (jail <= 0n) invalid(`downtime jail duration must be positive: ${jail}`);
      const doubleSign = bytesDec(p.slashFractionDoubleSign, "double sign slash fraction");
      unitRange(doubleSign, "double sign slash fraction");
      const downtime = bytesDec(p.slashFractionDowntime, "downtime slash fraction");
      unitRange(downtime, "downtime slash fraction");
      pos.slashing.keeper.setParams(ctx, {
        signedBlocksWindow: p.signedBlocksWindow,
        minSignedPerWindow: minSigned,
        downtimeJailDurationNs: jail,
        slashFractionDoubleSign: doubleSign,
        slashFractionDowntime: downtime,
      });
    },
  });
}

/**
 * Registers the six MsgUpdateParams. Gov has its own; compute's (/secret.compute.v1beta1.MsgUpdateParams) is
 * registered by createComputeModule with the same registerUpdateParams, since its keeper is built after this runs.
 */
export function registerModuleUpdateParams(
  registry: MsgRegistry,
  keepers: { auth: AuthKeeper; bank: BankKeeper; pos: PosModules },
): void {
  registerAuth(registry, keepers.auth);
  registerBank(registry, keepers.bank);
  registerStaking(registry, keepers.pos);
  registerDistribution(registry, keepers.pos);
  registerMint(registry, keepers.pos);
  registerSlashing(registry, keepers.pos);
}
