// Contexts the application builds outside a tx (genesis, begin/end block, queries): an unlimited gas meter
// and no tx facts (tx contexts are built by runTx); and the block facts begin/end-block hooks receive.
import type { RequestFinalizeBlock } from "cosmjs-types/tendermint/abci/types";
import { BlockIDFlag } from "cosmjs-types/tendermint/types/validator";
import { GasMeter } from "../gas.js";
import type { KVStore } from "../store/types.js";
import { EventManager, type Context } from "../tx/context.js";
import type { BlockHookInfo } from "./module.js";
import { timestampNs } from "./results.js";

export function appContext(store: KVStore, chainId: string, height: bigint, timeNs: bigint): Context {
  return {
    store,
    gasMeter: new GasMeter(undefined),
    events: new EventManager(),
    chainId,
    blockHeight: height,
    blockTimeNs: timeNs,
    txHash: new Uint8Array(),
    txIndex: 0,
    isCheckTx: false,
    simulate: false,
  };
}

/** The begin/end-block hook facts of a FinalizeBlock request (BlockIDFlag ABSENT = missed). */
export function hookInfo(req: RequestFinalizeBlock, timeNs: bigint): BlockHookInfo {
  return {
    height: req.height,
    timeNs,
    proposerAddress: req.proposerAddress,
    nextValidatorsHash: req.nextValidatorsHash,
    lastCommitVotes: req.decidedLastCommit.votes.map((v) => ({
      address: v.validator.address,
      power: v.validator.power,
      // A NIL vote still signed (SDK: only ABSENT is a missed block).
      signed: v.blockIdFlag !== BlockIDFlag.BLOCK_ID_FLAG_ABSENT,
    })),
    misbehavior: req.misbehavior.map((m) => ({
      type: m.type,
      address: m.validator.address,
      power: m.validator.power,
      height: m.height,
      timeNs: timestampNs(m.time),
    })),
  };
}
