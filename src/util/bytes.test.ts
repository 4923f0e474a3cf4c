import { test } from "node:test";
import assert from "node:assert/strict";
import { utf8 } from "./bytes.js";

// utf8 shares one TextEncoder and one fatal TextDecoder between calls: each call must still decode as a fresh
// decoder would — a failed decode leaves nothing behind, and a leading BOM is stripped on every call.
test("utf8: the shared decoder keeps no state between calls", () => {
  const fresh = (b: Uint8Array): string => new TextDecoder("utf-8", { fatal: true }).decode(b);
  const bom = Uint8Array.from([0xef, 0xbb, 0xbf, 0x41]);
  const cases = [
    bom,
    bom,
    Uint8Array.from([0x41, 0xc3]), // truncated 2-byte sequence: throws
    Uint8Array.from([0xa9, 0x42]), // a continuation byte first: throws
    Uint8Array.from([0xe2, 0x82]), // truncated 3-byte sequence: throws
    Uint8Array.from([0x82, 0xac, 0x43]),
    utf8.encode("héllo €𝄞"),
    new Uint8Array(0),
    bom,
  ];
  for (const b of cases) {
    let want: string | Error;
    try {
      want = fresh(b);
    } catch (e) {
      want = e as Error;
    }
    if (want instanceof Error) assert.throws(() => utf8.decode(b), { name: want.name });
    else assert.equal(utf8.decode(b), want);
  }
  assert.equal(utf8.decode(utf8.encode("héllo €𝄞")), "héllo €𝄞");
  assert.deepEqual(utf8.encode("a€"), Uint8Array.from([0x61, 0xe2, 0x82, 0xac]));
});
