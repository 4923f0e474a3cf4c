// Passphrase sealing for the file keyring and exported keys: scrypt → 32-byte key → AES-256-GCM (node:crypto),
// with the record's identity as associated data, plus the ASCII armor of `keys export`. Formats: ../README.md.
import { createCipheriv, createDecipheriv, randomBytes, scrypt, timingSafeEqual } from "node:crypto";
import { CliError } from "../common.js";

/** scrypt cost: N = 2^15, r = 8, p = 1 (32 MiB, ~0.1 s) — the interactive-login parameters of RFC 7914 §2. */
export const SCRYPT_PARAMS = Object.freeze({ n: 32768, r: 8, p: 1 });
const SALT_LEN = 16;
const IV_LEN = 12; // NIST SP 800-38D's recommended GCM nonce size
const TAG_LEN = 16;
const MAX_N = 1 << 20; // refuse files asking for absurd work (1 GiB at r=8)

export interface ScryptParams {
  readonly n: number;
  readonly r: number;
  readonly p: number;
}

export interface Sealed {
  readonly kdf: "scrypt";
  readonly salt: string; // base64
  readonly n: number;
  readonly r: number;
  readonly p: number;
  readonly cipher: "aes-256-gcm";
  readonly iv: string; // base64
  readonly tag: string; // base64
  readonly ciphertext: string; // base64
}

/** Thrown when a passphrase does not open a record; the message never says more than that. */
export class WrongPassphraseError extends CliError {
  constructor(what: string) {
    super(`incorrect passphrase for ${what}`);
  }
}

function assertParams(p: ScryptParams, what: string): void {
  const ok =
    Number.isInteger(p.n) &&
    p.n >= 1024 &&
    p.n <= MAX_N &&
    (p.n & (p.n - 1)) === 0 &&
    Number.isInteger(p.r) &&
    p.r >= 1 &&
    p.r <= 32 &&
    Number.isInteger(p.p) &&
    p.p >= 1 &&
    p.p <= 16;
  if (!ok) throw new CliError(`${what}: unsupported scrypt parameters`);
}

export function scryptKey(passphrase: string, salt: Uint8Array, p: ScryptParams): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const maxmem = 256 * p.n * p.r + (1 << 20);
    scrypt(passphrase.normalize("NFKC"), salt, 32, { N: p.n, r: p.r, p: p.p, maxmem }, (err, key) => {
      if (err !== null) reject(err);
      else resolve(key);
    });
  });
}

/** Encrypts `plaintext` under a fresh salt and IV; `aad` binds the ciphertext to its record (name, address). */
export async function seal(passphrase: string, plaintext: Uint8Array, aad: Uint8Array): Promise<Sealed> {
  const salt = randomBytes(SALT_LEN);
  const iv = randomBytes(IV_LEN);
  const key = await scryptKey(passphrase, salt, SCRYPT_PARAMS);
  const cipher = createCipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_LEN });
  cipher.setAAD(aad);
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  key.fill(0);
  return {
    kdf: "scrypt",
    salt: salt.toString("base64"),
    ...SCRYPT_PARAMS,
    cipher: "aes-256-gcm",
    iv: iv.toString("base64"),
    tag: cipher.getAuthTag().toString("base64"),
    ciphertext: ct.toString("base64"),
  };
}

function b64(v: unknown, len: number | undefined, what: string): Buffer {
  if (typeof v !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(v))
    throw new CliError(`${what}: malformed record`);
  const out = Buffer.from(v, "base64");
  if (len !== undefined && out.length !== len) throw new CliError(`${what}: malformed record`);
  return out;
}

/** Checks a parsed record's shape (it came from a file) and returns it typed. */
export function parseSealed(v: unknown, what: string): Sealed {
  if (v === null || typeof v !== "object") throw new CliError(`${what}: malformed record`);
  const s = v as Record<string, unknown>;
  if (s.kdf !== "scrypt" || s.cipher !== "aes-256-gcm") throw new CliError(`${what}: unsupported encryption`);
  const params = { n: Number(s.n), r: Number(s.r), p: Number(s.p) };
  assertParams(params, what);
  b64(s.salt, undefined, what);
  b64(s.iv, IV_LEN, what);
  b64(s.tag, TAG_LEN, what);
  b64(s.ciphertext, undefined, what);
  return s as unknown as Sealed;
}

/** Decrypts a sealed record; a wrong passphrase (or a tampered record) is a WrongPassphraseError. */
export async function open(passphrase: string, s: Sealed, aad: Uint8Array, what: string): Promise<Buffer> {
  const key = await scryptKey(passphrase, b64(s.salt, undefined, what), s);
  const decipher = createDecipheriv("aes-256-gcm", key, b64(s.iv, IV_LEN, what), { authTagLength: TAG_LEN });
  decipher.setAAD(aad);
  decipher.setAuthTag(b64(s.tag, TAG_LEN, what));
  try {
    return Buffer.concat([decipher.update(b64(s.ciphertext, undefined, what)), decipher.final()]);
  } catch {
    throw new WrongPassphraseError(what);
  } finally {
    key.fill(0);
  }
}

/** A passphrase verifier (the keyring's `keyhash`): scrypt output compared in constant time. */
export async function makeVerifier(passphrase: string): Promise<Record<string, string | number>> {
  const salt = randomBytes(SALT_LEN);
  const hash = await scryptKey(passphrase, salt, SCRYPT_PARAMS);
  return { kdf: "scrypt", salt: salt.toString("base64"), ...SCRYPT_PARAMS, hash: hash.toString("base64") };
}

export async function checkVerifier(passphrase: string, v: unknown, what: string): Promise<void> {
  if (v === null || typeof v !== "object") throw new CliError(`${what}: malformed keyhash`);
  const rec = v as Record<string, unknown>;
  const params = { n: Number(rec.n), r: Number(rec.r), p: Number(rec.p) };
  assertParams(params, what);
  const expected = b64(rec.hash, 32, what);
  const got = await scryptKey(passphrase, b64(rec.salt, undefined, what), params);
  if (!timingSafeEqual(got, expected)) throw new WrongPassphraseError(what);
}

const ARMOR_BEGIN = "-----BEGIN SHROUD PRIVATE KEY-----";
const ARMOR_END = "-----END SHROUD PRIVATE KEY-----";

/** ASCII armor: header lines `key: value`, a blank line, the base64 JSON body wrapped at 64 columns. */
export function armor(headers: Readonly<Record<string, string>>, body: Uint8Array): string {
  const lines = [ARMOR_BEGIN, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), ""];
  const b = Buffer.from(body).toString("base64");
  for (let i = 0; i < b.length; i += 64) lines.push(b.slice(i, i + 64));
  lines.push(ARMOR_END, "");
  return lines.join("\n");
}

export function unarmor(text: string, what: string): { headers: Record<string, string>; body: Buffer } {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  const begin = lines.indexOf(ARMOR_BEGIN);
  const end = lines.indexOf(ARMOR_END);
  if (begin < 0 || end < begin)
    throw new CliError(`${what}: not a shroud armored key (no ${ARMOR_BEGIN} block)`);
  const headers: Record<string, string> = {};
  let i = begin + 1;
  for (; i < end && lines[i] !== ""; i++) {
    const m = /^([A-Za-z0-9_-]+):\s*(.*)$/.exec(lines[i] ?? "");
    if (m === null) throw new CliError(`${what}: malformed armor header`);
    headers[m[1] ?? ""] = m[2] ?? "";
  }
  return { headers, body: b64(lines.slice(i + 1, end).join(""), undefined, what) };
}
