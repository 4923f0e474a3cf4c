// The per-ABCI-method CPU meter: slot names per request kind, charging, and the SIGUSR2 dump the bench reads.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { CheckTxType, Request } from "cosmjs-types/tendermint/abci/types";
import { abciCpuDumpPath, AbciCpuMeter, processAbciCpuMeter, requestKind } from "./abciCpu.js";

describe("abciCpu", () => {
  test("requestKind splits CheckTx NEW / RECHECK and names other arms", () => {
    const tx = new Uint8Array([1]);
    assert.equal(requestKind(Request.fromPartial({ checkTx: { tx, type: CheckTxType.NEW } })), "checkTx.new");
    assert.equal(
      requestKind(Request.fromPartial({ checkTx: { tx, type: CheckTxType.RECHECK } })),
      "checkTx.recheck",
    );
    assert.equal(requestKind(Request.fromPartial({ commit: {} })), "commit");
    assert.equal(requestKind(Request.fromPartial({ processProposal: {} })), "processProposal");
  });

  test("measure charges CPU and counts calls, also when fn throws", () => {
    const m = new AbciCpuMeter();
    let x = 0;
    m.measure("spin", () => {
      for (let i = 0; i < 3_000_000; i++) x += i % 7;
    });
    assert.throws(() => m.measure("spin", () => assert.fail("boom")));
    const s = m.snapshot().slots["spin"];
    assert.ok(x > 0);
    assert.ok(s !== undefined);
    assert.equal(s.calls, 2);
    assert.ok(s.cpuUs > 0, "a 3M-iteration loop uses measurable CPU");
  });

  test("measureNow: a value is charged at once, a Promise when it settles, a throw rethrown and charged", async () => {
    const m = new AbciCpuMeter();
    assert.equal(
      m.measureNow("a", () => 1),
      1,
    );
    assert.equal(m.snapshot().slots["a"]?.calls, 1);
    let release: (v: number) => void = () => undefined;
    const p = m.measureNow("b", () => new Promise<number>((r) => (release = r)));
    assert.ok(p instanceof Promise);
    assert.equal(m.snapshot().slots["b"], undefined, "not charged before it settles");
    release(2);
    assert.equal(await p, 2);
    assert.equal(m.snapshot().slots["b"]?.calls, 1);
    assert.throws(() => m.measureNow("c", () => assert.fail("boom")), /boom/);
    assert.equal(m.snapshot().slots["c"]?.calls, 1);
    const off = new AbciCpuMeter(false);
    assert.equal(
      off.measureNow("a", () => 3),
      3,
    );
    assert.deepEqual(off.snapshot().slots, {});
  });

  test("a disabled meter runs fn bare and charges nothing until enabled", () => {
    const m = new AbciCpuMeter(false);
    assert.equal(
      m.measure("a", () => 7),
      7,
    );
    assert.deepEqual(m.snapshot().slots, {});
    m.enable();
    assert.ok(m.isEnabled);
    m.measure("a", () => 8);
    assert.equal(m.snapshot().slots["a"]?.calls, 1);
  });

  test("SIGUSR2 turns the process meter on and writes its snapshot", async () => {
    const m = processAbciCpuMeter();
    assert.equal(processAbciCpuMeter(), m, "one meter per process");
    assert.equal(m.isEnabled, false, "off until the bench asks");
    m.add("probe", 1234);
    const path = abciCpuDumpPath(process.pid);
    rmSync(path, { force: true });
    process.kill(process.pid, "SIGUSR2");
    await new Promise((r) => setTimeout(r, 200));
    const dump = JSON.parse(readFileSync(path, "utf8")) as { pid: number; slots: Record<string, unknown> };
    rmSync(path, { force: true });
    assert.equal(dump.pid, process.pid);
    assert.ok(m.isEnabled);
    assert.deepEqual(dump.slots["probe"], { calls: 1, cpuUs: 1234 });
  });
});
