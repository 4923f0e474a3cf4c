// Deterministic blocks for the block store's index tests (blockStore.test.ts, indexCrashChild.ts): block h holds
// `txsIn(h)` txs [h, i, 7]; tx i's events name sender s<i%3> (twice), amount h*10+i and memo note-h-i.
import type { ExecTxResult } from "cosmjs-types/tendermint/abci/types";
import { Block } from "cosmjs-types/tendermint/types/block";
import { Commit } from "cosmjs-types/tendermint/types/types";
import type { BlockStore } from "../blockStore.js";

/** Tx i of block h: sender s<i%3> (named twice), amount (h*10+i), memo note-h-i. */
export function result(h: number, i: number): ExecTxResult {
  const attr = (key: string, value: string) => ({ key, value, index: true });
  return {
    code: 0,
    data: new Uint8Array(),
    log: "",
    info: "",
    gasWanted: 1n,
    gasUsed: 1n,
    codespace: "",
    events: [
      { type: "message", attributes: [attr("sender", `s${i % 3}`), attr("sender", `s${i % 3}`)] },
      { type: "transfer", attributes: [attr("amount", String(h * 10 + i)), attr("memo", `note-${h}-${i}`)] },
    ],
  };
}

/** Txs in block h: 45 in block 3 (three multi-row INSERTs inline, many slices deferred), else 5 + h % 4. */
export function txsIn(h: number): number {
  return h === 3 ? 45 : 5 + (h % 4);
}

export function txBytes(h: number, i: number): Uint8Array {
  return new Uint8Array([h, i, 7]);
}

/** Saves block h (its txs, results and a commit) into `store`. */
export function saveTestBlock(store: BlockStore, h: number): void {
  const txs = Array.from({ length: txsIn(h) }, (_, i) => txBytes(h, i));
  const txResults = txs.map((_, i) => result(h, i));
  const block = Block.fromPartial({ header: { height: BigInt(h) }, data: { txs } });
  const blockId = { hash: new Uint8Array(32).fill(h), partSetHeader: { total: 1, hash: new Uint8Array(32) } };
  const results = { events: [], txResults, validatorUpdates: [], appHash: new Uint8Array(32) };
  store.saveBlock({ height: BigInt(h), blockId, block, results }, Commit.fromPartial({ height: BigInt(h) }));
}
