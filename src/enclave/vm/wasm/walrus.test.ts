// Cross-check against Secret's own metering IR: per-function sequence costs and the float verdict that
// walrus v0.19.0-secret.1 (the fork Secret's enclave meters with) computes for contracts/build, stored in
// testdata/walrus-sequence-costs.json (provenance inside). Our counts must match function for function.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { analyzeBody } from "./analyze.js";
import { EXPORT_GAS_EXHAUSTED, EXPORT_GAS_LEFT } from "./limits.js";
import { parseModule } from "./module.js";
import { prepareCode } from "./prepare.js";
import { runPlan, type CallResult } from "./testdata/parityPlan.js";

interface Expected {
  file: string;
  sha256: string;
  floats: boolean;
  sequenceCosts: number[][];
}

const vectors = JSON.parse(
  readFileSync(new URL("testdata/walrus-sequence-costs.json", import.meta.url), "utf8"),
) as {
  contracts: Expected[];
};
const BUILD = new URL("../../../../contracts/build/", import.meta.url);

/** The contract's bytes if present and still the build the vector was computed from. */
function builtAs(file: string, sha256: string): Uint8Array | undefined {
  const url = new URL(file, BUILD);
  if (!existsSync(url)) return undefined;
  const bytes = new Uint8Array(readFileSync(url));
  return createHash("sha256").update(bytes).digest("hex") === sha256 ? bytes : undefined;
}
const STALE = "missing or rebuilt since the vector was computed (regenerate it with the oracle)";

describe("sequence costs equal walrus's (Secret's metering IR)", () => {
  for (const c of vectors.contracts) {
    const bytes = builtAs(c.file, c.sha256);
    test(c.file, { skip: bytes === undefined ? STALE : false }, () => {
      const m = parseModule(bytes!);
      const analyses = m.codes.map((code, i) => analyzeBody(m, m.importedFuncCount + i, code));
      assert.equal(
        analyses.some((a) => a.floatAt >= 0),
        c.floats,
      );
      assert.equal(analyses.length, c.sequenceCosts.length);
      analyses.forEach((a, i) => {
        const ours = a.seqCounts
          .map((n) => 2 * n)
          .filter((x) => x > 0)
          .sort((x, y) => x - y);
        assert.deepEqual(ours, c.sequenceCosts[i], `function ${i}`);
      });
    });
  }
});

const gasVectors = JSON.parse(
  readFileSync(new URL("testdata/secret-metered-gas.json", import.meta.url), "utf8"),
) as { contracts: { file: string; sha256: string; results: CallResult[] }[] };

describe("gas used equals Secret-metered modules, call for call", () => {
  for (const c of gasVectors.contracts) {
    const bytes = builtAs(c.file, c.sha256);
    test(c.file, { skip: bytes === undefined ? STALE : false }, () => {
      const ours = runPlan(bytes!, prepareCode(bytes!).metered, EXPORT_GAS_LEFT, EXPORT_GAS_EXHAUSTED);
      assert.deepEqual(ours, c.results);
    });
  }
});
