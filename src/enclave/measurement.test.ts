// Measurement: deterministic over the code bundle, sensitive to code, blind to tests/testdata/docs, and the
// measured roots really cover every file the enclave code imports.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, normalize, relative } from "node:path";
import {
  defaultBundleBaseDir,
  enclaveMeasurement,
  enclaveNativeCode,
  isExcludedFromMeasurement,
  listMeasuredFiles,
  measureCodeBundle,
  MEASURED_ROOTS,
  NATIVE_SECP256K1_PATH,
} from "./measurement.js";
import { nativeAddonImage } from "./crypto/nativeSecp256k1.js";

function fixture(files: Record<string, string>): string {
  const base = mkdtempSync(join(tmpdir(), "shroud-measure-"));
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(dirname(join(base, rel)), { recursive: true });
    writeFileSync(join(base, rel), content);
  }
  return base;
}

const BASE_FILES = {
  "enclave/a.ts": "export const a = 1;\n",
  "enclave/crypto/b.ts": "export const b = 2;\n",
  "util/bytes.ts": "export const c = 3;\n",
  "chain/app.ts": "not enclave code\n",
};

describe("measureCodeBundle", () => {
  test("deterministic; lists only enclave/ and util/ code files, sorted", () => {
    const base = fixture({
      ...BASE_FILES,
      "enclave/a.test.ts": "test",
      "enclave/testdata/v.json": "{}",
      "enclave/README.md": "doc",
    });
    try {
      assert.deepEqual(listMeasuredFiles(base), ["enclave/a.ts", "enclave/crypto/b.ts", "util/bytes.ts"]);
      assert.deepEqual(measureCodeBundle(base), measureCodeBundle(base));
      assert.equal(measureCodeBundle(base).length, 32);
    } finally {
      rmSync(base, { recursive: true });
    }
  });
  test("changes when code changes or is renamed, not when tests/testdata/docs/other folders change", () => {
    const a = fixture(BASE_FILES);
    const changed = fixture({ ...BASE_FILES, "enclave/a.ts": "export const a = 2;\n" });
    const { "enclave/a.ts": moved, ...rest } = BASE_FILES;
    const renamed = fixture({ ...rest, "enclave/a2.ts": moved });
    const extras = fixture({
      ...BASE_FILES,
      "enclave/x.test.ts": "t",
      "enclave/testdata/y.bin": "y",
      "enclave/README.keys.md": "d",
      "chain/app.ts": "changed outside the enclave",
    });
    try {
      const m = measureCodeBundle(a);
      assert.notDeepEqual(measureCodeBundle(changed), m);
      assert.deepEqual(measureCodeBundle(extras), m);
      assert.notDeepEqual(measureCodeBundle(renamed), m);
    } finally {
      for (const d of [a, changed, renamed, extras]) rmSync(d, { recursive: true });
    }
  });
  test("refuses a symlink inside the bundle", () => {
    const base = fixture(BASE_FILES);
    try {
      symlinkSync(join(base, "chain/app.ts"), join(base, "enclave/link.ts"));
      assert.throws(() => measureCodeBundle(base), /unmeasurable entry/);
    } finally {
      rmSync(base, { recursive: true });
    }
  });
  test("exclusion rules", () => {
    for (const p of [
      "enclave/x.test.ts",
      "enclave/x.test.js",
      "enclave/testdata/a",
      "enclave/R.md",
      "u/a.d.ts",
    ]) {
      assert.ok(isExcludedFromMeasurement(p), p);
    }
    for (const p of ["enclave/x.ts", "enclave/x.js", "enclave/vm/testing/mockApi.ts"]) {
      assert.ok(!isExcludedFromMeasurement(p), p);
    }
  });
});

describe("this enclave's own measurement", () => {
  test("is the measurement of the src/ tree this test runs from, and stable", () => {
    const base = defaultBundleBaseDir();
    assert.deepEqual(enclaveMeasurement(), measureCodeBundle(base, enclaveNativeCode()));
    assert.deepEqual(enclaveMeasurement(), enclaveMeasurement());
  });
  test("covers the native libsecp256k1 addon the enclave loads (its exact bytes)", (t) => {
    const native = enclaveNativeCode();
    const image = nativeAddonImage();
    if (image === null) {
      t.skip("no prebuilt addon on this platform: the enclave runs wasm only");
      return;
    }
    assert.deepEqual(native, [{ path: NATIVE_SECP256K1_PATH, content: image }]);
    const base = defaultBundleBaseDir();
    assert.notDeepEqual(enclaveMeasurement(), measureCodeBundle(base));
    const patched = Uint8Array.from(image);
    patched[patched.length >> 1]! ^= 1;
    assert.notDeepEqual(
      measureCodeBundle(base, [{ path: NATIVE_SECP256K1_PATH, content: patched }]),
      enclaveMeasurement(),
    );
  });
  test("every relative import in measured enclave code stays inside the measured roots", () => {
    const base = defaultBundleBaseDir();
    const escaping: string[] = [];
    for (const rel of listMeasuredFiles(base).filter((f) => f.startsWith("enclave/"))) {
      const src = readFileSync(join(base, rel), "utf8");
      for (const m of src.matchAll(/(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g)) {
        const target = relative(base, normalize(join(base, dirname(rel), m[1]!)));
        if (!MEASURED_ROOTS.some((r) => target.startsWith(r + "/"))) escaping.push(`${rel} → ${m[1]!}`);
      }
    }
    assert.deepEqual(escaping, []);
  });
});
