// Door jobs (src/enclave/README.md §3): host work a top-level synchronous ECALL runs while the enclave holds the
// turn. Jobs run, OCALLs are still answered, a throwing job ends the jobs but not the ECALL, nested ECALLs get
// none, and a job cannot start an ECALL while the enclave works.
import { after, afterEach, before, test } from "node:test";
import assert from "node:assert/strict";
import { EnclaveBusyError, type DoorJobs, type OcallHandler } from "../../src/enclave/api.js";
import { memoryOcalls, OcallScript, startTestEnclave, u32, type TestEnclave } from "./helpers.js";

let t: TestEnclave;
before(async () => {
  t = await startTestEnclave();
});
afterEach(() => {
  t.host.doorJobs = undefined;
});
after(async () => {
  await t.close();
});

function okOf(r: ReturnType<TestEnclave["host"]["ecall"]>): Uint8Array {
  if ("error" in r) assert.fail(r.error.message);
  return r.ok;
}

/** A finite queue of jobs: each records its name in `log`. */
function queue(names: readonly string[], log: string[]): DoorJobs {
  const left = [...names];
  return () => {
    const next = left.shift();
    if (next === undefined) return false;
    log.push(next);
    return true;
  };
}

test("the jobs run while the enclave works, after the idle task, and the ECALL's answer is intact", () => {
  const log: string[] = [];
  t.host.doorJobs = queue(["j1", "j2", "j3"], log);
  const before = t.host.doorJobStats.run;
  // The enclave sleeps 100 ms: all three jobs run in that wait, after the idle task.
  const out = okOf(t.host.ecall("debugSleep", u32(100), { idle: () => log.push("idle") }));
  assert.equal(out.length, 0);
  assert.deepEqual(log, ["idle", "j1", "j2", "j3"]);
  assert.equal(t.host.doorJobStats.run - before, 3);
  // No source: nothing runs, nothing breaks.
  t.host.doorJobs = undefined;
  assert.deepEqual(okOf(t.host.ecall("debugEcho", Uint8Array.of(7))), Uint8Array.of(7));
  assert.equal(log.length, 4);
});

test("OCALLs are answered between jobs and the jobs go on after each answer", () => {
  const log: string[] = [];
  const { handler, store } = memoryOcalls();
  const logged: OcallHandler = {
    ...handler,
    readDb: (key) => {
      log.push("ocall");
      return handler.readDb(key);
    },
    writeDb: (key, value) => {
      log.push("ocall");
      return handler.writeDb(key, value);
    },
  };
  // An endless source of 0.2 ms jobs: the door must still look at the mailbox between two of them.
  let jobs = 0;
  t.host.doorJobs = () => {
    const end = performance.now() + 0.2;
    while (performance.now() < end);
    jobs++;
    log.push("job");
    return true;
  };
  const script = new OcallScript();
  for (let i = 0; i < 20; i++) script.write(Uint8Array.of(i), Uint8Array.of(i, i)).read(Uint8Array.of(i));
  const res = t.host.ecall("debugOcalls", script.build(), { ocalls: logged });
  const out = okOf(res);
  t.host.doorJobs = undefined;
  // The same answer as without jobs: every write landed, every read saw it.
  const plain = memoryOcalls();
  const ref = okOf(t.host.ecall("debugOcalls", script.build(), { ocalls: plain.handler }));
  assert.deepEqual(out, ref);
  assert.equal(res.gasUsed > 0n, true);
  assert.equal(store.size, 20);
  assert.equal(log.filter((e) => e === "ocall").length, 40);
  assert.ok(jobs > 0, "jobs ran");
  // Jobs ran after the first OCALL answer too, not only before the first OCALL.
  const firstOcall = log.indexOf("ocall");
  assert.ok(log.indexOf("job", firstOcall) > firstOcall, "a job ran after an OCALL answer");
});

test("a throwing job ends that ECALL's jobs, not the ECALL; the next ECALL runs jobs again", () => {
  let calls = 0;
  t.host.doorJobs = () => {
    calls++;
    throw new Error("job failed");
  };
  const failed0 = t.host.doorJobStats.failed;
  assert.deepEqual(okOf(t.host.ecall("debugSleep", u32(30))), new Uint8Array(0));
  assert.equal(calls, 1, "no job after the throw in the same ECALL");
  assert.equal(t.host.doorJobStats.failed - failed0, 1);
  assert.deepEqual(okOf(t.host.ecall("debugSleep", u32(30))), new Uint8Array(0));
  assert.equal(calls, 2);
});

test("nested ECALLs (inside an OCALL handler) run no jobs: only the top-level wait does", () => {
  const depths: number[] = [];
  t.host.doorJobs = () => {
    depths.push(t.host.activeDepth);
    return true;
  };
  const queryChain: OcallHandler["queryChain"] = (request, gasLimit) => {
    // Each nested level sleeps in the enclave first, so a wait with jobs would certainly run one there.
    okOf(t.host.ecall("debugSleep", u32(5)));
    const inner = t.host.ecall("debugNested", request, { gasLimit, ocalls: handler });
    if ("error" in inner) assert.fail(inner.error.message);
    return { result: inner.ok, gasUsed: inner.gasUsed };
  };
  const { handler } = memoryOcalls(queryChain);
  okOf(t.host.ecall("debugNested", u32(4), { gasLimit: 5000n, ocalls: handler }));
  // (Whether the top-level wait got to run one depends on timing; a nested one would have: 5 ms sleeps.)
  assert.deepEqual(
    depths.filter((d) => d !== 1),
    [],
  );
});

test("an ECALL from inside a job is refused (the enclave holds the turn) and the outer ECALL completes", () => {
  const seen: unknown[] = [];
  let once = false;
  t.host.doorJobs = () => {
    if (once) return false;
    once = true;
    try {
      t.host.ecall("debugEcho", Uint8Array.of(1));
      seen.push("ran");
    } catch (e) {
      seen.push(e);
    }
    return true;
  };
  assert.deepEqual(okOf(t.host.ecall("debugSleep", u32(20))), new Uint8Array(0));
  assert.equal(seen.length, 1);
  assert.ok(seen[0] instanceof EnclaveBusyError);
  t.host.doorJobs = undefined;
  assert.deepEqual(okOf(t.host.ecall("debugEcho", Uint8Array.of(4))), Uint8Array.of(4));
});
