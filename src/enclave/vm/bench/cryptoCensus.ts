// Counts the native crypto work of one execution (bench-only, ../vmBench.ts): every node:crypto HMAC,
// hash, cipher context and cipher `update` call with its input bytes, by patching node:crypto for the
// duration of `fn` (named ESM imports follow via syncBuiltinESMExports). Used to list what bench A does.
import * as nodeCrypto from "node:crypto";
import { syncBuiltinESMExports } from "node:module";
import { AesSivKey, type SealJob } from "../../crypto/aesSiv.js";

/** Calls and input bytes of one kind of native crypto operation. */
export interface CensusRow {
  calls: number;
  bytes: number;
  /** Input sizes of the calls, in call order (bytes per `update`/`createHmac` key …). */
  readonly sizes: number[];
}

export type Census = Map<string, CensusRow>;

function bump(c: Census, name: string, bytes: number): void {
  let r = c.get(name);
  if (r === undefined) {
    r = { calls: 0, bytes: 0, sizes: [] };
    c.set(name, r);
  }
  r.calls++;
  r.bytes += bytes;
  r.sizes.push(bytes);
}

const len = (x: unknown): number =>
  typeof x === "string" ? Buffer.byteLength(x) : ArrayBuffer.isView(x) ? x.byteLength : 0;

type AnyFn = (...args: unknown[]) => unknown;
type Mutable = Record<string, unknown>;

/** Wraps `obj[name]` with `count(args)` before the original; returns the undo. */
function wrap(obj: object, name: string, count: (self: unknown, args: unknown[]) => void): () => void {
  const o = obj as Mutable;
  const orig = o[name] as AnyFn;
  o[name] = function (this: unknown, ...args: unknown[]) {
    count(this, args);
    return orig.apply(this, args);
  };
  return () => {
    o[name] = orig;
  };
}

/** The prototype that owns `name` along `obj`'s chain. */
function owner(obj: object, name: string): object {
  let p = obj;
  while (!Object.prototype.hasOwnProperty.call(p, name)) {
    const up = Object.getPrototypeOf(p) as object | null;
    if (up === null) throw new Error(`no ${name}`);
    p = up;
  }
  return p;
}

/** Runs `fn` once with node:crypto counted; returns what it used (kind → calls, bytes). */
export function censusOf(fn: () => void): Census {
  const c: Census = new Map();
  const kinds = new WeakMap<object, string>();
  const mod = (nodeCrypto as unknown as { default: object }).default;
  const cipher = nodeCrypto.createCipheriv("aes-128-ecb", new Uint8Array(16), null);
  const hmac = nodeCrypto.createHmac("sha256", "k");
  const hash = nodeCrypto.createHash("sha256");
  const undo = [
    wrap(mod, "createCipheriv", (_s, a) => {
      bump(c, `new cipher ${String(a[0])}`, 0);
    }),
    wrap(mod, "createHmac", (_s, a) => {
      bump(c, "new HMAC-SHA256 (key bytes)", len(a[1]));
    }),
    wrap(mod, "createHash", () => {
      bump(c, "new SHA-256", 0);
    }),
    wrap(mod, "timingSafeEqual", (_s, a) => {
      bump(c, "timingSafeEqual", len(a[0]));
    }),
    wrap(owner(cipher, "update"), "update", (s, a) => {
      bump(c, `${kinds.get(s as object) ?? "cipher"} update`, len(a[0]));
    }),
    wrap(owner(hmac, "update"), "update", (s, a) => {
      bump(c, `${s instanceof nodeCrypto.Hash ? "SHA-256" : "HMAC"} update`, len(a[0]));
    }),
  ];
  if (owner(hash, "update") !== owner(hmac, "update")) {
    undo.push(
      wrap(owner(hash, "update"), "update", (_s, a) => {
        bump(c, "SHA-256 update", len(a[0]));
      }),
    );
  }
  // Label cipher contexts by mode: wrap createCipheriv's result.
  const o = mod as Mutable;
  const create = o.createCipheriv as AnyFn;
  o.createCipheriv = (...args: unknown[]) => {
    const r = create(...args) as object;
    kinds.set(r, String(args[0]));
    return r;
  };
  syncBuiltinESMExports();
  try {
    fn();
  } finally {
    o.createCipheriv = create;
    for (const u of undo.reverse()) u();
    syncBuiltinESMExports();
  }
  return c;
}

/** One line per kind: calls, bytes, and the sizes when few. */
export function formatCensus(c: Census): string[] {
  return [...c.entries()]
    .sort((x, y) => (x[0] < y[0] ? -1 : 1))
    .map(
      ([k, r]) =>
        `${k.padEnd(36)} ${String(r.calls).padStart(4)} calls ${String(r.bytes).padStart(6)} B  [${r.sizes.join(" ")}]`,
    );
}

/** One AES-SIV operation of an execution: which key (by first use in the run; `fresh` = made in the run). */
export interface SivOp {
  readonly key: number;
  readonly fresh: boolean;
  readonly op: "adMac" | "seal" | "open";
  /** adMac: the AD length; seal: each message's plaintext length; open: the plaintext length. */
  readonly lengths: readonly number[];
  /** AD strings per message (seal/open). */
  readonly ads: number;
}

/**
 * Runs `fn` once recording every AES-SIV operation (the AesSivKey methods every enclave path goes through).
 * Keys made before the run (cached state keys) are `fresh: false`.
 */
export function sivCensusOf(fn: () => void): SivOp[] {
  const ops: SivOp[] = [];
  const ids = new Map<object, number>();
  const before = new WeakSet();
  const proto = AesSivKey.prototype as unknown as Record<string, AnyFn>;
  const idOf = (k: object): { key: number; fresh: boolean } => {
    let id = ids.get(k);
    if (id === undefined) {
      id = ids.size;
      ids.set(k, id);
    }
    return { key: id, fresh: !before.has(k) };
  };
  // A class constructor cannot be hooked, so "fresh" means: not met in a dry run just before (state keys
  // outlive a call; a tx key is new per message).
  const record = (name: "adMac" | "sealAllInto" | "decryptMacs", into: boolean) => {
    const orig = proto[name]!;
    proto[name] = function (this: object, ...args: unknown[]) {
      if (!into) before.add(this);
      else {
        const k = idOf(this);
        if (name === "adMac")
          ops.push({ ...k, op: "adMac", lengths: [(args[0] as Uint8Array).length], ads: 0 });
        if (name === "sealAllInto") {
          const jobs = args[0] as readonly SealJob[];
          ops.push({
            ...k,
            op: "seal",
            lengths: jobs.map((j) => j.plaintext.length),
            ads: jobs[0]?.adMacs.length ?? 0,
          });
        }
        if (name === "decryptMacs") {
          const [sealed, macs] = args as [Uint8Array, readonly Uint8Array[]];
          ops.push({ ...k, op: "open", lengths: [sealed.length - 16], ads: macs.length });
        }
      }
      return orig.apply(this, args);
    };
    return () => {
      proto[name] = orig;
    };
  };
  const names = ["adMac", "sealAllInto", "decryptMacs"] as const;
  let undo = names.map((n) => record(n, false));
  try {
    fn(); // dry run: every key it touches that survives (state keys) is "old"
  } finally {
    for (const u of undo) u();
  }
  undo = names.map((n) => record(n, true));
  try {
    fn();
  } finally {
    for (const u of undo) u();
  }
  return ops;
}
