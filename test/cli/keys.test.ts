// `shroud keys …` run as the real CLI (node bin/shroud.js, sources through tsx): recover LocalSecret's keys a
// and b to their known addresses (= secretjs Wallet), file keyring modes and encryption, the test backend, new
// keys, list/show, wrong passphrase, export → import round trip, unsafe mnemonic export, delete confirmations.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Wallet } from "secretjs";
import { MNEMONIC_A, MNEMONIC_B } from "../util/localSecret.js";

const BIN = fileURLToPath(new URL("../../bin/shroud.js", import.meta.url));
// LocalSecret's account "a" address (scrtlabs LocalSecret README; src/cli/devGenesis.ts).
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

describe("shroud keys (real CLI subprocess)", { timeout: 240_000 }, () => {
  let home = "";
  const k = (...a: string[]) => ["keys", ...a, "--home", home];
  const withPass = { env: { SHROUD_KEYRING_PASSPHRASE: PASS } };
  const bothPass = { env: { SHROUD_KEYRING_PASSPHRASE: PASS, SHROUD_EXPORT_PASSPHRASE: "export-pass" } };
  const wrongPass = {
    env: { SHROUD_KEYRING_PASSPHRASE: "not the passphrase", SHROUD_EXPORT_PASSPHRASE: "x" },
  };
  const armorFile = (): string => join(home, "a.armor");

  before(() => {
    home = mkdtempSync(join(tmpdir(), "shroud-keys-"));
  });
  after(() => {
    rmSync(home, { recursive: true, force: true });
  });

  // Independent invocations of one stage run in parallel: each CLI start costs ~1.3 s of CPU.
  test("recover LocalSecret a (piped mnemonic + passphrase) and b (test backend): secretjs's addresses", async () => {
    const [a, b] = await Promise.all([
      run([...k("add", "a", "--recover"), "--output", "json"], { input: `${MNEMONIC_A}\n${PASS}\n` }),
      run(k("add", "b", "--recover", "--keyring-backend", "test"), { input: MNEMONIC_B + "\n" }),
    ]);
    assert.equal(a.code, 0, a.stderr);
    const info = JSON.parse(a.stdout) as { address: string; hd_path: string; pubkey: string };
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
    assert.equal(b.code, 0, b.stderr);
    assert.match(b.stdout, new RegExp(`address: ${new Wallet(MNEMONIC_B).address}`));
    // The test backend stores the mnemonic unencrypted, like secretd's.
    assert.ok(readFileSync(join(home, "keyring-test", "b.info"), "utf8").includes(MNEMONIC_B));
  });

  test("new key, wrong passphrase, unknown key, armored export", async () => {
    const [fresh, wrong, nobody, exp, wrongAdd] = await Promise.all([
      run([...k("add", "fresh"), "--output", "json"], withPass),
      run(k("export", "a"), wrongPass),
      run(k("show", "nobody")),
      run(k("export", "a"), bothPass),
      run(k("add", "c", "--recover"), { ...wrongPass, input: MNEMONIC_B + "\n" }),
    ]);
    assert.equal(fresh.code, 0, fresh.stderr);
    const info = JSON.parse(fresh.stdout) as { address: string; mnemonic: string };
    assert.equal(info.mnemonic.split(" ").length, 24);
    assert.equal(new Wallet(info.mnemonic).address, info.address);
    assertUserError(wrong, /^Error: incorrect passphrase for the keyring\n$/);
    assertUserError(wrongAdd, /^Error: incorrect passphrase for the keyring\n$/);
    assertUserError(nobody, /^Error: key "nobody" not found in the file keyring\n$/);
    assert.equal(exp.code, 0, exp.stderr);
    assert.match(exp.stdout, /^-----BEGIN SHROUD PRIVATE KEY-----\n/);
    assert.ok(!exp.stdout.includes("grant"), "armor is encrypted");
    writeFileSync(armorFile(), exp.stdout);
  });

  test("import (right and wrong export passphrase), list, show -a, confirmations", async () => {
    const [imp, bad, list, show, unconfirmed, keep] = await Promise.all([
      run([...k("import", "a2", armorFile()), "--output", "json"], bothPass),
      run(k("import", "a-bad", armorFile()), { env: { ...bothPass.env, SHROUD_EXPORT_PASSPHRASE: "wrong" } }),
      run([...k("list"), "--output", "json"]),
      run(k("show", "a", "-a")),
      run(k("export", "a", "--unsafe-mnemonic"), withPass),
      run(k("delete", "fresh")),
    ]);
    assert.equal(imp.code, 0, imp.stderr);
    assert.equal((JSON.parse(imp.stdout) as { address: string }).address, ADDRESS_A);
    assertUserError(bad, /incorrect passphrase for the exported key/);
    assert.equal(list.code, 0, list.stderr);
    assert.deepEqual(
      (JSON.parse(list.stdout) as { name: string }[]).map((x) => x.name),
      ["a", "fresh"],
    );
    assert.equal(show.stdout, ADDRESS_A + "\n");
    assertUserError(unconfirmed, /not confirmed: pass --yes/);
    assertUserError(keep, /not confirmed: pass --yes/);
    assert.ok(existsSync(join(home, "keyring-file", "fresh.info")));
  });

  test("--unsafe-mnemonic --yes prints the mnemonic; delete --yes removes the key", async () => {
    const [ok, del] = await Promise.all([
      run(k("export", "a2", "--unsafe-mnemonic", "--yes"), withPass),
      run(k("delete", "fresh", "--yes")),
    ]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, MNEMONIC_A + "\n");
    assert.equal(del.code, 0, del.stderr);
    assert.ok(!existsSync(join(home, "keyring-file", "fresh.info")));
  });
});
