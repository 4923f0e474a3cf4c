// Slashing gRPC query methods over ABCI Query (Params, SigningInfo, SigningInfos). Dec `bytes` fields carry
// LegacyDec.Marshal() (atomics as text).
import {
  QueryParamsResponse,
  QuerySigningInfoRequest,
  QuerySigningInfoResponse,
  QuerySigningInfosResponse,
} from "cosmjs-types/cosmos/slashing/v1beta1/query";
import type { ValidatorSigningInfo } from "cosmjs-types/cosmos/slashing/v1beta1/slashing";
import { fromBech32, toBech32 } from "../../address.js";
import { utf8 } from "../../../util/bytes.js";
import { decodeRequest, onePage, type GrpcHandler } from "../staking/grpc.js";
import { VALCONS_PREFIX } from "../staking/keys.js";
import { nsToTimestamp } from "../staking/time.js";
import type { SlashingKeeper } from "./keeper.js";
import type { SlashingQueryServer } from "./queryServer.js";
import type { SigningInfo } from "./types.js";

const SL = "/cosmos.slashing.v1beta1.Query/";

function infoProto(s: SigningInfo): ValidatorSigningInfo {
  return {
    address: toBech32(s.address, VALCONS_PREFIX),
    startHeight: s.startHeight,
    indexOffset: s.indexOffset,
    jailedUntil: nsToTimestamp(s.jailedUntilNs),
    tombstoned: s.tombstoned,
    missedBlocksCounter: s.missedBlocksCounter,
  };
}

export function slashingGrpc(k: SlashingKeeper, q: SlashingQueryServer): Record<string, GrpcHandler> {
  return {
    [`${SL}Params`]: (ctx) => {
      const p = k.getParams(ctx);
      return QueryParamsResponse.encode({
        params: {
          signedBlocksWindow: p.signedBlocksWindow,
          minSignedPerWindow: utf8.encode(p.minSignedPerWindow.toAtomics()),
          downtimeJailDuration: {
            seconds: p.downtimeJailDurationNs / 1_000_000_000n,
            nanos: Number(p.downtimeJailDurationNs % 1_000_000_000n),
          },
          slashFractionDoubleSign: utf8.encode(p.slashFractionDoubleSign.toAtomics()),
          slashFractionDowntime: utf8.encode(p.slashFractionDowntime.toAtomics()),
        },
      }).finish();
    },
    [`${SL}SigningInfo`]: (ctx, data) => {
      const { consAddress } = decodeRequest((b) => QuerySigningInfoRequest.decode(b), data);
      q.signingInfo(ctx, consAddress);
      const info = k.getSigningInfo(ctx, fromBech32(consAddress, "address", VALCONS_PREFIX))!;
      return QuerySigningInfoResponse.encode({ valSigningInfo: infoProto(info) }).finish();
    },
    [`${SL}SigningInfos`]: (ctx) => {
      const all = [...k.iterateSigningInfos(ctx)];
      return QuerySigningInfosResponse.encode({
        info: all.map(infoProto),
        pagination: onePage(all.length),
      }).finish();
    },
  };
}
