// Slashing genesis: {params, signing_infos: [{address, validator_signing_info}]}. Missed-block bitmaps are not
// exported (a restarted window starts clean), a documented difference from the SDK.
import { fromBech32 } from "../../address.js";
import type { Context } from "../../tx/context.js";
import { Dec } from "../staking/dec.js";
import { parseDuration, parseRfc3339 } from "../staking/genesis.js";
import { VALCONS_PREFIX } from "../staking/keys.js";
import type { SlashingKeeper } from "./keeper.js";
import { signingInfoJson, SlashingQueryServer } from "./queryServer.js";

type Json = Record<string, string | boolean>;

export interface SlashingGenesis {
  readonly params?: Record<string, string>;
  readonly signing_infos?: readonly { address: string; validator_signing_info: Json }[];
}

export function initSlashingGenesis(ctx: Context, k: SlashingKeeper, g: SlashingGenesis): void {
  const p = g.params;
  if (p !== undefined) {
    k.setParams(ctx, {
      signedBlocksWindow: BigInt(p.signed_blocks_window ?? "0"),
      minSignedPerWindow: Dec.fromString(p.min_signed_per_window ?? ""),
      downtimeJailDurationNs: parseDuration(p.downtime_jail_duration ?? ""),
      slashFractionDoubleSign: Dec.fromString(p.slash_fraction_double_sign ?? ""),
      slashFractionDowntime: Dec.fromString(p.slash_fraction_downtime ?? ""),
    });
  }
  for (const s of g.signing_infos ?? []) {
    const i = s.validator_signing_info;
    k.setSigningInfo(ctx, {
      address: fromBech32(s.address, "address", VALCONS_PREFIX),
      startHeight: BigInt(String(i.start_height)),
      indexOffset: BigInt(String(i.index_offset)),
      jailedUntilNs: parseRfc3339(String(i.jailed_until)),
      tombstoned: i.tombstoned === true,
      missedBlocksCounter: BigInt(String(i.missed_blocks_counter)),
    });
  }
}

export function exportSlashingGenesis(ctx: Context, k: SlashingKeeper): SlashingGenesis {
  const params = new SlashingQueryServer(k).params(ctx).params as Record<string, string>;
  return {
    params,
    signing_infos: [...k.iterateSigningInfos(ctx)].map((s) => {
      const j = signingInfoJson(s) as Json;
      return {
        address: String(j.address),
        validator_signing_info: { ...j, missed_blocks_counter: "0", index_offset: "0" },
      };
    }),
  };
}
