// `shroud keys …` run as the real CLI (node bin/shroud.js, sources through tsx): recover LocalSecret's key a
// to its known address (= secretjs Wallet), file keyring modes and encryption, new keys, list/show, wrong
// passphrase, export → import round trip, the unsafe mnemonic export, delete with and without confirmation.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Wallet } from "secretjs";

const BIN = fileURLToPath(new URL("../../bin/shroud.js", import.meta.url));
// LocalSecret's published mnemonic "a" and its address (scrtlabs LocalSecret README; src/cli/devGenesis.ts).
const MNEMONIC_A =
  "grant rice replace explain federal release fix clever romance raise often wild taxi quarter soccer fiber love must tape steak together observe swap guitar";
const ADDRESS_A = "secret1ap26qrlp8mcq2pg6r47w43l0y8zkqm8a450s03";
const PASS = "correct horse battery";

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(args: string[], opts: { input?: string; env?: Record<string, string> } = {}): Promise<Run> {
  const env: Record<string, string | undefined> = { ...process.env, SHROUD_FROM_SOURCE: "1" };
  delete env.SHROUD_KEYRING_PASSPHRASE;
  delete env.SHROUD_EXPORT_PASSPHRASE;
  Object.assign(env, opts.env);
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  child.stdin.end(opts.input ?? "");
  return new Promise((resolve) => {
    child.on("close", (code) => {
      resolve({ code, stdout, stderr });
    });
  });
}

/** A user error: non-zero exit, one `Error:` line naming the problem, never a stack trace. */
function assertUserError(r: Run, pattern: RegExp): void {
  assert.notEqual(r.code, 0, r.stdout);
  assert.match(r.stderr, pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
}

describe("shroud keys (real CLI subprocess)", { timeout: 120_000 }, () => {
  let home = "";
  const k = (...a: string[]) => ["keys", ...a, "--home", home];
  const withPass = { env: { SHROUD_KEYRING_PASSPHRASE: PASS } };

  before(() => {
    home = mkdtempSync(join(tmpdir(), "shroud-keys-"));
  });
  after(() => {
    rmSync(home, { recursive: true, force: true });
  });

  test("recover LocalSecret a from piped mnemonic + passphrase: the address secretjs derives", async () => {
    const r = await run([...k("add", "a", "--recover"), "--output", "json"], {
      input: `${MNEMONIC_A}\n${PASS}\n`,
    });
    assert.equal(r.code, 0, r.stderr);
    const info = JSON.parse(r.stdout) as { address: string; hd_path: string; pubkey: string };
    assert.equal(info.address, ADDRESS_A);
    assert.equal(info.address, new Wallet(MNEMONIC_A).address);
    assert.equal(info.hd_path, "m/44'/529'/0'/0/0");
    assert.equal(Buffer.from(info.pubkey, "base64").length, 33);
    const dir = join(home, "keyring-file");
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    assert.equal(statSync(join(dir, "a.info")).mode & 0o777, 0o600);
    assert.equal(statSync(join(dir, "keyhash")).mode & 0o777, 0o600);
    const file = readFileSync(join(dir, "a.info"), "utf8");
    assert.ok(!file.includes("grant") && !file.includes("guitar"), "mnemonic is not stored in the clear");
    assert.match(file, /"cipher": "aes-256-gcm"/);
  });

  test("a new key prints a 24-word mnemonic that recovers to the same address", async () => {
    const r = await run([...k("add", "fresh"), "--output", "json"], withPass);
    assert.equal(r.code, 0, r.stderr);
    const info = JSON.parse(r.stdout) as { address: string; mnemonic: string };
    assert.equal(info.mnemonic.split(" ").length, 24);
    assert.equal(new Wallet(info.mnemonic).address, info.address);
    const again = await run(k("add", "fresh-test", "--recover", "--keyring-backend", "test"), {
      input: info.mnemonic + "\n",
    });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, new RegExp(`address: ${info.address}`));
    // The test backend stores the mnemonic unencrypted, like secretd's.
    assert.ok(readFileSync(join(home, "keyring-test", "fresh-test.info"), "utf8").includes(info.mnemonic));
  });

  test("list and show (-a); unknown key and bad names are one-line errors", async () => {
    const [list, show, nobody, badName] = await Promise.all([
      run([...k("list"), "--output", "json"]),
      run(k("show", "a", "-a")),
      run(k("show", "nobody")),
      run(k("show", "../etc")),
    ]);
    assert.equal(list.code, 0, list.stderr);
    assert.deepEqual(
      (JSON.parse(list.stdout) as { name: string }[]).map((x) => x.name),
      ["a", "fresh"],
    );
    assert.equal(show.stdout, ADDRESS_A + "\n");
    assertUserError(nobody, /^Error: key "nobody" not found in the file keyring\n$/);
    assertUserError(badName, /^Error: invalid key name/);
  });

  test("wrong passphrase: exit 1 with a clear message; a second key must use the keyring's passphrase", async () => {
    const env = { SHROUD_KEYRING_PASSPHRASE: "not the passphrase", SHROUD_EXPORT_PASSPHRASE: "x" };
    assertUserError(await run(k("export", "a"), { env }), /^Error: incorrect passphrase for the keyring\n$/);
    const add = await run(k("add", "b", "--recover"), { env, input: MNEMONIC_A + "\n" });
    assertUserError(add, /incorrect passphrase/);
    assertUserError(
      await run(k("add", "c", "--recover"), { ...withPass, input: "not a mnemonic\n" }),
      /invalid mnemonic/,
    );
  });

  test("export (armored, passphrase) → import under a new name → same key; wrong export passphrase fails", async () => {
    const env = { SHROUD_KEYRING_PASSPHRASE: PASS, SHROUD_EXPORT_PASSPHRASE: "export-pass" };
    const exp = await run(k("export", "a"), { env });
    assert.equal(exp.code, 0, exp.stderr);
    assert.match(exp.stdout, /^-----BEGIN SHROUD PRIVATE KEY-----\n/);
    assert.ok(!exp.stdout.includes("grant"), "armor is encrypted");
    const file = join(home, "a.armor");
    writeFileSync(file, exp.stdout);
    const [bad, imp, missing] = await Promise.all([
      run(k("import", "a-bad", file), { env: { ...env, SHROUD_EXPORT_PASSPHRASE: "wrong" } }),
      run([...k("import", "a2", file), "--output", "json"], { env }),
      run(k("import", "a3", join(home, "missing.armor")), { env }),
    ]);
    assertUserError(bad, /incorrect passphrase for the exported key/);
    assert.equal(imp.code, 0, imp.stderr);
    assert.equal((JSON.parse(imp.stdout) as { address: string }).address, ADDRESS_A);
    assertUserError(missing, /file not found/);
  });

  test("export --unsafe-mnemonic needs confirmation; delete needs --yes without a TTY", async () => {
    const [unconfirmed, ok, keep] = await Promise.all([
      run(k("export", "a", "--unsafe-mnemonic"), withPass),
      run(k("export", "a", "--unsafe-mnemonic", "--yes"), withPass),
      run(k("delete", "a2")),
    ]);
    assertUserError(unconfirmed, /not confirmed: pass --yes/);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, MNEMONIC_A + "\n");
    assertUserError(keep, /not confirmed: pass --yes/);
    const del = await run(k("delete", "a2", "--yes"));
    assert.equal(del.code, 0, del.stderr);
    const list = await run([...k("list"), "--output", "json"]);
    assert.ok(!(JSON.parse(list.stdout) as { name: string }[]).some((x) => x.name === "a2"));
  });
});
