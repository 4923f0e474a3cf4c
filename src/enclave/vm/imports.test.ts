// Every host import through a real wasm instance (testdata/harness.wat) over the mock Backend.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { ed25519 } from "@noble/curves/ed25519.js";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { utf8 } from "../../util/bytes.js";
import { sha256 } from "../crypto/hash.js";
import { HOST_GAS } from "./gas.js";
import { ContractInstance, compileModule } from "./instance.js";
import { encodeSections, readRegion, writeRegion } from "./memory.js";
import { isVmError } from "./errors.js";
import { mockBackend, type MockBackend } from "./testing/mockBackend.js";
import { MOCK_STORAGE_GAS } from "./testing/mockStorage.js";
import { MOCK_QUERY_GAS } from "./testing/mockQuerier.js";
import { humanize } from "./testing/mockApi.js";
import { watFileToWasm } from "./testing/wat.js";
import type { WasmModule } from "./webassembly.js";

const module: WasmModule = compileModule(
  await watFileToWasm(new URL("./testdata/harness.wat", import.meta.url)),
);
const LIMIT = 100_000_000n;

function setup(opts: { readonly?: boolean; debug?: (m: string) => void; backend?: MockBackend } = {}) {
  const backend = opts.backend ?? mockBackend();
  const inst = new ContractInstance(module, {
    backend,
    gasLimit: LIMIT,
    readonly: opts.readonly ?? false,
    debugSink: opts.debug,
  });
  const put = (b: Uint8Array | string): number => {
    const data = typeof b === "string" ? utf8.encode(b) : b;
    const p = inst.allocate(data.length);
    writeRegion(inst.memory(), p, data, "test");
    return p;
  };
  const get = (p: number): Uint8Array => readRegion(inst.memory(), p, 1 << 20, "test");
  const call = (name: string, ...args: number[]) => inst.fn(name)(...args);
  return { inst, backend, put, get, call, spent: () => LIMIT - inst.gas.remaining() };
}

describe("storage imports", () => {
  test("db_write then db_read round-trips; gas = base + backend", () => {
    const { backend, put, get, call, spent } = setup();
    call("t_db_write", put("k"), put("value"));
    const afterWrite = HOST_GAS.dbWriteBase + MOCK_STORAGE_GAS.set;
    assert.equal(spent(), afterWrite);
    const ptr = call("t_db_read", put("k")) as number;
    assert.equal(utf8.decode(get(ptr)), "value");
    assert.equal(spent(), afterWrite + HOST_GAS.dbReadBase + MOCK_STORAGE_GAS.get);
    assert.equal(backend.storage.size, 1);
  });

  test("db_read of a missing key returns 0", () => {
    const { put, call } = setup();
    assert.equal(call("t_db_read", put("nope")), 0);
  });

  test("db_remove deletes", () => {
    const { backend, put, call } = setup();
    call("t_db_write", put("k"), put("v"));
    call("t_db_remove", put("k"));
    assert.equal(backend.storage.size, 0);
  });

  test("writes and removes during a query are refused", () => {
    const { put, call } = setup({ readonly: true });
    assert.throws(
      () => call("t_db_write", put("k"), put("v")),
      (e) => isVmError(e, "UnauthorizedWrite"),
    );
    assert.throws(
      () => call("t_db_remove", put("k")),
      (e) => isVmError(e, "UnauthorizedWrite"),
    );
  });

  test("a key above MAX_LENGTH_DB_KEY is refused", () => {
    const { put, call } = setup();
    assert.throws(
      () => call("t_db_read", put(new Uint8Array(64 * 1024 + 1))),
      (e) => isVmError(e, "MemoryAccess"),
    );
  });

  test("a null or out-of-bounds region pointer is refused", () => {
    const { call } = setup();
    assert.throws(
      () => call("t_db_read", 0),
      (e) => isVmError(e, "MemoryAccess"),
    );
    assert.throws(
      () => call("t_db_read", 0x7ffffff0),
      (e) => isVmError(e, "MemoryAccess"),
    );
  });
});

describe("address imports", () => {
  const canonical = new Uint8Array(20).fill(7);
  const human = humanize(canonical);

  test("addr_canonicalize / addr_humanize round-trip with prefix secret", () => {
    const { put, get, call, inst } = setup();
    const dst = inst.allocate(64);
    assert.equal(call("t_addr_canonicalize", put(human), dst), 0);
    assert.deepEqual(get(dst), canonical);
    const dst2 = inst.allocate(90);
    assert.equal(call("t_addr_humanize", put(canonical), dst2), 0);
    assert.equal(utf8.decode(get(dst2)), human);
    assert.ok(human.startsWith("secret1"));
  });

  test("addr_validate: ok, empty, wrong prefix, not normalized", () => {
    const { put, get, call, spent } = setup();
    assert.equal(call("t_addr_validate", put(human)), 0);
    assert.equal(spent(), HOST_GAS.addrValidate);
    const empty = call("t_addr_validate", put("")) as number;
    assert.equal(utf8.decode(get(empty)), "Input is empty");
    const cosmos = call("t_addr_validate", put("cosmos1qypqxpq9qcrsszg2pvxq6rs0zqg3yyc5lzv7xu")) as number;
    assert.match(utf8.decode(get(cosmos)), /wrong address prefix/);
    const upper = call("t_addr_validate", put(human.toUpperCase())) as number;
    assert.notEqual(upper, 0);
  });

  test("a canonical address above its max is refused", () => {
    const { put, call, inst } = setup();
    assert.throws(
      () => call("t_addr_humanize", put(new Uint8Array(65)), inst.allocate(90)),
      (e) => isVmError(e, "MemoryAccess"),
    );
  });

  test("a destination region too small is refused", () => {
    const { put, call, inst } = setup();
    assert.throws(
      () => call("t_addr_canonicalize", put(human), inst.allocate(4)),
      (e) => isVmError(e, "MemoryAccess"),
    );
  });
});

describe("crypto imports", () => {
  const sk = new Uint8Array(32).fill(9);
  const hash = sha256(utf8.encode("hello"));
  const sig = secp256k1.sign(hash, sk, { prehash: false });
  const pk = secp256k1.getPublicKey(sk, true);

  test("secp256k1_verify: valid 0, wrong 1, format codes 3/4/5, gas", () => {
    const { put, call, spent } = setup();
    assert.equal(call("t_secp256k1_verify", put(hash), put(sig), put(pk)), 0);
    assert.equal(spent(), HOST_GAS.secp256k1Verify);
    assert.equal(call("t_secp256k1_verify", put(sha256(hash)), put(sig), put(pk)), 1);
    assert.equal(call("t_secp256k1_verify", put(hash.subarray(1)), put(sig), put(pk)), 3);
    assert.equal(call("t_secp256k1_verify", put(hash), put(sig.subarray(1)), put(pk)), 4);
    assert.equal(call("t_secp256k1_verify", put(hash), put(sig), put(pk.subarray(1))), 5);
  });

  test("secp256k1_recover_pubkey returns the compressed key (Secret), error codes in the high half", () => {
    const { put, get, call } = setup();
    const rec = secp256k1.sign(hash, sk, { prehash: false, format: "recovered" });
    const r = call("t_secp256k1_recover_pubkey", put(hash), put(rec.slice(1)), rec[0]!) as bigint;
    assert.equal(r >> 32n, 0n);
    assert.deepEqual(get(Number(r & 0xffffffffn)), pk);
    const bad = call("t_secp256k1_recover_pubkey", put(hash.subarray(2)), put(rec.slice(1)), 0) as bigint;
    assert.equal(bad >> 32n, 3n);
    const badId = call("t_secp256k1_recover_pubkey", put(hash), put(rec.slice(1)), 7) as bigint;
    assert.equal(badId >> 32n, 10n);
  });

  test("secp256k1_sign signs sha256(message); bad key length gives 1000", () => {
    const { put, get, call } = setup();
    const msg = utf8.encode("sign me");
    const r = call("t_secp256k1_sign", put(msg), put(sk)) as bigint;
    const out = get(Number(r & 0xffffffffn));
    assert.ok(secp256k1.verify(out, sha256(msg), pk, { prehash: false }));
    const bad = call("t_secp256k1_sign", put(msg), put(sk.subarray(1))) as bigint;
    assert.equal(bad >> 32n, 1000n);
  });

  test("ed25519 sign, verify and batch verify", () => {
    const { put, get, call, spent } = setup();
    const esk = new Uint8Array(32).fill(3);
    const epk = ed25519.getPublicKey(esk);
    const msg = utf8.encode("m");
    const r = call("t_ed25519_sign", put(msg), put(esk)) as bigint;
    const esig = get(Number(r & 0xffffffffn));
    assert.deepEqual(esig, ed25519.sign(msg, esk));
    const before = spent();
    assert.equal(call("t_ed25519_verify", put(msg), put(esig), put(epk)), 0);
    assert.equal(spent() - before, HOST_GAS.ed25519Verify);
    assert.equal(call("t_ed25519_verify", put(utf8.encode("x")), put(esig), put(epk)), 1);
    assert.equal(call("t_ed25519_verify", put(msg), put(esig.subarray(1)), put(epk)), 4);
    const b0 = spent();
    const ok = call(
      "t_ed25519_batch_verify",
      put(encodeSections([msg])),
      put(encodeSections([esig, esig])),
      put(encodeSections([epk, epk])),
    );
    assert.equal(ok, 0);
    assert.equal(spent() - b0, HOST_GAS.ed25519BatchVerifyBase + 2n * HOST_GAS.ed25519BatchVerifyEach);
    const mismatch = call(
      "t_ed25519_batch_verify",
      put(encodeSections([msg, msg])),
      put(encodeSections([esig, esig, esig])),
      put(encodeSections([epk])),
    );
    assert.equal(mismatch, 7);
  });
});

describe("misc imports", () => {
  test("query_chain passes the request and writes the answer; gas from the querier", () => {
    const backend = mockBackend((req) => ({
      ok: { ok: Buffer.from(JSON.stringify(req)).toString("base64") },
    }));
    const { put, get, call, spent } = setup({ backend });
    const ptr = call("t_query_chain", put('{"bank":{"balance":{}}}')) as number;
    const answer = JSON.parse(utf8.decode(get(ptr)));
    assert.equal(Buffer.from(answer.ok.ok, "base64").toString(), '{"bank":{"balance":{}}}');
    assert.equal(spent(), MOCK_QUERY_GAS);
  });

  test("debug output is dropped unless a sink is set", () => {
    const seen: string[] = [];
    const a = setup();
    a.call("t_debug", a.put("hi"));
    const b = setup({ debug: (m) => seen.push(m) });
    b.call("t_debug", b.put("hi"));
    assert.deepEqual(seen, ["hi"]);
  });

  test("abort traps with the contract's message", () => {
    const { put, call } = setup();
    assert.throws(
      () => call("t_abort", put("panicked at x")),
      (e) => isVmError(e, "Aborted") && /panicked at x/.test(e.message),
    );
  });

  test("gas_evaporate charges max(n*1000, 8000); check_gas reports SDK gas used", () => {
    const { call, spent } = setup();
    assert.equal(call("t_gas_evaporate", 1), 0);
    assert.equal(spent(), HOST_GAS.minimumGasEvaporate);
    call("t_gas_evaporate", 50);
    assert.equal(spent(), 8_000n + 50_000n);
    const used = call("t_check_gas") as bigint;
    assert.equal(used, (58_000n + HOST_GAS.checkGas) / 1000n);
  });
});

describe("dcap_quote_verify", () => {
  test("charged like Secret, answers GenericErr (not offered inside contracts)", () => {
    const { put, call, spent } = setup();
    const r = call("t_dcap_quote_verify", put(new Uint8Array(10)), put(new Uint8Array(10))) as bigint;
    assert.equal(r >> 32n, 10n);
    assert.equal(spent(), HOST_GAS.dcapQuoteVerify);
  });
});

describe("imports: seeded fuzz over pointers", () => {
  test("random region pointers into every import end in a result or a VmError, never a host crash", () => {
    const fns: [string, number][] = [
      ["t_db_read", 1],
      ["t_db_write", 2],
      ["t_db_remove", 1],
      ["t_addr_validate", 1],
      ["t_addr_canonicalize", 2],
      ["t_addr_humanize", 2],
      ["t_secp256k1_verify", 3],
      ["t_secp256k1_recover_pubkey", 3],
      ["t_secp256k1_sign", 2],
      ["t_ed25519_verify", 3],
      ["t_ed25519_batch_verify", 3],
      ["t_ed25519_sign", 2],
      ["t_debug", 1],
      ["t_query_chain", 1],
      ["t_abort", 1],
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...fns),
        fc.array(fc.oneof(fc.integer({ min: 0, max: 70_000 }), fc.integer()), { minLength: 3, maxLength: 3 }),
        ([name, arity], ptrs) => {
          const { call, put } = setup({ debug: () => undefined });
          // Some pointers aim at real regions with random contents, the rest anywhere.
          const args = ptrs
            .slice(0, arity)
            .map((p, i) => (i % 2 === 0 ? p : put(new Uint8Array(Math.abs(p) % 100).fill(p & 0xff))));
          try {
            call(name, ...args);
          } catch (e) {
            assert.ok(isVmError(e), `${name}: ${String(e)}`);
          }
        },
      ),
      { seed: 42, numRuns: 1500 },
    );
  });
});
