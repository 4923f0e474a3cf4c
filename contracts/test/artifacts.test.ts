// Static checks on every artifact in contracts/build (exports, imports, memory, floats, gzip, SHA256SUMS) and
// the hostile set's manifest: the baseline runs, and each variant carries exactly the defect it claims.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import wabtInit from "wabt";
import { BUILD_DIR, TestContract, addr, loadModule } from "./host.js";
import { Wasm } from "./wasm.js";

const wabt = await wabtInit();
const read = (f: string): Buffer => readFileSync(new URL(f, BUILD_DIR));
const toText = (f: string): string => {
  const m = wabt.readWasm(new Uint8Array(read(f)), { readDebugNames: false }); // copy: small Buffers share a pool
  try {
    return m.toText({ foldExprs: false, inlineExport: false });
  } finally {
    m.destroy();
  }
};
const FLOAT = /\b(f32|f64)\.|_f(32|64)(_[su])?\b|\b(f32|f64)\b/;
const memoryPages = (text: string): number => Number(/\(memory \(;0;\) (\d+)/.exec(text)?.[1]);

// Host functions Secret links for v1 and v0.10 contracts (secret-cosmwasm-std 1.1.11 / 0.10.1 src/imports.rs).
const V1_IMPORTS = new Set([
  "db_read",
  "db_write",
  "db_remove",
  "addr_validate",
  "addr_canonicalize",
  "addr_humanize",
  "secp256k1_verify",
  "secp256k1_recover_pubkey",
  "ed25519_verify",
  "ed25519_batch_verify",
  "debug",
  "query_chain",
  "secp256k1_sign",
  "ed25519_sign",
  "check_gas",
  "gas_evaporate",
]);
const V010_IMPORTS = new Set([
  "db_read",
  "db_write",
  "db_remove",
  "canonicalize_address",
  "humanize_address",
  "query_chain",
  "secp256k1_verify",
  "secp256k1_recover_pubkey",
  "ed25519_verify",
  "ed25519_batch_verify",
  "secp256k1_sign",
  "ed25519_sign",
  "debug_print",
]);
const RUST = {
  "counter.wasm": "v1",
  "snip20.wasm": "v1",
  "callbacks.wasm": "v1",
  "v010_token.wasm": "v010",
} as const;

describe("built Rust contracts", () => {
  for (const [file, kind] of Object.entries(RUST)) {
    test(`${file}: ${kind} exports, Secret imports only, no floats, memory within 512 pages`, () => {
      const mod = loadModule(file);
      const exports = new Set(Wasm.Module.exports(mod).map((e) => e.name));
      const needed =
        kind === "v1"
          ? ["memory", "allocate", "deallocate", "interface_version_8", "instantiate", "execute", "query"]
          : ["memory", "allocate", "deallocate", "cosmwasm_vm_version_3", "init", "handle", "query"];
      for (const n of needed) assert.ok(exports.has(n), `${file} exports ${n}`);
      const allowed = kind === "v1" ? V1_IMPORTS : V010_IMPORTS;
      for (const i of Wasm.Module.imports(mod)) {
        assert.equal(i.module, "env");
        assert.ok(allowed.has(i.name), `${file} imports only Secret host functions (got ${i.name})`);
      }
      const text = toText(file);
      assert.doesNotMatch(text, FLOAT, `${file} has no float instructions or types`);
      assert.ok(memoryPages(text) <= 512);
    });
  }
});

describe("gzip copies and SHA256SUMS", () => {
  test("every .wasm.gz inflates to its .wasm and every digest matches", () => {
    const sums = read("SHA256SUMS").toString().trim().split("\n");
    const wasm = readdirSync(BUILD_DIR).filter((f) => f.endsWith(".wasm"));
    assert.equal(sums.length, wasm.length * 2);
    for (const line of sums) {
      const [digest, name] = line.split(/\s+/) as [string, string];
      assert.equal(createHash("sha256").update(read(name)).digest("hex"), digest, name);
    }
    for (const f of wasm) assert.deepEqual(gunzipSync(read(`${f}.gz`)), read(f), f);
  });
});

describe("hostile set (contracts/build/hostile.json)", () => {
  const manifest = JSON.parse(read("hostile.json").toString()) as { file: string; phase: string }[];
  const files = new Map(manifest.map((m) => [m.file.replace(/^hostile_|\.wasm$/g, ""), m]));

  test("the baseline is a working contract", () => {
    const c = new TestContract(loadModule("hostile_baseline.wasm"), addr("baseline"));
    const ok = { Ok: { messages: [], attributes: [], events: [], data: null } };
    assert.deepEqual(c.instantiate({}), ok);
    assert.deepEqual(c.execute({}), ok);
    assert.deepEqual(c.query({}), { Ok: "e30=" });
    assert.equal(c.storage.size, 1);
  });

  test("upload-phase defects are present and are the only difference in shape", () => {
    const exportsOf = (n: string): string[] =>
      Wasm.Module.exports(loadModule(`hostile_${n}.wasm`)).map((e) => e.name);
    const importsOf = (n: string): string[] =>
      Wasm.Module.imports(loadModule(`hostile_${n}.wasm`)).map((e) => e.name);
    assert.match(toText("hostile_float_op.wasm"), /f64\.add/);
    assert.doesNotMatch(toText("hostile_baseline.wasm"), FLOAT);
    assert.deepEqual(
      importsOf("iterator_import").filter((n) => !importsOf("baseline").includes(n)),
      ["db_scan", "db_next"],
    );
    assert.equal(memoryPages(toText("hostile_memory_over_512.wasm")), 513);
    assert.deepEqual(
      exportsOf("baseline").filter((n) => !exportsOf("missing_exports").includes(n)),
      ["allocate", "deallocate"],
    );
    assert.deepEqual(
      exportsOf("baseline").filter((n) => !exportsOf("missing_interface_version").includes(n)),
      ["interface_version_8"],
    );
    for (const n of [
      "float_op",
      "iterator_import",
      "memory_over_512",
      "missing_exports",
      "missing_interface_version",
    ]) {
      assert.equal(files.get(n)?.phase, "upload", n);
    }
  });

  test("run-time defects: trap in allocate, stack exhaustion, huge and out-of-bounds output", () => {
    const deploy = (n: string): TestContract => new TestContract(loadModule(`hostile_${n}.wasm`), addr(n));
    assert.throws(() => deploy("trap_in_allocate").instantiate({}), Wasm.RuntimeError);
    const deep = deploy("deep_recursion");
    deep.instantiate({});
    assert.throws(() => deep.execute({}), RangeError);
    const huge = deploy("huge_output");
    huge.instantiate({});
    assert.equal(huge.callBytes("execute", [huge.envV1(), huge.infoV1(), {}]).length, 24 * 1024 * 1024);
    const oob = deploy("huge_output_oob");
    oob.instantiate({});
    // The region claims ~2 GiB; a host that trusts it reads past memory (here: a short slice, then bad JSON).
    assert.throws(() => oob.execute({}));
    // Not executed here (no gas metering in this host): infinite_loop, memory_grow_bomb. Check they are there.
    assert.match(toText("hostile_infinite_loop.wasm"), /\bloop\b[\s\S]*\bbr 0\b/);
    assert.match(toText("hostile_memory_grow_bomb.wasm"), /memory\.grow/);
  });
});
