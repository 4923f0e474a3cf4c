// The mint module's wiring: keeper over narrow bank/staking views, queries, and the begin-block entry point
// (first of the begin blockers: mint → distribution → slashing).
import type { Context } from "../../tx/context.js";
import type { MintBankKeeper, MintStakingKeeper } from "./expectedKeepers.js";
import { MintKeeper } from "./keeper.js";
import { MODULE_NAME } from "./keys.js";
import { MintQueryServer } from "./queryServer.js";
import { mintGrpc } from "./grpc.js";
import type { GrpcHandler } from "../staking/grpc.js";

/** The mint module account may mint (SDK maccPerms). */
export const MINT_MODULE_PERMISSIONS: Readonly<Record<string, readonly string[]>> = Object.freeze({
  [MODULE_NAME]: ["minter"],
});

export interface MintModule {
  readonly name: string;
  readonly keeper: MintKeeper;
  readonly query: MintQueryServer;
  readonly grpcQueries: Readonly<Record<string, GrpcHandler>>;
  /** BeginBlock: returns the amount minted into fee_collector. */
  beginBlock(ctx: Context): bigint;
}

export function createMintModule(bank: MintBankKeeper, staking: MintStakingKeeper): MintModule {
  const keeper = new MintKeeper(bank, staking);
  return {
    name: MODULE_NAME,
    keeper,
    query: new MintQueryServer(keeper),
    grpcQueries: mintGrpc(keeper),
    beginBlock: (ctx) => keeper.beginBlock(ctx),
  };
}
