// Builds the hostile contract set: one valid CosmWasm-v1-shaped module (baseline) and variants that each carry
// exactly one defect a Secret node must survive (reject at upload, or stop cleanly at run time).
// Usage: node contracts/hostile/build.mjs <outDir>   (writes hostile_<name>.wasm, .wat and hostile.json)
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import wabtInit from "wabt";

// The baseline's JSON answers: v1 `ContractResult<Response>` and `ContractResult<Binary>` exactly as
// secret-cosmwasm-std 1.1 serializes them — capitalized "Ok"/"Err", unlike upstream CosmWasm's "ok"/"error"
// (secret-cosmwasm-std 1.1.11 src/results/contract_result.rs). "e30=" is base64("{}").
const OK_RESPONSE = '{"Ok":{"messages":[],"attributes":[],"events":[],"data":null}}';
const OK_QUERY = '{"Ok":"e30="}';
const watString = (s) => s.replace(/\\/g, "\\\\").replace(/"/g, '\\"');

// Memory map (page 0 holds static data; the bump heap starts at page 1):
//   256  Region{offset=1024,len(OK_RESPONSE)}    272 Region{offset=2048,len(OK_QUERY)}
//   288  Region key "init" (at 3072)             304 Region value "1" (at 3088)
const PAGE = 65536;

/** Renders the module; each option swaps exactly one piece of the baseline. */
function render(o = {}) {
  const extraImports = o.extraImports ?? "";
  const memoryPages = o.memoryPages ?? 17;
  const allocateExport = o.noAllocate ? "" : '(export "allocate")';
  const deallocateExport = o.noAllocate ? "" : '(export "deallocate")';
  const versionExport = o.noInterfaceVersion ? "" : '(func (export "interface_version_8"))';
  const allocateBody = o.allocateBody ?? "(call $alloc (local.get $size))";
  const executeBody = o.executeBody ?? "(i32.const 256)";
  return `(module
  (import "env" "db_read" (func $db_read (param i32) (result i32)))
  (import "env" "db_write" (func $db_write (param i32 i32)))
  (import "env" "db_remove" (func $db_remove (param i32)))
  ${extraImports}
  (memory (export "memory") ${memoryPages})
  (global $heap (mut i32) (i32.const ${PAGE}))
  (data (i32.const 256) "\\00\\04\\00\\00\\${hex(OK_RESPONSE.length)}\\00\\00\\00\\${hex(OK_RESPONSE.length)}\\00\\00\\00")
  (data (i32.const 272) "\\00\\08\\00\\00\\${hex(OK_QUERY.length)}\\00\\00\\00\\${hex(OK_QUERY.length)}\\00\\00\\00")
  (data (i32.const 288) "\\00\\0c\\00\\00\\04\\00\\00\\00\\04\\00\\00\\00")
  (data (i32.const 304) "\\10\\0c\\00\\00\\01\\00\\00\\00\\01\\00\\00\\00")
  (data (i32.const 1024) "${watString(OK_RESPONSE)}")
  (data (i32.const 2048) "${watString(OK_QUERY)}")
  (data (i32.const 3072) "init")
  (data (i32.const 3088) "1")
  ;; Bump allocator: Region{offset,capacity,length} header then the bytes; grows memory on demand.
  (func $alloc (param $size i32) (result i32)
    (local $region i32) (local $end i32)
    (local.set $region (global.get $heap))
    (local.set $end (i32.add (i32.add (local.get $region) (i32.const 12)) (local.get $size)))
    (if (i32.gt_u (local.get $end) (i32.mul (memory.size) (i32.const ${PAGE})))
      (then (if (i32.eq (memory.grow (i32.shr_u (i32.add (i32.sub (local.get $end)
                (i32.mul (memory.size) (i32.const ${PAGE}))) (i32.const ${PAGE - 1})) (i32.const 16)))
                (i32.const -1)) (then unreachable))))
    (i32.store (local.get $region) (i32.add (local.get $region) (i32.const 12)))
    (i32.store offset=4 (local.get $region) (local.get $size))
    (i32.store offset=8 (local.get $region) (i32.const 0))
    (global.set $heap (i32.and (i32.add (local.get $end) (i32.const 7)) (i32.const -8)))
    (local.get $region))
  (func ${allocateExport} (param $size i32) (result i32) ${allocateBody})
  (func ${deallocateExport} (param $region i32))
  ${versionExport}
  (func $recurse (param $n i32) (result i32) (call $recurse (i32.add (local.get $n) (i32.const 1))))
  (func (export "instantiate") (param $env i32) (param $info i32) (param $msg i32) (result i32)
    (call $db_write (i32.const 288) (i32.const 304))
    (i32.const 256))
  (func (export "execute") (param $env i32) (param $info i32) (param $msg i32) (result i32)
    ${executeBody})
  (func (export "query") (param $env i32) (param $msg i32) (result i32)
    (drop (call $db_read (i32.const 288)))
    (i32.const 272))
)
`;
}

function hex(n) {
  if (n > 255) throw new Error("static answer too long for one length byte");
  return n.toString(16).padStart(2, "0");
}

const HUGE_OUTPUT_BYTES = 24 * 1024 * 1024; // in memory, yet far above any sane result limit

/** name → [option overrides, defect, phase where a node must stop it, expected outcome]. */
const VARIANTS = {
  baseline: [{}, "none (control)", "none", "upload, instantiate, execute and query all succeed"],
  infinite_loop: [
    { executeBody: "(loop $l (br $l)) (i32.const 256)" },
    "execute never terminates",
    "execute",
    "out of gas",
  ],
  memory_grow_bomb: [
    {
      executeBody:
        "(block $done (loop $l (br_if $done (i32.eq (memory.grow (i32.const 1)) (i32.const -1))) (br $l))) (i32.const 256)",
    },
    "execute grows memory one page at a time until memory.grow fails",
    "execute",
    "memory stays at the VM's page cap (memory.grow returns -1) or out of gas; the host does not allocate beyond it",
  ],
  deep_recursion: [
    { executeBody: "(drop (call $recurse (i32.const 0))) (i32.const 256)" },
    "execute recurses without bound",
    "execute",
    "stack-exhaustion trap (or out of gas); the node survives",
  ],
  huge_output: [
    {
      executeBody: `(local $r i32) (local.set $r (call $alloc (i32.const ${HUGE_OUTPUT_BYTES})))
    (i32.store offset=8 (local.get $r) (i32.const ${HUGE_OUTPUT_BYTES})) (local.get $r)`,
    },
    `execute returns a ${HUGE_OUTPUT_BYTES}-byte result region (zero bytes, in bounds)`,
    "execute",
    "rejected by the result-size limit (or as invalid JSON) without crashing",
  ],
  huge_output_oob: [
    {
      executeBody: `(local $r i32) (local.set $r (call $alloc (i32.const 16)))
    (i32.store offset=4 (local.get $r) (i32.const 0x7fffff00))
    (i32.store offset=8 (local.get $r) (i32.const 0x7fffff00)) (local.get $r)`,
    },
    "execute returns a region claiming ~2 GiB, far past the end of memory",
    "execute",
    "rejected (region out of bounds / over limit) before any allocation of that size",
  ],
  float_op: [
    { executeBody: "(drop (f64.add (f64.const 1.5) (f64.const 2.25))) (i32.const 256)" },
    "execute contains f64.add",
    "upload",
    "upload rejected: floating-point operations are not allowed",
  ],
  iterator_import: [
    {
      extraImports: `(import "env" "db_scan" (func $db_scan (param i32 i32 i32) (result i32)))
  (import "env" "db_next" (func $db_next (param i32) (result i32)))`,
    },
    "imports env.db_scan and env.db_next (Secret links no iterator)",
    "upload",
    "upload rejected: unsupported imports",
  ],
  memory_over_512: [
    { memoryPages: 513 },
    "memory minimum is 513 pages (limit 512 = 32 MiB)",
    "upload",
    "upload rejected: memory minimum exceeds the limit",
  ],
  missing_exports: [
    { noAllocate: true },
    "no allocate / deallocate exports",
    "upload",
    "upload rejected: missing required exports",
  ],
  missing_interface_version: [
    { noInterfaceVersion: true },
    "no interface_version_* export (neither v1 marker nor v0.10 cosmwasm_vm_version_3)",
    "upload",
    "upload rejected: unknown contract interface",
  ],
  trap_in_allocate: [
    { allocateBody: "unreachable" },
    "allocate traps",
    "instantiate",
    "instantiate fails with a trap when the VM writes env/info/msg into contract memory",
  ],
};

const outDir = process.argv[2] ?? new URL("../build", import.meta.url).pathname;
mkdirSync(outDir, { recursive: true });
const wabt = await wabtInit();
const manifest = [];
for (const [name, [options, defect, phase, expected]] of Object.entries(VARIANTS)) {
  const wat = render(options);
  const module = wabt.parseWat(`hostile_${name}.wat`, wat);
  module.validate();
  const { buffer } = module.toBinary({ log: false, write_debug_names: false, canonicalize_lebs: true });
  module.destroy();
  writeFileSync(join(outDir, `hostile_${name}.wasm`), buffer);
  writeFileSync(join(outDir, `hostile_${name}.wat`), wat);
  manifest.push({ file: `hostile_${name}.wasm`, defect, phase, expected });
}
writeFileSync(join(outDir, "hostile.json"), JSON.stringify(manifest, null, 2) + "\n");
console.log(`hostile: wrote ${manifest.length} modules to ${outDir}`);
