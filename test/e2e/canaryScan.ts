// Helpers for the confidentiality canary test: unique markers, their encodings (ASCII, hex both cases, base64 at
// all three byte alignments), a scanner over byte blobs / a folder tree, and a dev child that keeps its home.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** A random-looking unique ASCII marker; the tag only helps a human read a failure. */
export function marker(tag: string): string {
  return `CANARY_${tag}_${randomBytes(8).toString("hex")}`;
}

/**
 * Every form a marker could take once serialised: raw ASCII, hex (lower/upper), and base64 of the marker with
 * 0, 1 or 2 leading bytes stripped (base64 inside a longer blob is aligned to 3 bytes; the edge characters that
 * depend on neighbouring bytes are dropped so a match does not depend on them).
 */
export function encodings(m: string): string[] {
  const raw = Buffer.from(m, "ascii");
  const forms = [m, raw.toString("hex"), raw.toString("hex").toUpperCase()];
  for (let skip = 0; skip < 3; skip++) {
    const b64 = raw.subarray(skip).toString("base64");
    const whole = Math.floor((raw.length - skip) / 3) * 4; // chars fully determined by the marker's bytes
    forms.push(b64.slice(0, whole));
  }
  return forms;
}

export interface Hit {
  readonly where: string;
  readonly marker: string;
  readonly form: string;
}

/** Every (marker, form) found in one blob, searched as latin1 so any byte sequence maps to a string. */
export function scanBlob(where: string, blob: Uint8Array | string, markers: readonly string[]): Hit[] {
  const text = typeof blob === "string" ? blob : Buffer.from(blob).toString("latin1");
  const hits: Hit[] = [];
  for (const m of markers) {
    for (const form of encodings(m)) if (text.includes(form)) hits.push({ where, marker: m, form });
  }
  return hits;
}

/** All regular files below dir (DB files, WAL/SHM, sealed files, block store…), with their bytes. */
export function readTree(dir: string): { path: string; bytes: Uint8Array }[] {
  const out: { path: string; bytes: Uint8Array }[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) out.push(...readTree(p));
    else if (st.isFile()) out.push({ path: p, bytes: new Uint8Array(readFileSync(p)) });
  }
  return out;
}

/** What decrypt() needs: secretjs's EncryptionUtils (seeded like the sender's client). */
export interface Decryptor {
  decrypt(ciphertext: Uint8Array, nonce: Uint8Array): Promise<Uint8Array>;
}

/**
 * A tx's `wasm-*` (custom event) attributes as the sender sees them, decrypted with the nonce of its first
 * message (nonce = first 32 bytes of the encrypted msg); secretjs 1.22 itself decrypts only `wasm` events.
 */
export async function decryptCustomEvents(rawTxJson: string, enc: Decryptor): Promise<string[]> {
  const raw = JSON.parse(rawTxJson) as {
    tx: { body: { messages: { msg?: string }[] } };
    tx_response: { events: { type: string; attributes: { key: string; value: string }[] }[] };
  };
  const nonce = Buffer.from(raw.tx.body.messages[0]?.msg ?? "", "base64").subarray(0, 32);
  const dec = async (v: string): Promise<string> => {
    try {
      return Buffer.from(await enc.decrypt(Buffer.from(v, "base64"), nonce)).toString();
    } catch {
      return v; // a plaintext attribute
    }
  };
  const out: string[] = [];
  for (const ev of raw.tx_response.events.filter((e) => e.type.startsWith("wasm-"))) {
    for (const at of ev.attributes) out.push(`${ev.type}:${await dec(at.key)}=${await dec(at.value)}`);
  }
  return out;
}

export interface CanaryChild {
  readonly home: string;
  readonly rest: string;
  readonly rpc: string;
  readonly output: () => string;
  /** SIGINT, then the exit code (the home folder stays for scanning; call cleanup()). */
  stop(): Promise<number | string>;
  cleanup(): void;
}

const BIN = fileURLToPath(new URL("../../bin/shroud.js", import.meta.url));

/** Like devNode.ts, but the home folder survives stop() and the RPC URL is exposed. */
export async function startCanaryChild(blockTimeMs: number): Promise<CanaryChild> {
  const home = mkdtempSync(join(tmpdir(), "shroud-canary-"));
  const args = [BIN, "dev", "--home", home, "--reset", "--block-time", String(blockTimeMs)];
  args.push("--rpc-port", "0", "--rest-port", "0", "--faucet-port", "0");
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout?.on("data", (d: Buffer) => (out += d.toString("latin1")));
  child.stderr?.on("data", (d: Buffer) => (out += d.toString("latin1")));
  const exited = new Promise<number | string>((resolve) => {
    child.on("exit", (code, signal) => {
      resolve(code ?? signal ?? "unknown");
    });
  });
  const urls = await new Promise<{ rest: string; rpc: string }>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`shroud dev did not start in time:\n${out}`));
    }, 60_000);
    const check = (): void => {
      const rest = /REST \(LCD\) on (http:\/\/\S+)/.exec(out)?.[1];
      const rpc = /shroud dev: chain \S+ at height \d+, RPC on (http:\/\/\S+)/.exec(out)?.[1];
      if (rest !== undefined && rpc !== undefined) {
        clearTimeout(timer);
        resolve({ rest, rpc });
      }
    };
    child.stdout?.on("data", check);
    void exited.then((c) => {
      clearTimeout(timer);
      reject(new Error(`shroud dev exited early (${String(c)}):\n${out}`));
    });
  });
  return {
    home,
    ...urls,
    output: () => out,
    stop: async () => {
      child.kill("SIGINT");
      return exited;
    },
    cleanup: () => {
      rmSync(home, { recursive: true, force: true });
    },
  };
}
