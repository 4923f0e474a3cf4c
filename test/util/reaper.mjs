// Test-run process cleanup. `npm test` (scripts/run-tests.mjs) loads this module into itself and (`--import`,
// through `runNodeTest`) into every test file's process. Each process that loads it appends its own token to
// SHROUD_TEST_REAP, so everything it starts afterwards — at any depth, detached process groups included
// (localnet nodes, the CometBFT each node spawns, `shroud dev` children) — inherits the token in its environment.
// When the process ends (normal exit, an uncaught error, SIGTERM from node's test runner on a file's timeout,
// SIGINT, SIGHUP) it SIGKILLs every process that still carries its token. `runNodeTest` (in the process that
// starts node's test runner: node does not load --import modules into the runner itself) does the same for each
// test file's process once it is gone (even by SIGKILL, when no handler of its own ran), and SIGKILLs one stuck
// past its timeout. Linux only (/proc); elsewhere a no-op. Plain JS: the runner loads it without tsx.
import { spawn } from "node:child_process";
import fs, { appendFileSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { syncBuiltinESMExports } from "node:module";
import { constants, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { isMainThread } from "node:worker_threads";

export const REAP_VAR = "SHROUD_TEST_REAP";
/** How long past its `--test-timeout` a test file's process may live before the watcher kills it. */
const STUCK_GRACE_MS = Number(process.env.SHROUD_TEST_REAP_GRACE_MS ?? 30_000);
const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"];

/**
 * "<pid>.<start time>" (clock ticks after boot, /proc/<pid>/stat field 22): names one process; a later process
 * reusing the pid has another start time. Undefined when the process is gone.
 */
export function processToken(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    // The fields after the command name (which may hold spaces and parentheses) follow its last ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return `${pid}.${fields[19]}`;
  } catch {
    return undefined;
  }
}

/** The tokens in a process's environment (as it was at exec), or [] if it is gone, a zombie, or not ours. */
function tokensOf(pid) {
  let env;
  try {
    env = readFileSync(`/proc/${pid}/environ`, "latin1");
  } catch {
    return [];
  }
  const key = `${REAP_VAR}=`;
  for (const kv of env.split("\0")) if (kv.startsWith(key)) return kv.slice(key.length).split(",");
  return [];
}

function commandOf(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "latin1").split("\0").join(" ").trim().slice(0, 160);
  } catch {
    return "?";
  }
}

/**
 * SIGKILLs every process (but this one) whose environment carries `token`; returns what it killed. Repeats
 * until a pass finds nothing (a process may fork while the previous pass runs).
 */
export function reap(token) {
  const killed = [];
  const seen = new Set(); // a SIGKILLed process shows in /proc until it is reaped
  for (let pass = 0; pass < 5; pass++) {
    let found = 0;
    let names;
    try {
      names = readdirSync("/proc");
    } catch {
      return killed;
    }
    for (const name of names) {
      if (!/^\d+$/.test(name)) continue;
      const pid = Number(name);
      if (pid === process.pid || seen.has(pid) || !tokensOf(pid).includes(token)) continue;
      const cmd = commandOf(pid);
      try {
        process.kill(pid, "SIGKILL");
        seen.add(pid);
        killed.push({ pid, cmd });
        found++;
      } catch {
        // gone meanwhile
      }
    }
    if (found === 0) break;
  }
  return killed;
}

/**
 * The list of temporary folders a process made (`<tmpdir>/shroud-test-<token>.dirs`, one path a line): the
 * process appends each folder it creates with fs.mkdtemp*, so whoever cleans up after it — its own exit
 * handler, or runNodeTest once it is gone even by SIGKILL — removes them. SHROUD_KEEP_NET=1 keeps them all
 * (a localnet's folder holds its nodes' logs for a post-mortem).
 */
function dirsFile(token) {
  return join(tmpdir(), `shroud-test-${token}.dirs`);
}

/** Removes the temporary folders listed for `token` (and the list); returns how many it removed. */
export function removeTempDirs(token) {
  const list = dirsFile(token);
  if (process.env.SHROUD_KEEP_NET === "1") {
    rmSync(list, { force: true });
    return 0;
  }
  let paths;
  try {
    paths = readFileSync(list, "utf8")
      .split("\n")
      .filter((l) => l !== "");
  } catch {
    return 0; // made none
  }
  let removed = 0;
  for (const p of paths) {
    try {
      rmSync(p, { recursive: true, force: true, maxRetries: 2 });
      removed++;
    } catch {
      // in use or gone: nothing more to do here
    }
  }
  rmSync(list, { force: true });
  return removed;
}

/** Wraps fs.mkdtempSync / fs.mkdtemp / fs.promises.mkdtemp so that every folder made is listed for `token`. */
function trackTempDirs(token) {
  const list = dirsFile(token);
  const note = (dir) => {
    try {
      appendFileSync(list, resolve(dir) + "\n");
    } catch {
      // the list is best effort; the test itself goes on
    }
    return dir;
  };
  const { mkdtempSync, mkdtemp } = fs;
  const mkdtempP = fs.promises.mkdtemp;
  fs.mkdtempSync = (...args) => note(mkdtempSync(...args));
  fs.mkdtemp = (prefix, ...rest) => {
    const cb = rest.pop();
    return mkdtemp(prefix, ...rest, (err, dir) => cb(err, err ? dir : note(dir)));
  };
  fs.promises.mkdtemp = async (...args) => note(await mkdtempP(...args));
  syncBuiltinESMExports(); // `import { mkdtempSync } from "node:fs"` in the test files sees the wrappers
}

/** tsx's esbuild service: every tsx process has one, and it ends with its parent's pipe; not worth a line. */
const ESBUILD_SERVICE = /\/esbuild --service=/;

function report(what, all) {
  const killed = all.filter((k) => !ESBUILD_SERVICE.test(k.cmd));
  if (killed.length === 0) return;
  const list = killed.map((k) => `${k.pid} ${k.cmd}`).join("\n  ");
  process.stderr.write(`[test reaper] ${what}: killed ${killed.length} leftover process(es):\n  ${list}\n`);
}

/** A process's direct children (of its main thread: where node spawns them). */
function childPids(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/task/${pid}/children`, "latin1").trim();
    return text === "" ? [] : text.split(" ").map(Number);
  } catch {
    return [];
  }
}

/**
 * Runs `node <nodeArgs>` (node's test runner: `--test … files`) with this module loaded into every test file's
 * process, and watches the runner's children (the test files' processes): once one is gone, even by SIGKILL,
 * whatever still carries its token is killed; one still alive `STUCK_GRACE_MS` past `timeoutMs` (stuck in a loop,
 * so its SIGTERM handler never ran; the runner has given up on it and waits for its pipes) is SIGKILLed.
 * Resolves with the runner's exit code (1 if it died by a signal).
 */
export function runNodeTest(nodeArgs, { timeoutMs = Infinity, stdio = "inherit", cwd = process.cwd() } = {}) {
  const child = spawn(process.execPath, ["--import", import.meta.url, ...nodeArgs], { stdio, cwd });
  const files = new Map(); // pid → { token, since, cmd }
  const tick = () => {
    if (child.pid === undefined) return;
    const now = Date.now();
    const live = new Set(childPids(child.pid));
    for (const pid of live) {
      if (files.has(pid)) continue;
      const token = processToken(pid);
      if (token !== undefined) files.set(pid, { token, since: now, cmd: commandOf(pid) });
    }
    for (const [pid, f] of files) {
      if (!live.has(pid)) {
        files.delete(pid);
        report(`test process ${pid} ended (${f.cmd})`, reap(f.token));
        removeTempDirs(f.token);
      } else if (now - f.since > timeoutMs + STUCK_GRACE_MS) {
        process.stderr.write(`[test reaper] test process ${pid} still alive past its timeout: SIGKILL\n`);
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // gone
        }
      }
    }
  };
  const timer = setInterval(tick, 500);
  return new Promise((resolve) => {
    child.once("exit", (code) => {
      clearInterval(timer);
      tick(); // the last files' ends
      for (const f of files.values()) {
        report(`test process ended (${f.cmd})`, reap(f.token));
        removeTempDirs(f.token);
      }
      resolve(code ?? 1);
    });
  });
}

function install() {
  const self = processToken(process.pid);
  if (self === undefined) return; // no /proc
  const above = process.env[REAP_VAR];
  process.env[REAP_VAR] = above === undefined || above === "" ? self : `${above},${self}`;
  trackTempDirs(self);
  process.on("exit", () => {
    report(`process ${process.pid} exiting`, reap(self));
    removeTempDirs(self); // after the processes that may still write into them are gone
  });
  for (const sig of SIGNALS) {
    process.on(sig, () => {
      report(`process ${process.pid} got ${sig}`, reap(self));
      process.exit(128 + (constants.signals[sig] ?? 0));
    });
  }
}

// Worker threads load --import modules too: their "exit" is not the process's, and they must not reap.
if (isMainThread && process.env.SHROUD_TEST_REAP_OFF !== "1") install();
