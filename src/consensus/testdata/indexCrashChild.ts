// Crash-test child for the deferred index (blockStore.test.ts "index after commit: kill -9"): saves test
// blocks, runs index jobs, then SIGKILLs itself at the point named on the command line, with no close.
// Usage: node --import tsx indexCrashChild.ts <path> <blocks> <jobs> <then>
//   then: "kill" (right after the jobs), "save" (save one more block: its COMMIT carries the open slices' rows,
//   then kill), "flush" (every index row written and committed, then kill), "idle" (kill after the idle turns).
import { BlockStore } from "../blockStore.js";
import { saveTestBlock } from "./indexBlocks.js";

const [path, blocksArg, jobsArg, then] = process.argv.slice(2);
if (path === undefined || then === undefined) throw new Error("usage: indexCrashChild.ts <path> <blocks> <jobs> <then>");
const blocks = Number(blocksArg);
const store = new BlockStore(path);
for (let h = 1; h <= blocks; h++) saveTestBlock(store, h);
for (let j = 0; j < Number(jobsArg); j++) if (!store.indexJob()) throw new Error(`no index job ${j}`);
if (then === "save") saveTestBlock(store, blocks + 1);
if (then === "flush") store.flushIndex();
const die = (): void => {
  process.stdout.write(`pending ${store.pendingIndexBlocks}\n`, () => process.kill(process.pid, "SIGKILL"));
};
if (then === "idle") setTimeout(die, 200);
else die();
