// The ECALL/OCALL channel end to end through the real worker: sizes (inline and spilled), gas on every path,
// OCALL binding per call, safe error mapping, nesting limits, raw malformed frames, restart.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { DEBUG_ECALL, ENCLAVE_ERROR_CODES, type EnclaveHost, OcallFailure } from "../../src/enclave/api.js";
import { memoryOcalls, OcallScript, startTestEnclave, u32, type TestEnclave } from "./helpers.js";

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

function okOf(res: ReturnType<EnclaveHost["ecall"]>): Uint8Array {
  if ("error" in res) assert.fail(`expected ok, got error ${res.error.code}: ${res.error.message}`);
  return res.ok;
}

describe("enclave channel", () => {
  let t: TestEnclave;
  before(async () => {
    t = await startTestEnclave({ inlineCapacity: 64 * 1024 });
  });
  after(async () => {
    await t.close();
  });

  test("echo round-trips every size class, inline and spilled (2 MiB wasm-sized upload)", () => {
    for (const n of [0, 1, 255, 64 * 1024 - 14, 64 * 1024 - 13, 64 * 1024 + 1, 2 * 1024 * 1024 + 7]) {
      const payload = new Uint8Array(n);
      for (let i = 0; i < n; i++) payload[i] = (i * 31 + n) & 0xff;
      assert.deepEqual(okOf(t.host.ecall("debugEcho", payload)), payload, `size ${n}`);
    }
  });

  test("health answers on a fresh enclave", () => {
    assert.deepEqual(t.host.health(), { wireVersion: 1, seedCount: 0 });
  });

  test("OCALLs reach the handler bound to this ECALL, with the gas each reported", () => {
    const { handler, store } = memoryOcalls();
    const script = new OcallScript()
      .write(enc("k1"), enc("value-one"))
      .read(enc("k1"))
      .read(enc("missing"))
      .remove(enc("k1"))
      .read(enc("k1"))
      .build();
    const res = t.host.ecall("debugOcalls", script, { ocalls: handler });
    // readDb outputs: present(1) ‖ len ‖ bytes, then absent(0), then absent(0)
    assert.deepEqual(okOf(res), Uint8Array.from([1, 0, 0, 0, 9, ...enc("value-one"), 0, 0]));
    // gas: write 2+9, read 2+9, read 7, remove 2, read 2
    assert.equal(res.gasUsed, 11n + 11n + 7n + 2n + 2n);
    assert.equal(store.size, 0);
  });

  test("an applyBatch OCALL runs its ops through the handler in order; a failure stops it there", () => {
    const { handler, store } = memoryOcalls();
    const seen: string[] = [];
    const logged = {
      ...handler,
      writeDb: (k: Uint8Array, v: Uint8Array) => {
        seen.push(`w:${Buffer.from(k).toString()}`);
        return handler.writeDb(k, v);
      },
      removeDb: (k: Uint8Array) => {
        seen.push(`d:${Buffer.from(k).toString()}`);
        if (Buffer.from(k).toString() === "boom") throw new OcallFailure("no", 5n);
        return handler.removeDb(k);
      },
    };
    const ops = [
      { key: enc("old") },
      { key: enc("a"), value: enc("A1") },
      { key: enc("b"), value: enc("B22") },
      { key: enc("a") },
    ];
    const res = t.host.ecall("debugOcalls", new OcallScript().batch(ops).build(), { ocalls: logged });
    okOf(res);
    assert.deepEqual(seen, ["d:old", "w:a", "w:b", "d:a"]);
    // gas = bytes touched: remove 3, write 1+2, write 1+3, remove 1
    assert.equal(res.gasUsed, 3n + 3n + 4n + 1n);
    assert.deepEqual([...store.keys()], [Buffer.from("b").toString("hex")]);
    seen.length = 0;
    const failing = [
      { key: enc("c"), value: enc("C") },
      { key: enc("boom") },
      { key: enc("never"), value: enc("N") },
    ];
    const bad = t.host.ecall("debugOcalls", new OcallScript().batch(failing).build(), { ocalls: logged });
    assert.ok("error" in bad);
    assert.deepEqual(seen, ["w:c", "d:boom"]);
    assert.equal(bad.error.code, ENCLAVE_ERROR_CODES.HostMisbehavior.num);
    assert.equal(store.has(Buffer.from("never").toString("hex")), false);
  });

  test("a readDbFirst OCALL reads the fallback key only when the first is missing, gas summed", () => {
    const { handler, store } = memoryOcalls();
    const seen: string[] = [];
    const logged = {
      ...handler,
      readDb: (k: Uint8Array) => {
        seen.push(Buffer.from(k).toString());
        if (Buffer.from(k).toString() === "boom") throw new OcallFailure("no", 7n);
        return handler.readDb(k);
      },
    };
    store.set(Buffer.from("new").toString("hex"), enc("N1"));
    store.set(Buffer.from("old").toString("hex"), enc("O22"));
    const script = new OcallScript()
      .readFirst(enc("new"), enc("old"))
      .readFirst(enc("gone"), enc("old"))
      .readFirst(enc("gone"), enc("nope"))
      .build();
    const out = okOf(t.host.ecall("debugOcalls", script, { ocalls: logged }));
    assert.deepEqual(seen, ["new", "gone", "old", "gone", "nope"]);
    // hit 1 ‖ some(N1), hit 2 ‖ some(O22), hit 0 ‖ none (optBytes: u8 1 ‖ u32 len ‖ bytes | u8 0)
    assert.deepEqual([...out], [1, 1, 0, 0, 0, 2, ...enc("N1"), 2, 1, 0, 0, 0, 3, ...enc("O22"), 0, 0]);
    // gas = bytes touched: 3+2 | 4 + 3+3 | 4 + 4
    const res = t.host.ecall("debugOcalls", script, { ocalls: logged });
    assert.equal(res.gasUsed, 5n + 10n + 8n);
    seen.length = 0;
    const bad = t.host.ecall("debugOcalls", new OcallScript().readFirst(enc("gone"), enc("boom")).build(), {
      ocalls: logged,
    });
    assert.ok("error" in bad);
    assert.deepEqual(seen, ["gone", "boom"]);
    assert.equal(bad.error.code, ENCLAVE_ERROR_CODES.HostMisbehavior.num);
  });

  test("writes handed to the ECALL response are applied after the call's OCALLs, their gas added; a failure is HostMisbehavior with no gas", () => {
    const { handler, store } = memoryOcalls();
    const seen: string[] = [];
    const logged = {
      ...handler,
      readDb: (k: Uint8Array) => {
        seen.push(`r:${Buffer.from(k).toString()}`);
        return handler.readDb(k);
      },
      writeDb: (k: Uint8Array, v: Uint8Array) => {
        seen.push(`w:${Buffer.from(k).toString()}`);
        return handler.writeDb(k, v);
      },
      removeDb: (k: Uint8Array) => {
        seen.push(`d:${Buffer.from(k).toString()}`);
        if (Buffer.from(k).toString() === "boom") throw new OcallFailure("no", 5n);
        return handler.removeDb(k);
      },
    };
    const script = new OcallScript()
      .deferBatch([{ key: enc("old") }, { key: enc("a"), value: enc("A1") }])
      .read(enc("a"))
      .build();
    const res = t.host.ecall("debugOcalls", script, { ocalls: logged });
    okOf(res);
    // the read ran inside the call and missed; the deferred ops ran after it, in order
    assert.deepEqual(seen, ["r:a", "d:old", "w:a"]);
    // read 1, then remove 3 + write 1+2 added by the host
    assert.equal(res.gasUsed, 1n + 3n + 3n);
    assert.ok(store.has(Buffer.from("a").toString("hex")));
    seen.length = 0;
    const failing = new OcallScript()
      .deferBatch([
        { key: enc("c"), value: enc("C") },
        { key: enc("boom") },
        { key: enc("never"), value: enc("N") },
      ])
      .build();
    const bad = t.host.ecall("debugOcalls", failing, { ocalls: logged });
    assert.ok("error" in bad);
    assert.deepEqual(seen, ["w:c", "d:boom"]);
    assert.equal(bad.error.code, ENCLAVE_ERROR_CODES.HostMisbehavior.num);
    assert.equal(bad.gasUsed, 0n);
    // a call that fails keeps its error; its deferred writes were applied first, as an applyBatch OCALL would have been
    seen.length = 0;
    const thenFail = new OcallScript()
      .deferBatch([{ key: enc("d"), value: enc("D") }])
      .read(new Uint8Array(0));
    const failed = t.host.ecall("debugOcalls", Buffer.concat([thenFail.build(), Uint8Array.of(99)]), {
      ocalls: logged,
    });
    assert.ok("error" in failed);
    assert.equal(failed.error.code, ENCLAVE_ERROR_CODES.InvalidInput.num);
    assert.deepEqual(seen, ["r:", "w:d"]);
  });

  test("a second store bound to the next call sees only its own writes", () => {
    const a = memoryOcalls();
    const b = memoryOcalls();
    okOf(
      t.host.ecall("debugOcalls", new OcallScript().write(enc("x"), enc("A")).build(), { ocalls: a.handler }),
    );
    okOf(
      t.host.ecall("debugOcalls", new OcallScript().write(enc("y"), enc("B")).build(), { ocalls: b.handler }),
    );
    assert.deepEqual([...a.store.keys()], [Buffer.from("x").toString("hex")]);
    assert.deepEqual([...b.store.keys()], [Buffer.from("y").toString("hex")]);
  });

  test("a failing OCALL handler becomes a coded error that still carries its gas", () => {
    const { handler } = memoryOcalls();
    handler.readDb = () => {
      throw new OcallFailure("store exploded with secret detail", 77n);
    };
    const res = t.host.ecall(
      "debugOcalls",
      new OcallScript().write(enc("a"), enc("b")).read(enc("a")).build(),
      {
        ocalls: handler,
      },
    );
    assert.ok("error" in res);
    assert.equal(res.error.code, ENCLAVE_ERROR_CODES.HostMisbehavior.num);
    assert.doesNotMatch(res.error.message, /secret/);
    // the write (2 gas) was recorded before the read failed; the handler may add the failure's 77 itself
    assert.equal(res.gasUsed, 2n);
  });

  test("a handler answering nonsense (negative gas, non-bytes) is refused without desynchronising the channel", () => {
    const { handler } = memoryOcalls();
    handler.writeDb = () => ({ gasUsed: -5n });
    handler.readDb = () => ({ value: "not bytes" as unknown as Uint8Array, gasUsed: 1n });
    for (const script of [
      new OcallScript().write(enc("a"), enc("b")).build(),
      new OcallScript().read(enc("a")).build(),
    ]) {
      const res = t.host.ecall("debugOcalls", script, { ocalls: handler });
      assert.ok("error" in res);
      assert.equal(res.error.code, ENCLAVE_ERROR_CODES.HostMisbehavior.num);
    }
    assert.deepEqual(okOf(t.host.ecall("debugEcho", enc("in sync"))), enc("in sync"));
  });

  test("an ECALL with no OCALL handler bound gets a coded error, not a hang", () => {
    const res = t.host.ecall("debugOcalls", new OcallScript().read(enc("k")).build());
    assert.ok("error" in res);
    assert.equal(res.error.code, ENCLAVE_ERROR_CODES.HostMisbehavior.num);
  });

  test("large OCALL values spill both ways", () => {
    const { handler } = memoryOcalls();
    const big = new Uint8Array(200 * 1024).fill(0xab);
    const out = okOf(
      t.host.ecall("debugOcalls", new OcallScript().write(enc("big"), big).read(enc("big")).build(), {
        ocalls: handler,
      }),
    );
    assert.equal(out.length, 1 + 4 + big.length);
    assert.deepEqual(out.subarray(5), big);
  });

  test("every kind of throw leaves as a coded error with a safe message and the gas recorded", () => {
    const secret = Uint8Array.from({ length: 32 }, (_, i) => i + 100);
    const secretHex = Buffer.from(secret).toString("hex");
    const expected = [
      ENCLAVE_ERROR_CODES.InternalError.num,
      ENCLAVE_ERROR_CODES.InvalidInput.num,
      ENCLAVE_ERROR_CODES.DecryptionError.num,
      ENCLAVE_ERROR_CODES.InternalError.num,
      ENCLAVE_ERROR_CODES.InternalError.num, // stack overflow
    ];
    expected.forEach((code, mode) => {
      const res = t.host.ecall("debugThrow", Uint8Array.of(mode, ...secret));
      assert.ok("error" in res, `mode ${mode}`);
      assert.equal(res.error.code, code, `mode ${mode}`);
      assert.ok(!res.error.message.includes(secretHex), `mode ${mode} leaked its detail`);
      assert.equal(res.gasUsed, 1234n, `mode ${mode}`);
    });
    assert.deepEqual(okOf(t.host.ecall("debugEcho", enc("still alive"))), enc("still alive"));
  });

  test("unknown ids and malformed request frames are refused with codes", () => {
    const unknown = t.host.ecallById(0x7777, new Uint8Array(3));
    assert.ok("error" in unknown);
    assert.equal(unknown.error.code, ENCLAVE_ERROR_CODES.NotImplemented.num);
    for (const body of [new Uint8Array(0), Uint8Array.of(0xff), new Uint8Array(9)]) {
      const res = t.host.ecallRaw(body);
      assert.ok("error" in res);
      assert.equal(res.error.code, ENCLAVE_ERROR_CODES.InvalidInput.num);
    }
  });

  test("nesting beyond the channel limit is refused, and the stack unwinds cleanly", () => {
    const deep = (request: Uint8Array) => {
      const r = t.host.ecall("debugNested", request, { ocalls: handler });
      return { result: "error" in r ? Uint8Array.of(0xee, r.error.code) : r.ok, gasUsed: 0n };
    };
    const { handler } = memoryOcalls(deep);
    const out = okOf(t.host.ecall("debugNested", u32(100), { ocalls: handler }));
    // depths 1..16 recorded, then the 17th ECALL was refused on the host side
    const depths: number[] = [];
    for (let i = 0; i + 4 <= out.length - 2; i += 4) depths.push(Buffer.from(out).readUInt32BE(i));
    assert.deepEqual(
      depths,
      Array.from({ length: 16 }, (_, i) => i + 1),
    );
    assert.deepEqual([...out.subarray(-2)], [0xee, ENCLAVE_ERROR_CODES.ExceededRecursionLimit.num]);
    assert.equal(t.host.activeDepth, 0);
  });

  test("debug ECALLs are not served unless asked for", async () => {
    const plain = await startTestEnclave({ debugEcalls: false });
    try {
      const res = plain.host.ecall("debugEcho", Uint8Array.of(1));
      assert.ok("error" in res);
      assert.equal(res.error.code, ENCLAVE_ERROR_CODES.NotImplemented.num);
      assert.equal(DEBUG_ECALL.debugEcho, 0xff01);
    } finally {
      await plain.close();
    }
  });
});
