// Crash-test child: commits deterministic blocks in a loop, printing each committed height, until killed
// (the parent sends SIGKILL at seeded points). Usage: node --import tsx crashChild.ts <dir> <maxHeight>
import { writeSync } from "node:fs";
import { openStore } from "../store.js";
import { blockWrites } from "../testkit.js";
import { CRASH_SHAPE } from "./crashShape.js";

const [dir, maxArg] = process.argv.slice(2);
if (dir === undefined || maxArg === undefined) throw new Error("usage: crashChild.ts <dir> <maxHeight>");
const store = openStore(dir);
writeSync(1, `ready ${store.info().lastHeight}\n`);
for (let h = store.info().lastHeight + 1; h <= Number(maxArg); h++) {
  store.commit(h, blockWrites(h, CRASH_SHAPE));
  writeSync(1, `${h}\n`);
}
store.close();
