// `npm test`'s way of running test files (scripts/run-tests.mjs → runNodeTest), on leaky.fixture.mjs alone, with
// the per-file timeout LEAK_TIMEOUT_MS (test/util/reaper.test.ts). Prints "ended" when node's runner has exited
// and runNodeTest is done, then waits for its stdin to close, so the test looks for leftovers while this process
// (and its own exit-time reaping) is still alive.
import { fileURLToPath } from "node:url";
import { runNodeTest } from "../reaper.mjs";

const timeoutMs = Number(process.env.LEAK_TIMEOUT_MS);
const file = fileURLToPath(new URL("./leaky.fixture.mjs", import.meta.url));
const code = await runNodeTest(["--test", `--test-timeout=${timeoutMs}`, "--test-reporter=dot", file], {
  timeoutMs,
  stdio: "ignore",
});
process.stdout.write(`ended ${code}\n`);
process.stdin.resume();
process.stdin.on("end", () => process.exit(0));
