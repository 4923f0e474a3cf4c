// The slashing module's wiring: keeper (registered as a staking hook for signing info), MsgUnjail, queries,
// and the begin-block entry point (after distribution): liveness over the last commit, then evidence.
import type { MsgUnjail } from "cosmjs-types/cosmos/slashing/v1beta1/tx";
import type { Context } from "../../tx/context.js";
import type { MsgRegistry } from "../../tx/msgRegistry.js";
import type { SlashingStakingKeeper } from "./expectedKeepers.js";
import { SlashingKeeper, isMissed, type CommitVote, type Misbehavior } from "./keeper.js";
import { MODULE_NAME } from "./keys.js";
import { MsgUnjailType } from "./msgs.js";
import { handleUnjail } from "./msgServer.js";
import { SlashingQueryServer } from "./queryServer.js";
import { slashingGrpc } from "./grpc.js";
import type { GrpcHandler } from "../staking/grpc.js";

/** Misbehavior types CometBFT reports (abci MisbehaviorType): both are equivocation for the SDK. */
const DUPLICATE_VOTE = 1;
const LIGHT_CLIENT_ATTACK = 2;

export interface SlashingModule {
  readonly name: string;
  readonly keeper: SlashingKeeper;
  readonly query: SlashingQueryServer;
  readonly grpcQueries: Readonly<Record<string, GrpcHandler>>;
  /** BeginBlock: each last-commit vote updates liveness; each misbehavior is handled as double-sign evidence. */
  beginBlock(ctx: Context, votes: readonly CommitVote[], misbehavior: readonly Misbehavior[]): void;
}

export function createSlashingModule(staking: SlashingStakingKeeper, registry: MsgRegistry): SlashingModule {
  const keeper = new SlashingKeeper(staking);
  staking.addHooks(keeper);
  registry.register<MsgUnjail>(MsgUnjailType, (ctx, m) => handleUnjail(keeper, ctx, m));
  const query = new SlashingQueryServer(keeper);
  return {
    name: MODULE_NAME,
    keeper,
    query,
    grpcQueries: slashingGrpc(keeper, query),
    beginBlock: (ctx, votes, misbehavior) => {
      for (const v of votes) keeper.handleValidatorSignature(ctx, v.address, v.power, isMissed(v));
      for (const m of misbehavior) {
        if (m.type === undefined || m.type === DUPLICATE_VOTE || m.type === LIGHT_CLIENT_ATTACK) {
          keeper.handleEquivocation(ctx, m);
        }
      }
    },
  };
}
