// `shroud keys …`: the client keyring (coin type 529, `secret1…` addresses), secretd-style: add (new or
// --recover), list, show, delete, export (armored + passphrase, or the mnemonic on request), import.
import { existsSync, readFileSync } from "node:fs";
import type { Command } from "commander";
import { CliError, DEFAULT_CLIENT_HOME, printResult, type OutputFormat } from "../common.js";
import { confirm, readInput } from "./input.js";
import { Keyring, parseBackend, assertKeyName, type KeyInfo, type KeyringBackend } from "./keyring.js";
import { armor, open, parseSealed, seal, unarmor } from "./sealed.js";
import { HD_PATH, newMnemonic, normalizeMnemonic } from "./wallet.js";

export const EXPORT_PASSPHRASE_ENV = "SHROUD_EXPORT_PASSPHRASE";

interface KeysFlags {
  home: string;
  keyringBackend: KeyringBackend;
  output: OutputFormat;
}

/** `--home`, `--keyring-backend`, `--output`: the flags every keys command (and every signing tx) takes. */
export function addKeyringOptions(cmd: Command): Command {
  return cmd
    .option("--home <dir>", "client home (keyring)", process.env.SHROUD_HOME ?? DEFAULT_CLIENT_HOME)
    .option(
      "--keyring-backend <backend>",
      "file (encrypted) or test (unencrypted)",
      parseBackend,
      "file" as KeyringBackend,
    )
    .option("--output <format>", "json or text", parseOutputFormat, "text" as OutputFormat);
}

function parseOutputFormat(v: string): OutputFormat {
  if (v !== "json" && v !== "text")
    throw new CliError(`--output must be json or text, got ${JSON.stringify(v)}`);
  return v;
}

export function openKeyring(flags: { home: string; keyringBackend: KeyringBackend }): Keyring {
  return new Keyring(flags.home, flags.keyringBackend);
}

/** The armor's associated data binds the ciphertext to the address in its header. */
function exportAad(address: string): Uint8Array {
  return new TextEncoder().encode(`shroud-export-v1\0${address}`);
}

async function exportPassphrase(creating: boolean): Promise<string> {
  const fromEnv = process.env[EXPORT_PASSPHRASE_ENV];
  if (fromEnv !== undefined) return fromEnv;
  const prompt = `Enter passphrase to ${creating ? "encrypt" : "decrypt"} the exported key: `;
  const p = await readInput(prompt, "export passphrase", true);
  if (creating && process.stdin.isTTY) {
    const again = await readInput("Repeat the passphrase: ", "export passphrase", true);
    if (again !== p) throw new CliError("passphrases do not match");
  }
  return p;
}

function printKey(info: KeyInfo, output: OutputFormat, extra: Record<string, string> = {}): void {
  printResult({ ...info, ...extra }, output);
}

async function addKey(name: string, o: KeysFlags & { recover: boolean }): Promise<void> {
  assertKeyName(name);
  const kr = openKeyring(o);
  if (kr.has(name)) throw new CliError(`key ${JSON.stringify(name)} already exists (delete it first)`);
  const mnemonic = o.recover
    ? normalizeMnemonic(await readInput("Enter your bip39 mnemonic: ", "mnemonic", true))
    : newMnemonic();
  const info = await kr.add(name, mnemonic);
  if (o.recover) {
    printKey(info, o.output);
    return;
  }
  if (o.output === "json") {
    printKey(info, o.output, { mnemonic });
    return;
  }
  printKey(info, o.output);
  process.stdout.write(
    "\n**Important** write this mnemonic phrase in a safe place.\n" +
      "It is the only way to recover your account if you ever forget your password.\n\n" +
      mnemonic +
      "\n",
  );
}

async function exportKey(
  name: string,
  o: KeysFlags & { unsafeMnemonic: boolean; yes: boolean },
): Promise<void> {
  const kr = openKeyring(o);
  const info = kr.find(name);
  if (o.unsafeMnemonic) {
    await confirm(
      `Print the mnemonic of ${info.name} in the clear? Anyone who sees it controls the account`,
      o.yes,
    );
    const mnemonic = await kr.mnemonic(info.name);
    if (o.output === "json") printResult({ name: info.name, address: info.address, mnemonic }, "json");
    else process.stdout.write(mnemonic + "\n");
    return;
  }
  const mnemonic = await kr.mnemonic(info.name);
  const pass = await exportPassphrase(true);
  if (pass.length === 0) throw new CliError("the export passphrase must not be empty");
  const plain = new TextEncoder().encode(JSON.stringify({ mnemonic, hd_path: HD_PATH }));
  const sealed = await seal(pass, plain, exportAad(info.address));
  const headers = { kdf: "scrypt", type: "secp256k1", address: info.address };
  process.stdout.write(armor(headers, new TextEncoder().encode(JSON.stringify(sealed))));
}

async function importKey(name: string, file: string, o: KeysFlags): Promise<void> {
  assertKeyName(name);
  if (!existsSync(file)) throw new CliError(`file not found: ${file}`);
  const { headers, body } = unarmor(readFileSync(file, "utf8"), file);
  const address = headers.address ?? "";
  if (!address.startsWith("secret1")) throw new CliError(`${file}: armor has no secret1… address header`);
  let sealedJson: unknown;
  try {
    sealedJson = JSON.parse(body.toString("utf8"));
  } catch {
    throw new CliError(`${file}: malformed armored key`);
  }
  const sealed = parseSealed(sealedJson, file);
  const kr = openKeyring(o);
  if (kr.has(name)) throw new CliError(`key ${JSON.stringify(name)} already exists (delete it first)`);
  const plain = await open(
    await exportPassphrase(false),
    sealed,
    exportAad(address),
    `the exported key ${file}`,
  );
  const parsed = JSON.parse(plain.toString("utf8")) as { mnemonic?: unknown };
  if (typeof parsed.mnemonic !== "string") throw new CliError(`${file}: armored key holds no mnemonic`);
  const info = await kr.add(name, normalizeMnemonic(parsed.mnemonic));
  if (info.address !== address) {
    kr.delete(name);
    throw new CliError(`${file}: the key does not match the address in its header`);
  }
  printKey(info, o.output);
}

export function registerKeysCommands(program: Command): void {
  const keys = program.command("keys").description("manage the local keyring (HD path m/44'/529'/0'/0/0)");
  addKeyringOptions(
    keys.command("add <name>").description("create a new key, or recover one from a mnemonic"),
  )
    .option("--recover", "recover from a bip39 mnemonic (asked for, or read from stdin)", false)
    .action((name: string, o: KeysFlags & { recover: boolean }) => addKey(name, o));
  addKeyringOptions(keys.command("list").description("list all keys")).action((o: KeysFlags) => {
    const all = openKeyring(o).list();
    if (o.output === "json") printResult(all, "json");
    else if (all.length === 0) process.stdout.write("No keys found.\n");
    else for (const k of all) printResult({ [k.name]: k }, "text");
  });
  addKeyringOptions(keys.command("show <name>").description("show a key's address and public key"))
    .option("-a, --address", "print the address only", false)
    .action((name: string, o: KeysFlags & { address: boolean }) => {
      const info = openKeyring(o).find(name);
      if (o.address) process.stdout.write(info.address + "\n");
      else printKey(info, o.output);
    });
  addKeyringOptions(keys.command("delete <name>").description("delete a key from the keyring"))
    .option("-y, --yes", "skip the confirmation", false)
    .action(async (name: string, o: KeysFlags & { yes: boolean }) => {
      const kr = openKeyring(o);
      const info = kr.find(name);
      await confirm(`Key reference ${info.name} (${info.address}) will be deleted. Continue?`, o.yes);
      kr.delete(info.name);
      process.stderr.write(`Key deleted forever (uh oh!)\n`);
    });
  addKeyringOptions(
    keys.command("export <name>").description("export a key: passphrase-encrypted armor (default)"),
  )
    .option("--unsafe-mnemonic", "print the mnemonic in the clear instead (asks for confirmation)", false)
    .option("-y, --yes", "confirm --unsafe-mnemonic without asking", false)
    .action((name: string, o: KeysFlags & { unsafeMnemonic: boolean; yes: boolean }) => exportKey(name, o));
  addKeyringOptions(
    keys.command("import <name> <file>").description("import an armored key made by `keys export`"),
  ).action((name: string, file: string, o: KeysFlags) => importKey(name, file, o));
}
