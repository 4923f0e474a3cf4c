// The cosmjs-types (u)int64 writer fix (cosmjsInt64.ts): every value encodes as protobuf's varint, the readers
// get it back, and each entry point that encodes installs the fix before its first encode.
import { spawnSync } from "node:child_process";
import assert from "node:assert/strict";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { BinaryReader, BinaryWriter } from "cosmjs-types/binary";
import { Response, ResponseCheckTx } from "cosmjs-types/tendermint/abci/types";
import { cosmjsInt64Fixed, varint64Length } from "./cosmjsInt64.js";

/** Reference: protobuf's base-128 varint of a value already reduced to 64 unsigned bits. */
function refVarint(u: bigint): number[] {
  const out: number[] = [];
  do {
    const b = Number(u & 0x7fn);
    u >>= 7n;
    out.push(u === 0n ? b : b | 0x80);
  } while (u !== 0n);
  return out;
}

/** Seeded values: every power of two ± 1 around the 32-bit edges, plus xorshift-random 64-bit values. */
function values(): bigint[] {
  const vs: bigint[] = [0n, 1n, 127n, 128n];
  for (let k = 0n; k <= 64n; k++) for (const d of [-1n, 0n, 1n]) vs.push(2n ** k + d, -(2n ** k) + d);
  let s = 0x9e3779b97f4a7c15n;
  for (let i = 0; i < 5000; i++) {
    s ^= (s << 13n) & 0xffff_ffff_ffff_ffffn;
    s ^= s >> 7n;
    s ^= (s << 17n) & 0xffff_ffff_ffff_ffffn;
    vs.push(BigInt.asIntN(64, s), s >> BigInt(i % 64));
  }
  return vs.filter((v) => v >= -(2n ** 63n) && v < 2n ** 64n);
}

test("cosmjs-types int64/uint64/sint64 writers encode every value as protobuf's varint and read back", () => {
  assert.ok(cosmjsInt64Fixed());
  for (const v of values()) {
    const u = BigInt.asUintN(64, v);
    const want = Buffer.from(refVarint(u)).toString("hex");
    const i64 = BinaryWriter.create().int64(v).finish();
    assert.equal(Buffer.from(i64).toString("hex"), want, `int64 ${v}`);
    assert.equal(varint64Length(Number(u & 0xffff_ffffn), Number(u >> 32n)), i64.length);
    assert.equal(Buffer.from(BinaryWriter.create().uint64(v).finish()).toString("hex"), want, `uint64 ${v}`);
    assert.equal(new BinaryReader(i64).uint64(), u);
    assert.equal(new BinaryReader(i64).int64(), BigInt.asIntN(64, v));
    const sv = BigInt.asIntN(64, v);
    const z = BigInt.asUintN(64, (sv << 1n) ^ (sv >> 63n));
    const s64 = BinaryWriter.create().sint64(sv).finish();
    assert.equal(Buffer.from(s64).toString("hex"), Buffer.from(refVarint(z)).toString("hex"), `sint64 ${sv}`);
    assert.equal(new BinaryReader(s64).sint64(), sv);
  }
  // Numbers and decimal strings as cosmjs-types accepts them.
  assert.equal(
    Buffer.from(BinaryWriter.create().int64(3_000_000_000).finish()).toString("hex"),
    "80bcc1960b",
  );
  assert.equal(Buffer.from(BinaryWriter.create().int64("3000000000").finish()).toString("hex"), "80bcc1960b");
});

test("a CheckTx answer with gas_wanted 3e9 is one CometBFT can decode (was 0 and an illegal tag 0)", () => {
  const bytes = Response.encode(
    Response.fromPartial({
      checkTx: ResponseCheckTx.fromPartial({ gasWanted: 3_000_000_000n, gasUsed: 1000n }),
    }),
  ).finish();
  // Response.check_tx = field 9 (len 10) ‖ gas_wanted = field 5 varint ‖ gas_used = field 6 varint.
  assert.equal(Buffer.from(bytes).toString("hex"), "4a09" + "2880bcc1960b" + "30e807");
  assert.equal(Response.decode(bytes).checkTx?.gasWanted, 3_000_000_000n);
});

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));
for (const entry of [
  "../chain/app.ts",
  "../consensus/abciServer.ts",
  "../api/rest/server.ts",
  "../cli/main.ts",
]) {
  test(`importing ${entry.slice(3)} alone installs the fix`, () => {
    // A fresh process that imports only the entry (not the fix), then encodes 2^31 with cosmjs-types.
    const script = `await import(${JSON.stringify(here(entry))}); const { BinaryWriter } = await import("cosmjs-types/binary"); process.stdout.write(Buffer.from(BinaryWriter.create().uint64(2n ** 31n).finish()).toString("hex"));`;
    const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      cwd: here("../.."),
      encoding: "utf8",
      timeout: 120_000,
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, "8080808008");
  });
}
