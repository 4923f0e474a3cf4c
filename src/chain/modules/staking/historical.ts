// HistoricalInfo (cosmos-sdk v0.50 x/staking/keeper/historical_info.go, TrackHistoricalInfo in BeginBlock): the
// block header and the last bonded validator set kept for `historical_entries` heights, for IBC light clients;
// served as `/cosmos.staking.v1beta1.Query/HistoricalInfo`.
import {
  QueryHistoricalInfoRequest,
  QueryHistoricalInfoResponse,
} from "cosmjs-types/cosmos/staking/v1beta1/query";
import {
  HistoricalInfo,
  type Validator as ValidatorProto,
} from "cosmjs-types/cosmos/staking/v1beta1/staking";
import { PubKey } from "cosmjs-types/cosmos/crypto/ed25519/keys";
import { Header } from "cosmjs-types/tendermint/types/types";
import { concatBytes, toBase64, u64be } from "../../../util/bytes.js";
import { fromBech32 } from "../../address.js";
import { compareBytes } from "../../store/memory.js";
import { GrpcCode, QueryError } from "../../errors.js";
import type { Context } from "../../tx/context.js";
import { decodeRequest, validatorProto, type GrpcHandler } from "./grpc.js";
import { consAddress, type StakingKeeper } from "./keeper.js";
import { Dec } from "./dec.js";
import { VALOPER_PREFIX } from "./keys.js";
import { validatorJson } from "./queryServer.js";
import { nsToTimestamp, rfc3339Json } from "./time.js";
import { consensusPower, type BondStatus, type Validator } from "./types.js";

/** 0x50 | height (u64 BE) -> HistoricalInfo proto (SDK HistoricalInfoKey = 0x50). */
export const HISTORICAL_INFO_PREFIX = Uint8Array.of(0x50);
const historicalKey = (height: bigint): Uint8Array => concatBytes(HISTORICAL_INFO_PREFIX, u64be(height));

/** The header fields baseapp v0.50 puts in FinalizeBlock's context (internalFinalizeBlock). */
export interface HistoricalHeader {
  readonly chainId: string;
  readonly height: bigint;
  readonly timeNs: bigint;
  readonly proposerAddress: Uint8Array;
  readonly nextValidatorsHash: Uint8Array;
  /** The last commit's app hash. */
  readonly appHash: Uint8Array;
}

/** CometBFT's order (SDK ValidatorsByVotingPower): power descending, then consensus address ascending. */
function byVotingPower(a: Validator, b: Validator): number {
  const pa = consensusPower(a);
  const pb = consensusPower(b);
  if (pa !== pb) return pa > pb ? -1 : 1;
  return compareBytes(consAddress(a.consPubKey), consAddress(b.consPubKey));
}

/**
 * SDK TrackHistoricalInfo: prunes entries at height − historical_entries and below (down to the first gap),
 * then, unless historical_entries is 0, stores this block's header with the last bonded set (≤ max_validators).
 */
export function trackHistoricalInfo(k: StakingKeeper, ctx: Context, h: HistoricalHeader): void {
  const store = k.store(ctx);
  const params = k.getParams(ctx);
  const entries = BigInt(params.historicalEntries);
  for (let i = h.height - entries; i >= 0n; i--) {
    const key = historicalKey(i);
    if (store.get(key) === undefined) break;
    store.delete(key);
  }
  if (entries === 0n) return;
  const vals: Validator[] = [];
  for (const { op } of k.lastPowers(ctx).slice(0, params.maxValidators)) {
    const v = k.getValidator(ctx, op);
    if (v !== undefined) vals.push(v);
  }
  vals.sort(byVotingPower);
  const header = Header.fromPartial({
    chainId: h.chainId,
    height: h.height,
    time: nsToTimestamp(h.timeNs),
    proposerAddress: h.proposerAddress,
    nextValidatorsHash: h.nextValidatorsHash,
    appHash: h.appHash,
  });
  const info = HistoricalInfo.fromPartial({ header, valset: vals.map(validatorProto) });
  store.set(historicalKey(h.height), HistoricalInfo.encode(info).finish());
}

/** The HistoricalInfo kept for `height`, if any (the query function for the REST route). */
export function getHistoricalInfo(
  k: StakingKeeper,
  ctx: Context,
  height: bigint,
): HistoricalInfo | undefined {
  if (height < 0n) return undefined;
  const b = k.store(ctx).get(historicalKey(height));
  return b === undefined ? undefined : HistoricalInfo.decode(b);
}

const tsNs = (t: { seconds: bigint; nanos: number }): bigint => t.seconds * 1_000_000_000n + BigInt(t.nanos);

/** Back from the stored proto to our Validator (for the gateway JSON, which validatorJson renders). */
function validatorFromProto(p: ValidatorProto): Validator {
  const { commissionRates: rates, updateTime } = p.commission;
  const d = p.description;
  return {
    operator: fromBech32(p.operatorAddress, "operator", VALOPER_PREFIX),
    consPubKey: PubKey.decode(p.consensusPubkey?.value ?? new Uint8Array()).key,
    jailed: p.jailed,
    status: p.status as number as BondStatus,
    tokens: BigInt(p.tokens),
    delegatorShares: Dec.fromAtomics(p.delegatorShares),
    description: {
      moniker: d.moniker,
      identity: d.identity,
      website: d.website,
      securityContact: d.securityContact,
      details: d.details,
    },
    unbondingHeight: p.unbondingHeight,
    unbondingTimeNs: tsNs(p.unbondingTime),
    commission: {
      rate: Dec.fromAtomics(rates.rate),
      maxRate: Dec.fromAtomics(rates.maxRate),
      maxChangeRate: Dec.fromAtomics(rates.maxChangeRate),
      updateTimeNs: tsNs(updateTime),
    },
    minSelfDelegation: BigInt(p.minSelfDelegation),
  };
}

/** grpc-gateway JSON of a HistoricalInfo (`/cosmos/staking/v1beta1/historical_info/{height}` → `{hist}`). */
export function historicalInfoJson(h: HistoricalInfo): Record<string, unknown> {
  const hd = h.header;
  return {
    header: {
      version: { block: hd.version.block.toString(), app: hd.version.app.toString() },
      chain_id: hd.chainId,
      height: hd.height.toString(),
      time: rfc3339Json(tsNs(hd.time)),
      last_block_id: { hash: "", part_set_header: { total: 0, hash: "" } },
      last_commit_hash: "",
      data_hash: "",
      validators_hash: "",
      next_validators_hash: toBase64(hd.nextValidatorsHash),
      consensus_hash: "",
      app_hash: toBase64(hd.appHash),
      last_results_hash: "",
      evidence_hash: "",
      proposer_address: toBase64(hd.proposerAddress),
    },
    valset: h.valset.map((v) => validatorJson(validatorFromProto(v))),
  };
}

/** `/cosmos.staking.v1beta1.Query/HistoricalInfo` with the SDK's gRPC errors (grpc_query.go). */
export function historicalInfoGrpc(k: StakingKeeper): Record<string, GrpcHandler> {
  return {
    "/cosmos.staking.v1beta1.Query/HistoricalInfo": (ctx, b) => {
      const req = decodeRequest((x) => QueryHistoricalInfoRequest.decode(x), b);
      if (req.height < 0n) throw new QueryError(GrpcCode.InvalidArgument, "height cannot be negative");
      const hist = getHistoricalInfo(k, ctx, req.height);
      if (hist === undefined) {
        throw new QueryError(GrpcCode.NotFound, `historical info for height ${req.height} not found`);
      }
      return QueryHistoricalInfoResponse.encode({ hist }).finish();
    },
  };
}
