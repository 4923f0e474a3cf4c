// The one-door rule (DESIGN.md rule 1): outside src/enclave, only src/enclave/api.ts may be imported. Proven
// twice: a scan of every import in src/ and bench/, and the project's own ESLint config rejecting a fixture.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { ESLint } from "eslint";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const enclaveDir = join(root, "src", "enclave");
const door = join(enclaveDir, "api");

function walkTs(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walkTs(p, out);
    else if (name.endsWith(".ts")) out.push(p);
  }
  return out;
}

// import/export … from "x", import "x", import("x"), require("x")
const SPECIFIER_RE = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)["']([^"']+)["']/g;

/** Relative specifiers of `file` that resolve into src/enclave but not to api.ts. */
export function doorViolations(file: string, text: string): string[] {
  const bad: string[] = [];
  for (const m of text.matchAll(SPECIFIER_RE)) {
    const spec = m[1]!;
    if (!spec.startsWith(".")) continue;
    const target = resolve(dirname(file), spec).replace(/\.(js|ts)$/, "");
    const inside = target === enclaveDir || target.startsWith(enclaveDir + sep);
    if (inside && target !== door) bad.push(`${relative(root, file)} → ${spec}`);
  }
  return bad;
}

test("the scanner itself flags a deep import and passes the door", () => {
  const f = join(root, "src", "chain", "x.ts");
  assert.deepEqual(doorViolations(f, `import { a } from "../enclave/api.js";`), []);
  assert.equal(doorViolations(f, `import { Keychain } from "../enclave/keychain.js";`).length, 1);
  assert.equal(doorViolations(f, `export { x } from "../enclave/crypto/aesSiv.js";`).length, 1);
  assert.equal(doorViolations(f, `const m = await import("../enclave/worker.js");`).length, 1);
});

test("no file in src/ (outside src/enclave) or bench/ imports an enclave internal", () => {
  const files = [...walkTs(join(root, "src")), ...walkTs(join(root, "bench"))].filter(
    (f) => !f.startsWith(enclaveDir + sep),
  );
  assert.ok(files.length > 0);
  const violations = files.flatMap((f) => doorViolations(f, readFileSync(f, "utf8")));
  assert.deepEqual(violations, []);
});

test("the project's ESLint config rejects a deep enclave import from outside and allows api.ts", async () => {
  // The real config decides which files the rule covers; only this rule runs, and without type information
  // (building a TypeScript program would cost seconds and no typed rule is under test here).
  const eslint = new ESLint({
    cwd: root,
    ruleFilter: ({ ruleId }) => ruleId === "no-restricted-imports",
    overrideConfig: { languageOptions: { parserOptions: { projectService: false, project: null } } },
  });
  // Lint the fixture as if it were an existing non-enclave source file, so the typed config applies.
  const filePath = join(root, "src", "util", "bytes.ts");
  const [bad] = await eslint.lintText(
    `import { Keychain } from "../enclave/keychain.js";\nexport { Keychain };\n`,
    {
      filePath,
    },
  );
  const rules = bad!.messages.map((m) => m.ruleId);
  assert.ok(rules.includes("no-restricted-imports"), `got ${JSON.stringify(bad!.messages)}`);
  const [good] = await eslint.lintText(
    `import { EnclaveHost } from "../enclave/api.js";\nexport { EnclaveHost };\n`,
    {
      filePath,
    },
  );
  assert.deepEqual(
    good!.messages.filter((m) => m.ruleId === "no-restricted-imports"),
    [],
  );
});
