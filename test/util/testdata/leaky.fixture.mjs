// A test file that leaves processes behind (test/util/reaper.test.ts runs it under node's test runner): a
// detached process group (as a localnet node), a plain child, and that child's own child, each a node process
// whose command line carries LEAK_MARKER. Then, by LEAK_MODE: "hang" (until the runner's timeout SIGTERMs this
// process), "kill9" (SIGKILLs itself: no handler runs), "busy" (a loop: a SIGTERM handler never runs), or "end"
// (the test passes and the process ends with its children still running). It also makes a temporary folder
// `<tmpdir>/<LEAK_MARKER>-*` and never removes it (as a file whose after() hook never ran).
import { test } from "node:test";
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const marker = process.env.LEAK_MARKER;
const mode = process.env.LEAK_MODE;
const idle = `setInterval(() => {}, 1e6)`;
const parent = `require("child_process").spawn(process.execPath, ["-e", ${JSON.stringify(idle)}, process.argv[1]], { stdio: "ignore" }); ${idle}`;

test("leaves processes behind", async () => {
  writeFileSync(join(mkdtempSync(join(tmpdir(), `${marker}-`)), "data"), "x");
  const a = spawn(process.execPath, ["-e", idle, marker], { detached: true, stdio: "ignore" });
  const b = spawn(process.execPath, ["-e", parent, marker], { stdio: "ignore" });
  a.unref();
  b.unref();
  await new Promise((r) => setTimeout(r, 500)); // the grandchild starts
  if (mode === "kill9") process.kill(process.pid, "SIGKILL");
  if (mode === "busy") for (;;);
  if (mode === "hang") await new Promise(() => setInterval(() => {}, 1e6));
});
