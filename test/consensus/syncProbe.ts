// Child process of blockStoreSync.test.ts (run under strace): opens a block store in `argv[2]` with sync mode
// `argv[3]`, then saves two blocks and writes a meta value, marking each call's start and end on stderr
// (`write(2, …)` syscalls the trace shows in order with the store's fsyncs).
import { writeSync } from "node:fs";
import { join } from "node:path";
import { ResponseFinalizeBlock } from "cosmjs-types/tendermint/abci/types";
import { Block } from "cosmjs-types/tendermint/types/block";
import { Commit } from "cosmjs-types/tendermint/types/types";
import { BlockStore } from "../../src/consensus/blockStore.js";

const [dir, mode] = process.argv.slice(2) as [string, "full" | "normal"];
const store = new BlockStore(join(dir, "blocks.sqlite"), { sync: mode });
const mark = (what: string): void => {
  writeSync(2, `@@${what}\n`);
};
for (const height of [1n, 2n]) {
  const tx = new TextEncoder().encode(`k${height}=v`);
  const block = Block.fromPartial({ header: { chainId: "probe-1", height }, data: { txs: [tx] } });
  const results = ResponseFinalizeBlock.fromPartial({
    txResults: [{ code: 0, events: [{ type: "kv", attributes: [{ key: "k", value: "v", index: true }] }] }],
    appHash: new Uint8Array(32).fill(Number(height)),
  });
  const blockId = {
    hash: new Uint8Array(32).fill(9 + Number(height)),
    partSetHeader: { total: 1, hash: new Uint8Array(32) },
  };
  mark(`save ${height}`);
  store.saveBlock({ height, blockId, block, results }, Commit.fromPartial({ height, blockId }));
  mark(`saved ${height}`);
  store.flushIndex(); // an index transaction committed between the blocks
}
mark("meta");
store.setMeta("validators", new TextEncoder().encode("[]"));
mark("meta done");
store.close();
