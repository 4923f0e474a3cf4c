// Slashing queries in the grpc-gateway JSON shapes (/cosmos/slashing/v1beta1/...): params, signing infos.
import { ChainError, GrpcCode, QueryError } from "../../errors.js";
import { fromBech32, toBech32 } from "../../address.js";
import type { Context } from "../../tx/context.js";
import { VALCONS_PREFIX } from "../staking/keys.js";
import { durationJson } from "../staking/queryServer.js";
import { rfc3339Json } from "../staking/time.js";
import type { SlashingKeeper } from "./keeper.js";
import type { SigningInfo } from "./types.js";

type Json = Record<string, unknown>;

export function signingInfoJson(s: SigningInfo): Json {
  return {
    address: toBech32(s.address, VALCONS_PREFIX),
    start_height: s.startHeight.toString(),
    index_offset: s.indexOffset.toString(),
    jailed_until: rfc3339Json(s.jailedUntilNs),
    tombstoned: s.tombstoned,
    missed_blocks_counter: s.missedBlocksCounter.toString(),
  };
}

export class SlashingQueryServer {
  constructor(private readonly k: SlashingKeeper) {}

  /** GET /cosmos/slashing/v1beta1/params */
  params(ctx: Context): Json {
    const p = this.k.getParams(ctx);
    return {
      params: {
        signed_blocks_window: p.signedBlocksWindow.toString(),
        min_signed_per_window: p.minSignedPerWindow.toString(),
        downtime_jail_duration: durationJson(p.downtimeJailDurationNs),
        slash_fraction_double_sign: p.slashFractionDoubleSign.toString(),
        slash_fraction_downtime: p.slashFractionDowntime.toString(),
      },
    };
  }

  /** GET /cosmos/slashing/v1beta1/signing_infos/{cons_address} */
  signingInfo(ctx: Context, consAddr: string): Json {
    let cons: Uint8Array;
    try {
      cons = fromBech32(consAddr, "address", VALCONS_PREFIX);
    } catch (e) {
      throw new QueryError(GrpcCode.InvalidArgument, e instanceof ChainError ? e.message : "invalid address");
    }
    const s = this.k.getSigningInfo(ctx, cons);
    if (s === undefined)
      throw new QueryError(GrpcCode.NotFound, `SigningInfo not found for validator ${consAddr}`);
    return { val_signing_info: signingInfoJson(s) };
  }

  /** GET /cosmos/slashing/v1beta1/signing_infos */
  signingInfos(ctx: Context): Json {
    const all = [...this.k.iterateSigningInfos(ctx)];
    return { info: all.map(signingInfoJson), pagination: { next_key: null, total: String(all.length) } };
  }
}
