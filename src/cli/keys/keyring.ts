// The client keyring: one JSON record per key under <home>/keyring-file/ (mnemonic sealed with the keyring
// passphrase) or <home>/keyring-test/ (mnemonic in the clear, like secretd's test backend). Format: ../README.md.
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { CliError } from "../common.js";
import { readInput } from "./input.js";
import { checkVerifier, makeVerifier, open, parseSealed, seal, type Sealed } from "./sealed.js";
import { deriveKey, HD_PATH, publicKeyOf, type DerivedKey } from "./wallet.js";

export type KeyringBackend = "file" | "test";

/** What `keys list/show` print: public facts only (the mnemonic stays sealed). */
export interface KeyInfo {
  readonly name: string;
  readonly type: "local";
  readonly address: string;
  /** base64 of the 33-byte compressed secp256k1 public key. */
  readonly pubkey: string;
  readonly hd_path: string;
}

interface KeyRecord extends KeyInfo {
  readonly version: 1;
  readonly crypto?: Sealed; // file backend
  readonly mnemonic?: string; // test backend
}

const RECORD_SUFFIX = ".info";
const KEYHASH = "keyhash";
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const PASSPHRASE_ENV = "SHROUD_KEYRING_PASSPHRASE";
const MIN_PASSPHRASE = 8; // secretd's file keyring asks for at least 8 characters

export function assertKeyName(name: string): void {
  if (!NAME_RE.test(name))
    throw new CliError(
      `invalid key name ${JSON.stringify(name)}: use 1-64 of A-Z a-z 0-9 . _ - (not starting with . _ -)`,
    );
}

export function parseBackend(v: string): KeyringBackend {
  if (v !== "file" && v !== "test")
    throw new CliError(`--keyring-backend must be file or test, got ${JSON.stringify(v)}`);
  return v;
}

/** Associated data of a sealed mnemonic: a record's ciphertext cannot be moved to another name or address. */
function recordAad(name: string, address: string): Uint8Array {
  return new TextEncoder().encode(`shroud-keyring-v1\0${name}\0${address}`);
}

function parseRecord(text: string, file: string): KeyRecord {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new CliError(`${file}: not a keyring record (bad JSON)`);
  }
  const r = v as Partial<KeyRecord> | null;
  if (
    r === null ||
    typeof r !== "object" ||
    r.version !== 1 ||
    typeof r.name !== "string" ||
    typeof r.address !== "string" ||
    typeof r.pubkey !== "string"
  )
    throw new CliError(`${file}: not a keyring record`);
  return r as KeyRecord;
}

export class Keyring {
  readonly dir: string;
  private passphrase: string | undefined;

  constructor(
    home: string,
    readonly backend: KeyringBackend,
  ) {
    this.dir = join(home, `keyring-${backend}`);
  }

  private recordPath(name: string): string {
    assertKeyName(name);
    return join(this.dir, name + RECORD_SUFFIX);
  }

  list(): KeyInfo[] {
    if (!existsSync(this.dir)) return [];
    const files = readdirSync(this.dir)
      .filter((f) => f.endsWith(RECORD_SUFFIX))
      .sort();
    return files.map((f) => publicInfo(parseRecord(readFileSync(join(this.dir, f), "utf8"), f)));
  }

  private record(name: string): KeyRecord {
    const path = this.recordPath(name);
    if (!existsSync(path))
      throw new CliError(`key ${JSON.stringify(name)} not found in the ${this.backend} keyring`);
    return parseRecord(readFileSync(path, "utf8"), path);
  }

  /** Looks a key up by name, or by its `secret1…` address (as `--from` accepts either). */
  find(nameOrAddress: string): KeyInfo {
    if (nameOrAddress.startsWith("secret1")) {
      const hit = this.list().find((k) => k.address === nameOrAddress);
      if (hit === undefined)
        throw new CliError(`no key with address ${nameOrAddress} in the ${this.backend} keyring`);
      return hit;
    }
    return publicInfo(this.record(nameOrAddress));
  }

  has(name: string): boolean {
    return existsSync(this.recordPath(name));
  }

  /** The keyring passphrase: $SHROUD_KEYRING_PASSPHRASE, else asked (twice on a TTY when creating). */
  private async getPassphrase(creating: boolean): Promise<string> {
    if (this.passphrase !== undefined) return this.passphrase;
    const fromEnv = process.env[PASSPHRASE_ENV];
    const pass = fromEnv ?? (await readInput("Enter keyring passphrase: ", "keyring passphrase", true));
    if (creating && fromEnv === undefined && process.stdin.isTTY) {
      const again = await readInput("Re-enter keyring passphrase: ", "keyring passphrase", true);
      if (again !== pass) throw new CliError("passphrases do not match");
    }
    if (creating && pass.length < MIN_PASSPHRASE)
      throw new CliError(`keyring passphrase must be at least ${MIN_PASSPHRASE} characters`);
    const keyhash = join(this.dir, KEYHASH);
    if (existsSync(keyhash)) {
      await checkVerifier(pass, JSON.parse(readFileSync(keyhash, "utf8")), "the keyring");
    } else if (creating) {
      this.ensureDir();
      writePrivate(keyhash, JSON.stringify(await makeVerifier(pass)) + "\n");
    } else {
      throw new CliError("the keyring has no passphrase yet (no keyhash): add a key first");
    }
    this.passphrase = pass;
    return pass;
  }

  private ensureDir(): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    chmodSync(this.dir, 0o700);
  }

  /** Stores `mnemonic` under `name`; the name must be new. */
  async add(name: string, mnemonic: string): Promise<KeyInfo> {
    const path = this.recordPath(name);
    if (existsSync(path)) throw new CliError(`key ${JSON.stringify(name)} already exists (delete it first)`);
    const key = publicKeyOf(mnemonic);
    const info: KeyInfo = {
      name,
      type: "local",
      address: key.address,
      pubkey: Buffer.from(key.publicKey).toString("base64"),
      hd_path: HD_PATH,
    };
    const secret =
      this.backend === "test"
        ? { mnemonic }
        : {
            crypto: await seal(
              await this.getPassphrase(true),
              new TextEncoder().encode(mnemonic),
              recordAad(name, info.address),
            ),
          };
    this.ensureDir();
    writePrivate(path, JSON.stringify({ version: 1, ...info, ...secret }, null, 2) + "\n");
    return info;
  }

  /** The mnemonic of a key (asks for the keyring passphrase on the file backend). */
  async mnemonic(nameOrAddress: string): Promise<string> {
    const r = this.record(this.find(nameOrAddress).name);
    if (this.backend === "test") {
      if (typeof r.mnemonic !== "string") throw new CliError(`key ${r.name}: test record without a mnemonic`);
      return r.mnemonic;
    }
    const sealed = parseSealed(r.crypto, `key ${r.name}`);
    const pass = await this.getPassphrase(false);
    const plain = await open(pass, sealed, recordAad(r.name, r.address), `key ${JSON.stringify(r.name)}`);
    return new TextDecoder("utf-8", { fatal: true }).decode(plain);
  }

  /** Unlocks a key for signing; checks the derived address against the record (catches a corrupted file). */
  async unlock(nameOrAddress: string): Promise<DerivedKey & { readonly name: string }> {
    const info = this.find(nameOrAddress);
    const key = await deriveKey(await this.mnemonic(info.name));
    if (key.address !== info.address)
      throw new CliError(`key ${info.name}: record does not match its mnemonic`);
    return { ...key, name: info.name };
  }

  delete(name: string): void {
    const path = this.recordPath(name);
    if (!existsSync(path))
      throw new CliError(`key ${JSON.stringify(name)} not found in the ${this.backend} keyring`);
    rmSync(path);
  }
}

function publicInfo(r: KeyRecord): KeyInfo {
  return { name: r.name, type: "local", address: r.address, pubkey: r.pubkey, hd_path: r.hd_path };
}

/** Writes a 0600 file atomically (temp file + rename), so a crash never leaves half a key. */
function writePrivate(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text, { mode: 0o600, flag: "wx" });
  renameSync(tmp, path);
}
