// Self-test of the canary scanner (test/e2e/canaryScan.ts): it must find a marker in every encoded form it claims.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { encodings, marker, scanBlob } from "./canaryScan.js";

describe("canary scanner", () => {
  test("finds a marker as ASCII, hex (both cases) and base64 at every alignment inside longer blobs", () => {
    const m = marker("probe");
    const inner = Buffer.from(`{"k":"${m}"}`);
    const blobs = [`x${m}y`, `00${inner.toString("hex")}ff`, inner.toString("hex").toUpperCase()];
    for (let pre = 0; pre < 3; pre++) {
      const padded = Buffer.concat([Buffer.alloc(pre, 7), inner, Buffer.from([1, 2])]);
      blobs.push(`"${padded.toString("base64")}"`);
    }
    for (const blob of blobs) assert.equal(scanBlob("t", blob, [m]).length > 0, true, blob);
    assert.deepEqual(scanBlob("t", Buffer.from(`x${marker("other")}`), [m]), []);
    assert.equal(encodings(m).length, 6);
  });
});
